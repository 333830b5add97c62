// Journal and final report files in report_dir.
#include "findings/report_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

#include <cstring>

#include "common/kinds.h"
#include "common/report_format.h"
#include "findings/errors.h"
#include "support/check.h"
#include "support/internal_arena.h"
#include "support/json_line.h"
#include "findings/leak_report.h"
#include "support/mmap_vector.h"
#include "stacks/modules.h"
#include "support/options.h"
#include "support/process_info.h"
#include "stacks/symbolize.h"

namespace dm {

namespace {

// Every name in the file is the contract's (common/report_format.h), never spelled here.
namespace rf = report_format;

constexpr size_t kRecordCap = 1 << 20;  // one record (a deep, symbolized stack fits easily)

constinit int g_journal_fd = -1;
constinit uint64_t g_gen = 0;
constinit char g_journal_path[4352] = {};
constinit char* g_record = nullptr;  // record buffer, from the internal arena

// Which stacks and modules a file already has (records refer only to earlier ones).
struct WrittenSet {
  MmapVector<uint32_t> stacks;  // open addressing, 0 = empty
  MmapVector<uint8_t> modules;  // by module id
  size_t stack_count = 0;

  bool add_stack(uint32_t id) {
    if (stacks.size() == 0 || stack_count * 2 >= stacks.size()) rehash();
    size_t mask = stacks.size() - 1;
    for (size_t i = (id * 0x9E3779B1u) & mask;; i = (i + 1) & mask) {
      if (stacks[i] == id) return false;
      if (stacks[i] == 0) {
        stacks[i] = id;
        ++stack_count;
        return true;
      }
    }
  }
  bool add_module(uint32_t id) {
    DM_CHECK(modules.reserve(size_t{id} + 1));  // else the loop below would never end
    while (modules.size() <= id) modules.push_back(0);
    if (modules[id] != 0) return false;
    modules[id] = 1;
    return true;
  }
  void clear() {
    stacks.reset();
    modules.reset();
    stack_count = 0;
  }

 private:
  void rehash() {
    size_t cap = stacks.size() == 0 ? 1024 : stacks.size() * 2;
    MmapVector<uint32_t> old_copy;
    for (uint32_t v : stacks)
      if (v != 0) old_copy.push_back(v);
    stacks.reset();
    DM_CHECK(stacks.reserve(cap));  // add_stack probes all `cap` entries (a power of two)
    for (size_t i = 0; i < cap; ++i) stacks.push_back(0);
    stack_count = 0;
    for (uint32_t v : old_copy) add_stack(v);
  }
};

WrittenSet& journal_written() {
  static constinit char storage[sizeof(WrittenSet)] alignas(WrittenSet) = {};
  static WrittenSet* set = new (storage) WrittenSet();  // never destroyed: used at exit
  return *set;
}

bool enabled() { return g_options.report_dir != nullptr && g_options.report_dir[0] != '\0'; }

char* record_buffer() {
  if (g_record == nullptr) g_record = static_cast<char*>(internal_allocate(kRecordCap, 16));
  return g_record;
}

void path_in_dir(TextBuffer& out, const char* name_part) { out.str(g_options.report_dir).ch('/').str(name_part); }

// "debugmalloc-<pid>-<start>-<gen>" + suffix + more_suffix
void report_name(TextBuffer& out, int pid, uint64_t start, uint64_t gen, const char* suffix,
                 const char* more_suffix = "") {
  out.str(g_options.report_dir)
      .ch('/')
      .str(rf::kFilePrefix)
      .dec(static_cast<uint64_t>(pid))
      .ch('-')
      .dec(start)
      .ch('-')
      .dec(gen)
      .str(suffix)
      .str(more_suffix)
      .ch('\0');
}

// Writes a whole record with one write() (a journal line is never interleaved).
void write_record(int fd, const TextBuffer& record) {
  if (fd < 0 || record.truncated()) return;
  os_write_all(fd, record.data(), record.size());
}

void write_process(int fd) {
  const ProcessInfo& p = process_info();
  TextBuffer out(record_buffer(), kRecordCap);
  JsonLine j(out, rf::process::kType);
  j.key(rf::process::kFormat).string(rf::kFormatName).key(rf::process::kVersion).number(rf::kVersion);
  j.key(rf::process::kPid).number(p.pid).key(rf::process::kPpid).number(p.ppid);
  j.key(rf::process::kStart).unsigned_number(p.start).key(rf::process::kGen).unsigned_number(g_gen);
  j.key(rf::process::kTime).number(p.time).key(rf::process::kExe).string(p.exe).key(rf::process::kCwd).string(p.cwd);
  j.key(rf::process::kCommand).raw("[");
  for (size_t i = 0; i < p.argv_len;) {
    size_t n = strlen(p.argv + i);
    if (i != 0) j.raw(",");
    j.string(p.argv + i, n);
    i += n + 1;
  }
  j.raw("]").key(rf::process::kOptions).string(g_options.report_dir != nullptr ? options_text() : "");
  j.end();
  write_record(fd, out);
}

void write_module(int fd, WrittenSet& written, const Module& m) {
  if (!written.add_module(m.id)) return;
  TextBuffer out(record_buffer(), kRecordCap);
  JsonLine j(out, rf::module::kType);
  j.key(rf::module::kId).unsigned_number(m.id).key(rf::module::kPath).string(m.path);
  j.key(rf::module::kBase).hex(m.base).key(rf::module::kEnd).hex(m.end).key(rf::module::kBuildId);
  if (m.build_id[0] != '\0')
    j.string(m.build_id);
  else
    j.null();
  j.key(rf::module::kUnloaded).boolean(m.unloaded);
  j.end();
  write_record(fd, out);
}

void write_stack(int fd, WrittenSet& written, StackId id) {
  if (id == 0 || !written.add_stack(id)) return;
  uint32_t depth = 0;
  const uintptr_t* frames = depot_get(id, &depth);
  if (frames == nullptr) return;
  // Modules first: a record refers only to earlier ones.
  Module modules[kMaxStackDepth];
  bool has_module[kMaxStackDepth];
  for (uint32_t i = 0; i < depth; ++i) {
    has_module[i] = module_for(frames[i], &modules[i]);
    if (has_module[i]) write_module(fd, written, modules[i]);
  }
  TextBuffer out(record_buffer(), kRecordCap);
  JsonLine j(out, rf::stack::kType);
  j.key(rf::stack::kId).unsigned_number(id).key(rf::stack::kFrames).raw("[");
  FrameInfo f;
  for (uint32_t i = 0; i < depth; ++i) {
    bool loaded = has_module[i] && !modules[i].unloaded;
    if (loaded)
      symbolize_frame(frames[i], g_options.symbolize, &f);
    else
      f = FrameInfo{};
    out.str(i == 0 ? "{\"" : ",{\"").str(rf::frame::kPc).str("\":");
    j.hex(frames[i]).key(rf::frame::kModule);
    if (has_module[i])
      j.unsigned_number(modules[i].id).key(rf::frame::kOffset).hex(frames[i] - modules[i].base);
    else
      j.null().key(rf::frame::kOffset).null();
    j.key(rf::frame::kFunction).string(f.function[0] != '\0' ? f.function : nullptr);
    j.key(rf::frame::kFile).string(f.file[0] != '\0' ? f.file : nullptr);
    j.key(rf::frame::kLine);
    if (f.line != 0)
      j.unsigned_number(f.line);
    else
      j.null();
    out.ch('}');
  }
  j.raw("]");
  j.end();
  write_record(fd, out);
}

// {"definite":N,"indirect":N,"possible":N,"reachable":N}
void write_by_kind(JsonLine& j, const char* key, const uint64_t (&values)[kNumLeakKinds]) {
  j.key(key).raw("{");
  for (int k = 0; k < kNumLeakKinds; ++k)
    j.raw(k == 0 ? "\"" : ",\"").raw(leak_kind_name(static_cast<LeakKind>(k))).raw("\":").unsigned_number(values[k]);
  j.raw("}");
}

void optional_stack(JsonLine& j, const char* key, StackId id) {
  j.key(key);
  if (id != 0)
    j.unsigned_number(id);
  else
    j.null();
}

void write_error(int fd, WrittenSet& written, const ErrorRecord& r, uint64_t count) {
  write_stack(fd, written, r.found_stack);
  write_stack(fd, written, r.alloc_stack);
  write_stack(fd, written, r.free_stack);
  TextBuffer out(record_buffer(), kRecordCap);
  JsonLine j(out, rf::error::kType);
  j.key(rf::error::kKind).string(error_kind_name(r.kind)).key(rf::error::kCount).unsigned_number(count);
  j.key(rf::error::kApi).string(r.api).key(rf::error::kAddress);
  if (r.address != 0)
    j.hex(r.address);
  else
    j.null();  // a bad request: there is no address
  j.key(rf::error::kBlock);
  if (r.block_known)
    j.hex(r.block).key(rf::error::kSize).unsigned_number(r.block_size).key(rf::error::kOffset).number(r.offset);
  else
    j.null().key(rf::error::kSize).null().key(rf::error::kOffset).null();
  j.key(rf::error::kBadBytes).unsigned_number(r.bad_bytes);
  if (r.access != Access::kUnknown)  // optional: only when known
    j.key(rf::error::kAccess).string(r.access == Access::kRead ? rf::error::kAccessRead : rf::error::kAccessWrite);
  j.key(rf::error::kMessage).string(r.message);
  optional_stack(j, rf::error::kStack, r.found_stack);
  optional_stack(j, rf::error::kAllocStack, r.alloc_stack);
  optional_stack(j, rf::error::kFreeStack, r.free_stack);
  j.end();
  write_record(fd, out);
}

// The error sink: each distinct error goes to the journal when first found.
void journal_error(const ErrorRecord& r) {
  if (g_journal_fd < 0) return;
  modules_refresh();
  write_error(g_journal_fd, journal_written(), r, 1);
}

// A journal is in the way: either our own previous image's (exec) or a dead
// process's with the same pid. Returns false if it could not be moved.
bool settle_existing_journal() {
  char head[4096];
  int fd = open(g_journal_path, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = pread(fd, head, sizeof head - 1, 0);
  head[n > 0 ? n : 0] = '\0';
  // The number after the first `"name":` of the process record.
  auto field = [&](const char* name) -> uint64_t {
    InlineText<64> member;
    member.ch('"').str(name).str("\":").ch('\0');
    const char* p = strstr(head, member.data());
    uint64_t v = 0;
    if (p != nullptr)
      for (p += member.size() - 1; *p >= '0' && *p <= '9'; ++p) v = v * 10 + static_cast<uint64_t>(*p - '0');
    return v;
  };
  uint64_t start = field(rf::process::kStart);
  uint64_t gen = field(rf::process::kGen);
  const ProcessInfo& me = process_info();
  bool previous_image = start == me.start && field(rf::process::kPid) == static_cast<uint64_t>(me.pid);
  if (previous_image) {
    InlineText<512> end;
    JsonLine j(end, rf::end::kType);
    j.key(rf::end::kReason).string(rf::end::kReasonExec).key(rf::end::kExitCode).null();
    j.key(rf::end::kForcedExitCode).null().key(rf::end::kLeakCheck).boolean(false).key(rf::end::kErrors).null();
    j.key(rf::end::kLeakedBytes).null().key(rf::end::kLeakedBlocks).null().key(rf::end::kLeakKinds).null();
    j.end();
    os_write_all(fd, end.data(), end.size());
    g_gen = gen + 1;
  }
  close(fd);
  InlineText<4400> target;
  report_name(target, me.pid, start, gen, previous_image ? rf::kFinishedSuffix : rf::kIncompleteSuffix);
  return renameat2(AT_FDCWD, g_journal_path, AT_FDCWD, target.data(), RENAME_NOREPLACE) == 0;
}

void open_journal() {
  if (!enabled()) return;
  const ProcessInfo& me = process_info_refresh();
  InlineText<4352> path;
  path_in_dir(path, rf::kFilePrefix);
  path.dec(static_cast<uint64_t>(me.pid)).str(rf::kJournalSuffix).ch('\0');
  memcpy(g_journal_path, path.data(), path.size());
  constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC;
  int saved_errno = errno;
  mkdir(g_options.report_dir, 0700);  // a missing directory is created (one level, private)
  int fd = open(g_journal_path, kFlags, 0600);
  if (fd < 0 && errno == EEXIST && settle_existing_journal()) fd = open(g_journal_path, kFlags, 0600);
  if (fd < 0) {
    InlineText<4500> msg;
    msg.str("debugmalloc: cannot create the report file '")
        .str(g_journal_path)
        .str("': ")
        .str(strerror(errno))
        .ch('\n');
    msg.flush(2);
  }
  errno = saved_errno;
  g_journal_fd = fd;
  journal_written().clear();
  ScopedInternal internal;
  write_process(g_journal_fd);
}

}  // namespace

unsigned reported_leak_kinds() {
  const char* kinds = g_options.leak_kinds;
  if (kinds == nullptr) return 3;
  if (strcmp(kinds, "all") == 0) return 15;
  unsigned mask = 0;
  for (int k = 0; k < kNumLeakKinds; ++k) {
    const char* name = leak_kind_name(static_cast<LeakKind>(k));
    size_t n = strlen(name);
    for (const char* p = strstr(kinds, name); p != nullptr; p = strstr(p + 1, name)) {
      bool starts = p == kinds || p[-1] == ',';
      bool ends = p[n] == '\0' || p[n] == ',';
      if (starts && ends) mask |= 1u << k;
    }
  }
  return mask;
}

void report_start() {
  set_error_sink(journal_error);
  open_journal();
}

void report_after_fork_child() {
  if (g_journal_fd >= 0) close(g_journal_fd);  // the parent's
  g_journal_fd = -1;
  g_gen = 0;
  open_journal();
}

void write_report(int fd, size_t errors, ErrorSource error_at, const ExitFindings& findings) {
  static constinit char storage[sizeof(WrittenSet)] alignas(WrittenSet) = {};
  WrittenSet& written = *new (storage) WrittenSet();

  write_process(fd);
  for (size_t i = 0; i < errors; ++i) {
    ErrorRecord r = error_at(i);
    if (!r.suppressed) write_error(fd, written, r, r.count);
  }
  unsigned kinds = reported_leak_kinds();
  if (findings.leaks != nullptr) {
    for (const LeakGroup& g : const_cast<LeakResult*>(findings.leaks)->groups) {
      if (g.suppressed || (kinds & (1u << static_cast<int>(g.kind))) == 0) continue;
      write_stack(fd, written, g.stack);
      TextBuffer out(record_buffer(), kRecordCap);
      JsonLine j(out, rf::leak::kType);
      j.key(rf::leak::kKind).string(leak_kind_name(g.kind)).key(rf::leak::kBytes).unsigned_number(g.bytes);
      j.key(rf::leak::kBlocks).unsigned_number(g.blocks);
      optional_stack(j, rf::leak::kStack, g.stack);
      j.key(rf::leak::kIndirectBytes).unsigned_number(g.indirect_bytes);
      j.key(rf::leak::kIndirectBlocks).unsigned_number(g.indirect_blocks);
      j.end();
      write_record(fd, out);
    }
  }
  {
    TextBuffer out(record_buffer(), kRecordCap);
    JsonLine j(out, rf::suppressed::kType);
    j.key(rf::suppressed::kErrors).unsigned_number(suppressed_error_count());
    j.key(rf::suppressed::kLeakBlocks).unsigned_number(findings.suppressed_leak_blocks);
    j.key(rf::suppressed::kLeakBytes).unsigned_number(findings.suppressed_leak_bytes);
    j.end();
    write_record(fd, out);
  }
  {
    TextBuffer out(record_buffer(), kRecordCap);
    JsonLine j(out, rf::end::kType);
    j.key(rf::end::kReason).string(rf::end::kReasonExit).key(rf::end::kExitCode).number(findings.exit_code);
    j.key(rf::end::kForcedExitCode);
    if (findings.forced_exit_code >= 0)
      j.number(findings.forced_exit_code);
    else
      j.null();
    j.key(rf::end::kLeakCheck).boolean(findings.leaks != nullptr).key(rf::end::kErrors).unsigned_number(error_count());
    if (findings.leaks != nullptr) {
      // The same totals as the summary on log_path: suppressed groups only in the suppressed record.
      LeakTotals totals = unsuppressed_totals(*findings.leaks);
      write_by_kind(j, rf::end::kLeakedBytes, totals.bytes);
      write_by_kind(j, rf::end::kLeakedBlocks, totals.blocks);
      j.key(rf::end::kLeakKinds).raw("[");
      bool first = true;
      for (int k = 0; k < kNumLeakKinds; ++k) {
        if ((kinds & (1u << k)) == 0) continue;
        j.raw(first ? "\"" : ",\"").raw(leak_kind_name(static_cast<LeakKind>(k))).raw("\"");
        first = false;
      }
      j.raw("]");
    } else {
      j.key(rf::end::kLeakedBytes).null().key(rf::end::kLeakedBlocks).null().key(rf::end::kLeakKinds).null();
    }
    j.end();
    write_record(fd, out);
  }
  written.~WrittenSet();
}

void report_finish(const ExitFindings& findings) {
  if (g_journal_fd < 0) return;
  ScopedInternal internal;
  modules_refresh();
  const ProcessInfo& me = process_info();
  InlineText<4400> final_path, tmp_path;
  report_name(final_path, me.pid, me.start, g_gen, rf::kFinishedSuffix);
  report_name(tmp_path, me.pid, me.start, g_gen, rf::kFinishedSuffix, rf::kTemporarySuffix);
  unlink(tmp_path.data());
  int fd = open(tmp_path.data(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;  // the journal stays: an incomplete report rather than none
  write_report(
      fd, distinct_error_count(), [](size_t i) -> ErrorRecord { return distinct_error(i); }, findings);
  close(fd);
  if (renameat2(AT_FDCWD, tmp_path.data(), AT_FDCWD, final_path.data(), RENAME_NOREPLACE) != 0) {
    unlink(tmp_path.data());
    return;
  }
  close(g_journal_fd);
  g_journal_fd = -1;
  unlink(g_journal_path);
}

}  // namespace dm
