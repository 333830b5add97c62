// Frame identity across runs, and which frame names a stack (common/alloc_fns.h).
#include "frames.h"

#include "common/alloc_fns.h"
#include "common/options_text.h"

#include <algorithm>

namespace dmtool {

std::string_view baseName(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string hexString(std::uint64_t value) {
  static const char digits[] = "0123456789abcdef";
  char buffer[19];
  char* p = buffer + sizeof buffer;
  do {
    *--p = digits[value & 15];
    value >>= 4;
  } while (value);
  *--p = 'x';
  *--p = '0';
  return std::string(p, buffer + sizeof buffer);
}

std::string frameKeyFrom(std::string_view function, std::string_view file, std::uint32_t line, std::string_view module,
                         std::optional<std::uint64_t> offset, std::uint64_t pc) {
  std::string key;
  if (!function.empty() && !file.empty() && line) {
    key = function;
    key += " @ ";
    key += baseName(file);
    key += ':';
    key += std::to_string(line);
  } else if (!module.empty() && offset) {
    key = baseName(module);
    key += '+';
    key += hexString(*offset);
  } else {
    // Nothing stable is known; the name if any, else the raw address.
    key = !function.empty() ? std::string(function) : hexString(pc);
  }
  return key;
}

std::string frameKey(const Model& model, FrameId id) {
  const Frame& f = model.frame(id);
  std::string_view module = f.module ? std::string_view(model.str(model.module(*f.module).path)) : "";
  return frameKeyFrom(model.str(f.function), model.str(f.file), f.line, module, f.offset, f.pc);
}

namespace {

// The frames of a stack from `first` on, `depth` of them (0 = all), keys separated by '\n'.
template <typename KeyAt>
std::string joinKeys(std::size_t count, std::size_t first, unsigned depth, KeyAt&& keyAt) {
  std::string key;
  std::size_t end = depth ? std::min<std::size_t>(count, first + depth) : count;
  for (std::size_t i = first; i < end; ++i) {
    if (i != first) key += '\n';
    key += keyAt(i);
  }
  return key;
}

std::size_t namingIndex(std::size_t found) { return found == dm::kNoNamingFrame ? 0 : found; }

}  // namespace

std::string stackKey(const Model& model, const std::vector<FrameId>& stack, unsigned depth) {
  std::size_t first = topUserFrame(model, stack).value_or(0);
  return joinKeys(stack.size(), first, depth, [&](std::size_t i) { return frameKey(model, stack[i]); });
}

std::string stackKeyFrom(const std::vector<dm::FrameText>& frames, const std::vector<std::string>& keys,
                         const std::string& allocFns, unsigned depth) {
  std::size_t n = std::min(frames.size(), keys.size());
  std::size_t first = namingIndex(dm::naming_frame(
      n, [&](std::size_t i) { return frames[i]; }, allocFns.data(), allocFns.size()));
  return joinKeys(n, first, depth, [&](std::size_t i) { return keys[i]; });
}

dm::FrameText frameFields(const Model& model, FrameId id) {
  const Frame& f = model.frame(id);
  dm::FrameText text;
  if (f.function) {
    const std::string& function = model.str(f.function);
    text.function = function.data();
    text.function_length = function.size();
  }
  if (f.file) {
    const std::string& file = model.str(f.file);
    text.file = file.data();
    text.file_length = file.size();
  }
  if (f.module) {
    const std::string& module = model.str(model.module(*f.module).path);
    text.module = module.data();
    text.module_length = module.size();
  }
  text.line = f.line;
  return text;
}

bool isRuntimeFrame(const Model& model, FrameId id) { return dm::is_runtime_frame(frameFields(model, id)); }

std::optional<std::size_t> topUserFrame(const Model& model, const std::vector<FrameId>& stack) {
  std::size_t found = dm::naming_frame(
      stack.size(), [&](std::size_t i) { return frameFields(model, stack[i]); }, model.allocFns.data(),
      model.allocFns.size());
  if (found == dm::kNoNamingFrame) return std::nullopt;
  return found;
}

std::string effectiveAllocFns(const std::string& commandLine, const std::vector<ReportFile>& reports) {
  std::string globs;
  auto addGlobs = [&](const char* list, std::size_t length) {
    std::size_t position = 0;
    const char* item = nullptr;
    std::size_t itemLength = 0;
    while (dm::next_alloc_fn(list, length, &position, &item, &itemLength)) {
      if (dm::is_no_builtins_item(item, itemLength)) continue;
      if (!globs.empty()) globs += ',';
      globs.append(item, itemLength);
    }
  };
  addGlobs(commandLine.data(), commandLine.size());
  bool everyProcessDropsBuiltins = !reports.empty();
  for (const ReportFile& report : reports) {
    const std::string& options = report.process.options;
    const char* value = nullptr;
    std::size_t length = 0;
    bool found = dm::find_option_value(options.data(), options.size(), dm::kAllocFnsOption,
                                       sizeof dm::kAllocFnsOption - 1, &value, &length);
    if (found) addGlobs(value, length);
    everyProcessDropsBuiltins &= found && !dm::alloc_fns_keep_builtins(value, length);
  }
  // The command line decides the built-ins; without it, the processes do when they all agree.
  bool builtins = commandLine.empty() ? !everyProcessDropsBuiltins
                                      : dm::alloc_fns_keep_builtins(commandLine.data(), commandLine.size());
  return builtins        ? globs
         : globs.empty() ? std::string(dm::kNoBuiltinAllocFns)
                         : std::string(dm::kNoBuiltinAllocFns) + "," + globs;
}

}  // namespace dmtool
