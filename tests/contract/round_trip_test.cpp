// The report contract's test (docs/report-format.md, common/): reports written by the
// library's report writer and read back by the tool's parser come back equal, field by
// field: every record type, every error kind, every leak kind. A name or the version
// drifting on one side fails it, and so does a member the writer spells outside the
// contract (the members of each record are checked against common/report_format.h).
//
// The tests read the writer's process-wide state (the report generation, the error
// table): each runs in its own process under ctest, and the journal test comes last.
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <map>
#include <cstdlib>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/kinds.h"
#include "common/report_format.h"
#include "core/allocator.h"
#include "findings/errors.h"
#include "findings/leaks.h"
#include "findings/report_writer.h"
#include "parse_error.h"
#include "report_parser.h"
#include "stacks/modules.h"
#include "stacks/stack_depot.h"
#include "stacks/symbolize.h"
#include "support/internal_arena.h"
#include "support/options.h"
#include "support/process_info.h"

// Functions whose addresses make the frames of the test's stacks: symbolized, in the
// test's own module.
namespace contract_frames {
__attribute__((noinline)) int allocate_record(int x) { return x * 3 + 1; }
__attribute__((noinline)) int release_record(int x) { return x * 5 + 2; }
}  // namespace contract_frames

namespace {

namespace rf = dm::report_format;
using dmtool::RawError;
using dmtool::RawFrame;
using dmtool::RawLeak;
using dmtool::ReportFile;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Parses with the tool's parser; a refusal fails the test with the parser's message.
ReportFile parse(const std::string& text, const std::string& name) {
  try {
    return dmtool::parseReport(text, name, dmtool::endRuleFor(name));
  } catch (const dmtool::InputError& e) {
    ADD_FAILURE() << "the tool refused what the library wrote: " << e.what() << "\n" << text;
    return {};
  }
}

std::set<std::string> keys_of(const nlohmann::json& object) {
  std::set<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.insert(it.key());
  return keys;
}

// Every record has exactly the members common/report_format.h names for its type, and
// the nested objects theirs: nothing the writer spells by itself, nothing missing.
void expect_contract_members(const std::string& text) {
  const std::map<std::string, std::set<std::string>> members = {
      {rf::process::kType,
       {rf::kTypeMember, rf::process::kFormat, rf::process::kVersion, rf::process::kPid, rf::process::kPpid,
        rf::process::kStart, rf::process::kGen, rf::process::kTime, rf::process::kExe, rf::process::kCwd,
        rf::process::kCommand, rf::process::kOptions}},
      {rf::module::kType,
       {rf::kTypeMember, rf::module::kId, rf::module::kPath, rf::module::kBase, rf::module::kEnd, rf::module::kBuildId,
        rf::module::kUnloaded}},
      {rf::stack::kType, {rf::kTypeMember, rf::stack::kId, rf::stack::kFrames}},
      {rf::error::kType,
       {rf::kTypeMember, rf::error::kKind, rf::error::kCount, rf::error::kApi, rf::error::kAddress, rf::error::kBlock,
        rf::error::kSize, rf::error::kOffset, rf::error::kBadBytes, rf::error::kMessage, rf::error::kStack,
        rf::error::kAllocStack, rf::error::kFreeStack}},
      {rf::leak::kType,
       {rf::kTypeMember, rf::leak::kKind, rf::leak::kBytes, rf::leak::kBlocks, rf::leak::kStack,
        rf::leak::kIndirectBytes, rf::leak::kIndirectBlocks}},
      {rf::suppressed::kType,
       {rf::kTypeMember, rf::suppressed::kErrors, rf::suppressed::kLeakBlocks, rf::suppressed::kLeakBytes}},
      {rf::end::kType,
       {rf::kTypeMember, rf::end::kReason, rf::end::kExitCode, rf::end::kForcedExitCode, rf::end::kLeakCheck,
        rf::end::kErrors, rf::end::kLeakedBytes, rf::end::kLeakedBlocks, rf::end::kLeakKinds}},
  };
  const std::set<std::string> frame_members = {rf::frame::kPc,       rf::frame::kModule, rf::frame::kOffset,
                                               rf::frame::kFunction, rf::frame::kFile,   rf::frame::kLine};
  std::set<std::string> leak_kind_names;
  for (const char* name : dm::kLeakKindNames) leak_kind_names.insert(name);

  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    SCOPED_TRACE("line " + std::to_string(number) + ": " + line);
    nlohmann::json record = nlohmann::json::parse(line);
    ASSERT_TRUE(record.is_object());
    ASSERT_TRUE(record.contains(rf::kTypeMember));
    std::string type = record[rf::kTypeMember];
    auto expected = members.find(type);
    ASSERT_NE(expected, members.end()) << "record type \"" << type << "\" is not in common/report_format.h";
    EXPECT_EQ(keys_of(record), expected->second);
    if (type == rf::stack::kType) {
      for (const nlohmann::json& frame : record[rf::stack::kFrames]) {
        EXPECT_EQ(keys_of(frame), frame_members);
      }
    }
    if (type == rf::end::kType) {
      for (const char* by_kind : {rf::end::kLeakedBytes, rf::end::kLeakedBlocks}) {
        if (!record[by_kind].is_null()) {
          EXPECT_EQ(keys_of(record[by_kind]), leak_kind_names);
        }
      }
      if (!record[rf::end::kLeakKinds].is_null()) {
        for (const nlohmann::json& kind : record[rf::end::kLeakKinds]) {
          EXPECT_TRUE(leak_kind_names.count(kind));
        }
      }
    }
  }
}

std::optional<std::string> known(const char* s) {
  if (s == nullptr || s[0] == '\0') return std::nullopt;
  return std::string(s);
}

// A frame as the writer knows it: its module (if any) and what symbolization found.
void expect_frame(const ReportFile& file, const RawFrame& got, uintptr_t pc) {
  EXPECT_EQ(got.pc, pc);
  dm::Module module;
  if (!dm::module_for(pc, &module)) {
    EXPECT_FALSE(got.module);
    EXPECT_FALSE(got.offset);
    EXPECT_FALSE(got.function);
    EXPECT_FALSE(got.file);
    EXPECT_FALSE(got.line);
    return;
  }
  ASSERT_TRUE(got.module);
  ASSERT_LT(*got.module, file.modules.size());
  const dmtool::RawModule& m = file.modules[*got.module];
  EXPECT_EQ(m.path, module.path);
  EXPECT_EQ(m.base, std::optional<std::uint64_t>(module.base));
  EXPECT_EQ(m.end, std::optional<std::uint64_t>(module.end));
  EXPECT_EQ(m.buildId, module.build_id);
  EXPECT_EQ(m.unloaded, module.unloaded);
  EXPECT_EQ(got.offset, std::optional<std::uint64_t>(pc - module.base));
  dm::FrameInfo f;
  if (!module.unloaded) {
    dm::ScopedInternal internal;
    dm::symbolize_frame(pc, dm::g_options.symbolize, &f);
  }
  EXPECT_EQ(got.function, known(f.function));
  EXPECT_EQ(got.file, known(f.file));
  EXPECT_EQ(got.line, f.line != 0 ? std::optional<std::int64_t>(f.line) : std::nullopt);
}

void expect_stack(const ReportFile& file, std::optional<dmtool::LocalId> got, dm::StackId id) {
  if (id == 0) {
    EXPECT_FALSE(got);
    return;
  }
  ASSERT_TRUE(got);
  ASSERT_LT(*got, file.stacks.size());
  uint32_t depth = 0;
  const uintptr_t* frames = dm::depot_get(id, &depth);
  ASSERT_NE(frames, nullptr);
  const std::vector<RawFrame>& parsed = file.stacks[*got].frames;
  ASSERT_EQ(parsed.size(), depth);
  for (uint32_t i = 0; i < depth; ++i) {
    SCOPED_TRACE("frame #" + std::to_string(i));
    expect_frame(file, parsed[i], frames[i]);
  }
}

void expect_error(const ReportFile& file, const RawError& got, const dm::ErrorRecord& want, uint64_t count) {
  SCOPED_TRACE(std::string("error ") + dm::error_kind_name(want.kind));
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.count, count);
  EXPECT_EQ(got.api, want.api != nullptr ? want.api : "");
  EXPECT_EQ(got.address, want.address != 0 ? std::optional<std::uint64_t>(want.address) : std::nullopt);
  if (want.block_known) {
    EXPECT_EQ(got.block, std::optional<std::uint64_t>(want.block));
    EXPECT_EQ(got.size, std::optional<std::uint64_t>(want.block_size));
    EXPECT_EQ(got.offset, std::optional<std::int64_t>(want.offset));
  } else {
    EXPECT_FALSE(got.block);
    EXPECT_FALSE(got.size);
    EXPECT_FALSE(got.offset);
  }
  EXPECT_EQ(got.badBytes, std::optional<std::uint64_t>(want.bad_bytes));
  EXPECT_EQ(got.message, want.message);
  expect_stack(file, got.stack, want.found_stack);
  expect_stack(file, got.allocStack, want.alloc_stack);
  expect_stack(file, got.freeStack, want.free_stack);
}

void expect_leak(const ReportFile& file, const RawLeak& got, const dm::LeakGroup& want) {
  SCOPED_TRACE(std::string("leak ") + dm::leak_kind_name(want.kind));
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.bytes, want.bytes);
  EXPECT_EQ(got.blocks, want.blocks);
  EXPECT_EQ(got.indirectBytes, want.indirect_bytes);
  EXPECT_EQ(got.indirectBlocks, want.indirect_blocks);
  expect_stack(file, got.stack, want.stack);
}

void expect_process(const dmtool::ProcessInfo& got, int64_t gen) {
  const dm::ProcessInfo& p = dm::process_info();
  EXPECT_EQ(got.pid, getpid());
  EXPECT_EQ(got.pid, p.pid);
  EXPECT_EQ(got.ppid, std::optional<std::int64_t>(p.ppid));
  EXPECT_EQ(got.start, std::optional<std::int64_t>(static_cast<int64_t>(p.start)));
  EXPECT_EQ(got.gen, std::optional<std::int64_t>(gen));
  // The header's time is stamped when the report is started; a later refresh of the process
  // information (the exec case) may have crossed a second since.
  ASSERT_TRUE(got.time.has_value());
  EXPECT_LE(std::abs(*got.time - p.time), 1);
  EXPECT_EQ(got.exe, p.exe);
  EXPECT_EQ(got.cwd, p.cwd);
  EXPECT_EQ(got.options, dm::g_options.report_dir != nullptr ? dm::options_text() : "");
  std::vector<std::string> command;
  for (size_t i = 0; i < p.argv_len; i += command.back().size() + 1) command.emplace_back(p.argv + i);
  EXPECT_EQ(got.command, command);
  EXPECT_FALSE(got.command.empty());
}

// The leak totals of the end record: the scan's, less the suppressed groups.
void expect_totals(const dmtool::EndInfo& end, const dm::LeakResult& leaks) {
  for (int k = 0; k < dm::kNumLeakKinds; ++k) {
    uint64_t bytes = leaks.bytes[k], blocks = leaks.blocks[k];
    for (const dm::LeakGroup& g : const_cast<dm::LeakResult&>(leaks).groups) {
      if (g.suppressed && static_cast<int>(g.kind) == k) {
        bytes -= g.bytes;
        blocks -= g.blocks;
      }
    }
    EXPECT_EQ(end.leakedBytes[k], std::optional<std::uint64_t>(bytes)) << dm::kLeakKindNames[k];
    EXPECT_EQ(end.leakedBlocks[k], std::optional<std::uint64_t>(blocks)) << dm::kLeakKindNames[k];
  }
}

// The errors write_report is given (it takes a plain function: no capture).
std::vector<dm::ErrorRecord> g_errors;
dm::ErrorRecord error_at(size_t index) { return g_errors[index]; }

class ReportContract : public testing::Test {
 protected:
  void SetUp() override {
    saved_ = dm::g_options;
    dm::g_options.leak_kinds = "all";
    dm::g_options.symbolize = true;
    dm::process_info_refresh();
    g_errors.clear();
  }
  void TearDown() override { dm::g_options = saved_; }

  // Stacks with frames in the test's module, in libc, and in no module at all.
  void make_stacks() {
    uintptr_t a = reinterpret_cast<uintptr_t>(&contract_frames::allocate_record) + 1;
    uintptr_t b = reinterpret_cast<uintptr_t>(&contract_frames::release_record) + 1;
    uintptr_t libc = reinterpret_cast<uintptr_t>(&::getppid) + 1;
    const uintptr_t first[] = {a, b, libc};
    const uintptr_t second[] = {b, 0x10, a};
    const uintptr_t third[] = {libc};
    stacks_[0] = dm::depot_put(first, 3);
    stacks_[1] = dm::depot_put(second, 3);
    stacks_[2] = dm::depot_put(third, 1);
    for (dm::StackId id : stacks_) ASSERT_NE(id, 0u);
    dm::ScopedInternal internal;
    dm::modules_refresh();
    dm::Module module;
    ASSERT_TRUE(dm::module_for(a, &module));  // the test's own module: it has frames to symbolize
    dm::FrameInfo f;
    dm::symbolize_frame(a, true, &f);
    EXPECT_NE(std::string(f.function).find("allocate_record"), std::string::npos) << f.function;
  }

  // One record of every error kind, their fields all different; the null cases (no
  // address, no block, no stack) and a negative offset among them.
  void make_errors() {
    static const char* const kApis[] = {"free()", "the heap check at exit",
                                        "operator delete[](void*, std::align_val_t)"};
    for (int k = 0; k < dm::kNumErrorKinds; ++k) {
      dm::ErrorRecord r;
      r.kind = static_cast<dm::ErrorKind>(k);
      r.api = kApis[k % 3];
      r.address = k % 4 == 3 ? 0 : 0x7f0000000a2d + 0x1000 * static_cast<uintptr_t>(k);
      r.block_known = k % 3 != 2;
      r.block = 0x7f0000000a20 + 0x1000 * static_cast<uintptr_t>(k);
      r.block_size = 13 + static_cast<size_t>(k);
      r.offset = k % 2 == 0 ? 13 + k : -16 - k;
      r.bad_bytes = static_cast<size_t>(k) * 7;
      r.found_stack = k % 5 == 4 ? 0 : stacks_[k % 3];
      r.alloc_stack = k % 4 == 1 ? 0 : stacks_[(k + 1) % 3];
      r.free_stack = k % 2 == 0 ? 0 : stacks_[(k + 2) % 3];
      r.count = 100 + static_cast<uint64_t>(k);
      snprintf(r.message, sizeof r.message, "%s #%d: \"quoted\", back\\slash, tab\t, newline\n, caf\xc3\xa9",
               dm::error_kind_name(r.kind), k);
      g_errors.push_back(r);
    }
    dm::ErrorRecord hidden = g_errors[0];
    hidden.suppressed = true;  // never written
    g_errors.push_back(hidden);
  }

  // One group of every leak kind (a definite one with its indirect blocks), and a
  // suppressed group that must not be written but must leave the totals.
  void make_leaks(dm::LeakResult* leaks) {
    for (int k = 0; k < dm::kNumLeakKinds; ++k) {
      dm::LeakGroup g{};
      g.kind = static_cast<dm::LeakKind>(k);
      g.stack = k == 3 ? 0 : stacks_[k % 3];
      g.bytes = 1000 + 10 * static_cast<uint64_t>(k);
      g.blocks = 10 + static_cast<uint64_t>(k);
      g.indirect_bytes = k == 0 ? 4096 : 0;
      g.indirect_blocks = k == 0 ? 37 : 0;
      ASSERT_TRUE(leaks->groups.push_back(g));
      leaks->bytes[k] = g.bytes + 500;
      leaks->blocks[k] = g.blocks + 5;
    }
    dm::LeakGroup hidden{};
    hidden.kind = dm::LeakKind::kPossible;
    hidden.stack = stacks_[2];
    hidden.bytes = 300;
    hidden.blocks = 3;
    hidden.suppressed = true;
    ASSERT_TRUE(leaks->groups.push_back(hidden));
    leaks->bytes[2] += hidden.bytes;
    leaks->blocks[2] += hidden.blocks;
  }

  // write_report into a temporary file: the file's text.
  std::string write(const dm::ExitFindings& findings) {
    char path[] = "/tmp/dm-contract-XXXXXX";
    int fd = mkstemp(path);
    EXPECT_GE(fd, 0);
    {
      dm::ScopedInternal internal;
      dm::modules_refresh();
      dm::write_report(fd, g_errors.size(), error_at, findings);
    }
    close(fd);
    std::string text = read_text(path);
    unlink(path);
    return text;
  }

  dm::StackId stacks_[3] = {};

 private:
  dm::Options saved_;
};

TEST_F(ReportContract, EveryRecordEveryErrorKindEveryLeakKind) {
  ASSERT_NO_FATAL_FAILURE(make_stacks());
  make_errors();
  dm::LeakResult leaks;
  ASSERT_NO_FATAL_FAILURE(make_leaks(&leaks));
  dm::ExitFindings findings;
  findings.leaks = &leaks;
  findings.suppressed_leak_blocks = 3;
  findings.suppressed_leak_bytes = 300;
  findings.exit_code = 7;
  findings.forced_exit_code = 23;
  std::string text = write(findings);
  expect_contract_members(text);
  ReportFile file = parse(text, "debugmalloc-1-2-0.report");

  expect_process(file.process, 0);
  // Every module record is one a frame refers to, and every stack record one a finding does.
  EXPECT_GE(file.modules.size(), 2u);  // the test's module and libc
  EXPECT_EQ(file.stacks.size(), 3u);

  ASSERT_EQ(file.errors.size(), static_cast<size_t>(dm::kNumErrorKinds));
  for (int k = 0; k < dm::kNumErrorKinds; ++k) {
    expect_error(file, file.errors[k], g_errors[k], g_errors[k].count);
    EXPECT_STREQ(dm::error_kind_name(file.errors[k].kind), dm::kErrorKindNames[k]);
  }

  std::vector<dm::LeakGroup> written;
  for (const dm::LeakGroup& g : leaks.groups)
    if (!g.suppressed) written.push_back(g);
  ASSERT_EQ(file.leaks.size(), static_cast<size_t>(dm::kNumLeakKinds));
  for (size_t i = 0; i < written.size(); ++i) expect_leak(file, file.leaks[i], written[i]);

  EXPECT_EQ(file.suppressed.errors, dm::suppressed_error_count());
  EXPECT_EQ(file.suppressed.leakBlocks, 3u);
  EXPECT_EQ(file.suppressed.leakBytes, 300u);

  ASSERT_TRUE(file.end);
  EXPECT_EQ(file.end->reason, rf::end::kReasonExit);
  EXPECT_EQ(file.end->exitCode, std::optional<std::int64_t>(7));
  EXPECT_EQ(file.end->forcedExitCode, std::optional<std::int64_t>(23));
  EXPECT_TRUE(file.end->leakCheck);
  EXPECT_EQ(file.end->errors, dm::error_count());
  expect_totals(*file.end, leaks);
  EXPECT_EQ(file.end->listed, (std::array<bool, dm::kNumLeakKinds>{true, true, true, true}));
  EXPECT_FALSE(file.incomplete());
  EXPECT_FALSE(file.truncatedTail);
}

// Only the groups of the kinds leak_kinds names are written and listed; the totals of
// every kind are there all the same.
TEST_F(ReportContract, LeakKindsListOnlyTheChosenKinds) {
  ASSERT_NO_FATAL_FAILURE(make_stacks());
  dm::g_options.leak_kinds = "possible,definite";
  dm::LeakResult leaks;
  ASSERT_NO_FATAL_FAILURE(make_leaks(&leaks));
  dm::ExitFindings findings;
  findings.leaks = &leaks;
  std::string text = write(findings);
  expect_contract_members(text);
  ReportFile file = parse(text, "debugmalloc-1-2-0.report");

  ASSERT_EQ(file.leaks.size(), 2u);
  expect_leak(file, file.leaks[0], leaks.groups[0]);  // definite
  expect_leak(file, file.leaks[1], leaks.groups[2]);  // possible
  ASSERT_TRUE(file.end);
  EXPECT_EQ(file.end->listed, (std::array<bool, dm::kNumLeakKinds>{true, false, true, false}));
  expect_totals(*file.end, leaks);
  EXPECT_EQ(file.end->forcedExitCode, std::nullopt);
}

// No leak check: the totals and the listed kinds are null, and read as unknown.
TEST_F(ReportContract, NoLeakCheckIsNullNotZero) {
  dm::ExitFindings findings;
  findings.exit_code = 0;
  std::string text = write(findings);
  expect_contract_members(text);
  ReportFile file = parse(text, "debugmalloc-1-2-0.report");
  expect_process(file.process, 0);
  EXPECT_TRUE(file.errors.empty());
  EXPECT_TRUE(file.leaks.empty());
  ASSERT_TRUE(file.end);
  EXPECT_FALSE(file.end->leakCheck);
  EXPECT_EQ(file.end->exitCode, std::optional<std::int64_t>(0));
  for (int k = 0; k < dm::kNumLeakKinds; ++k) {
    EXPECT_FALSE(file.end->leakedBytes[k]);
    EXPECT_FALSE(file.end->leakedBlocks[k]);
  }
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') names.emplace_back(e->d_name);
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The files' life (docs/report-format.md): a journal with the error appended as it is
// found; an exec ends it with an `end` record whose reason is exec and renames it to its
// `.report` name; the next image's journal becomes, at exit, the finished report.
TEST_F(ReportContract, JournalThenExecThenFinishedReport) {
  char dir_template[] = "/tmp/dm-contract-dir-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  dm::g_options.report_dir = dir_template;
  const dm::ProcessInfo& me = dm::process_info_refresh();
  std::string stem = dir + "/" + rf::kFilePrefix + std::to_string(me.pid);
  std::string image = stem + "-" + std::to_string(me.start) + "-";

  dm::report_start();
  void* p = dm::allocate(24, 0, dm::AllocOrigin::kMalloc, DM_CALLER_FRAME());
  ASSERT_NE(p, nullptr);
  const dm::Dealloc how{dm::AllocOrigin::kMalloc, "free()", dm::kUnsized, 0, DM_CALLER_FRAME()};
  dm::deallocate(p, how);
  dm::deallocate(p, how);  // the double free: journaled at once
  ASSERT_EQ(dm::distinct_error_count(), 1u);
  const dm::ErrorRecord& error = dm::distinct_error(0);
  ASSERT_EQ(error.kind, dm::ErrorKind::kDoubleFree);

  std::string journal_name = stem + rf::kJournalSuffix;
  std::string journal = read_text(journal_name);
  expect_contract_members(journal);
  ReportFile running = parse(journal, journal_name);
  expect_process(running.process, 0);
  ASSERT_EQ(running.errors.size(), 1u);
  expect_error(running, running.errors[0], error, 1);
  EXPECT_TRUE(running.incomplete());

  dm::report_start();  // as after exec: the journal of the previous image is in the way
  std::string exec_name = image + "0" + rf::kFinishedSuffix;
  std::string exec_text = read_text(exec_name);
  expect_contract_members(exec_text);
  ReportFile before_exec = parse(exec_text, exec_name);
  expect_process(before_exec.process, 0);
  ASSERT_EQ(before_exec.errors.size(), 1u);
  ASSERT_TRUE(before_exec.end);
  EXPECT_EQ(before_exec.end->reason, rf::end::kReasonExec);
  EXPECT_FALSE(before_exec.end->exitCode);
  EXPECT_FALSE(before_exec.end->forcedExitCode);
  EXPECT_FALSE(before_exec.end->leakCheck);
  EXPECT_FALSE(before_exec.end->leakedBytes[0]);

  dm::ExitFindings findings;
  findings.exit_code = 3;
  dm::report_finish(findings);
  std::string final_name = image + "1" + rf::kFinishedSuffix;
  std::string final_text = read_text(final_name);
  expect_contract_members(final_text);
  ReportFile finished = parse(final_text, final_name);
  expect_process(finished.process, 1);
  ASSERT_EQ(finished.errors.size(), 1u);
  expect_error(finished, finished.errors[0], error, error.count);
  ASSERT_TRUE(finished.end);
  EXPECT_EQ(finished.end->reason, rf::end::kReasonExit);
  EXPECT_EQ(finished.end->exitCode, std::optional<std::int64_t>(3));
  EXPECT_EQ(finished.end->errors, dm::error_count());

  // The journal is gone; each image's report is a name the tool reads.
  std::vector<std::string> names = files_in(dir);
  ASSERT_EQ(names.size(), 2u);
  for (const std::string& name : names) {
    EXPECT_EQ(dmtool::endRuleFor(name), dmtool::EndRule::Required) << name;
    unlink((dir + "/" + name).c_str());
  }
  rmdir(dir.c_str());
}

}  // namespace
