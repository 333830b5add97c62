// Merging parsed reports into the Model: interning modules, frames and stacks by content.
#include "model.h"

namespace dmtool {

namespace {
std::size_t mix(std::size_t h, std::uint64_t v) {
  return h ^ (std::hash<std::uint64_t>()(v) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}
}  // namespace

std::size_t Model::FrameKeyHash::operator()(const FrameKey& k) const noexcept {
  std::size_t h = mix(k.module, k.where);
  h = mix(h, k.function.value);
  h = mix(h, k.file.value);
  return mix(h, k.line);
}

std::size_t Model::StackHash::operator()(const std::vector<FrameId>& s) const noexcept {
  std::size_t h = s.size();
  for (FrameId f : s) h = mix(h, f.value);
  return h;
}

ModuleId Model::internModule(const RawModule& m) {
  StringId path = strings.intern(m.path);
  StringId buildId = m.buildId.empty() ? StringId{} : strings.intern(m.buildId);
  std::uint64_t key = static_cast<std::uint64_t>(path.value) << 32 | buildId.value;
  auto [it, inserted] = moduleIndex_.try_emplace(key, ModuleId{static_cast<std::uint32_t>(modules.size())});
  if (inserted) modules.push_back({path, buildId});
  return it->second;
}

FrameId Model::internFrame(const RawFrame& f, const std::vector<ModuleId>& moduleIds) {
  StringId function = strings.internOpt(f.function);
  StringId file = strings.internOpt(f.file);
  std::uint32_t line = f.line && *f.line < 0xffffffffLL ? static_cast<std::uint32_t>(*f.line) : 0;
  FrameKey key;
  if (f.module && f.offset) {
    // Same code in the same module: one frame, whatever each file managed to symbolize.
    key = {moduleIds[*f.module].value, *f.offset, {}, {}, 0};
  } else {
    key = {~0u, f.pc, function, file, line};
  }
  auto [it, inserted] = frameIndex_.try_emplace(key, FrameId{static_cast<std::uint32_t>(frames.size())});
  if (inserted) {
    Frame frame;
    if (f.module) frame.module = moduleIds[*f.module];
    frame.offset = f.offset;
    frame.pc = f.pc;
    frame.function = function;
    frame.file = file;
    frame.line = line;
    frames.push_back(frame);
  } else {
    Frame& frame = frames[it->second.value];
    if (!frame.function) frame.function = function;
    if (!frame.file && file) {
      frame.file = file;
      frame.line = line;
    }
  }
  return it->second;
}

StackId Model::internStack(std::vector<FrameId>&& ids) {
  auto it = stackIndex_.find(ids);
  if (it != stackIndex_.end()) return it->second;
  StackId id{static_cast<std::uint32_t>(stacks.size())};
  stacks.push_back(ids);
  stackIndex_.emplace(std::move(ids), id);
  return id;
}

void Model::add(const ReportFile& report) {
  ProcessId pid{static_cast<std::uint32_t>(processes.size())};
  Process p;
  p.pid = report.process.pid;
  p.ppid = report.process.ppid;
  p.start = report.process.start;
  p.gen = report.process.gen;
  p.command = joinCommand(report.process.command);
  if (p.command.empty()) p.command = report.process.exe;
  p.reportFile = report.path;
  p.exe = report.process.exe;
  p.cwd = report.process.cwd;
  p.incomplete = report.incomplete();
  if (report.end) {
    p.exitCode = report.end->exitCode;
    p.forcedExitCode = report.end->forcedExitCode;
    p.leakCheck = report.end->leakCheck;
    p.leakKindsListed = report.end->listed;
    p.leakedBytes = report.end->leakedBytes;
    p.leakedBlocks = report.end->leakedBlocks;
  }
  processes.push_back(std::move(p));
  librarySuppressed += report.suppressed;

  std::vector<ModuleId> moduleIds;
  moduleIds.reserve(report.modules.size());
  for (const RawModule& m : report.modules) moduleIds.push_back(internModule(m));

  std::vector<StackId> stackIds;
  stackIds.reserve(report.stacks.size());
  for (const RawStack& s : report.stacks) {
    std::vector<FrameId> ids;
    ids.reserve(s.frames.size());
    for (const RawFrame& f : s.frames) ids.push_back(internFrame(f, moduleIds));
    stackIds.push_back(internStack(std::move(ids)));
  }
  auto mapStack = [&](std::optional<LocalId> local) -> std::optional<StackId> {
    if (!local) return std::nullopt;
    return stackIds[*local];
  };

  for (const RawError& e : report.errors) {
    ErrorEvent ev;
    ev.kind = e.kind;
    ev.access = e.access;
    ev.count = e.count;
    ev.process = pid;
    ev.message = strings.intern(e.message);
    ev.api = strings.intern(e.api);
    ev.size = e.size;
    ev.offset = e.offset;
    ev.stack = mapStack(e.stack);
    ev.allocStack = mapStack(e.allocStack);
    ev.freeStack = mapStack(e.freeStack);
    errors.push_back(ev);
  }
  for (const RawLeak& l : report.leaks) {
    LeakEvent ev;
    ev.kind = l.kind;
    ev.bytes = l.bytes;
    ev.blocks = l.blocks;
    ev.indirectBytes = l.indirectBytes;
    ev.indirectBlocks = l.indirectBlocks;
    ev.process = pid;
    ev.stack = mapStack(l.stack);
    leaks.push_back(ev);
  }
}

std::string joinCommand(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& arg : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty() && arg.find_first_of(" \t\n'\"\\$`*?;&|<>()[]{}#~!") == std::string::npos;
    if (plain) {
      out += arg;
      continue;
    }
    out += '\'';
    for (char c : arg) {
      if (c == '\'')
        out += "'\\''";
      else
        out += c;
    }
    out += '\'';
  }
  return out;
}

}  // namespace dmtool
