// One report file as read from disk (docs/report-format.md), before merging: ids are per file.
#pragma once

#include "common/kinds.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dmtool {

// The kinds are the contract's (common/kinds.h): the very types the library writes.
using dm::ErrorKind;
using dm::LeakKind;

// Records keep the file-local ids of the modules and stacks they refer to;
// the merge step (merge.h) maps them to global, content-based ids.
using LocalId = std::uint32_t;

struct RawFrame {
  std::uint64_t pc = 0;
  std::optional<LocalId> module;  // index into ReportFile::modules, resolved at parse time
  std::optional<std::uint64_t> offset;
  std::optional<std::string> function;
  std::optional<std::string> file;
  std::optional<std::int64_t> line;
};

struct RawModule {
  std::string path;
  std::optional<std::uint64_t> base, end;
  std::string buildId;  // lowercase hex, empty when unknown
  bool unloaded = false;
};

struct RawStack {
  std::vector<RawFrame> frames;
};

// How the program touched the memory of an error (the optional `access` member).
enum class Access : std::uint8_t { Unknown, Read, Write };
// "read", "write", or nullptr when unknown.
inline const char* accessName(Access a) {
  return a == Access::Read ? "read" : a == Access::Write ? "write" : nullptr;
}

struct RawError {
  ErrorKind kind{};
  std::uint64_t count = 1;
  Access access = Access::Unknown;
  std::string api;
  std::optional<std::uint64_t> address, block, size, badBytes;
  std::optional<std::int64_t> offset;
  std::string message;
  // Indices into ReportFile::stacks.
  std::optional<LocalId> stack, allocStack, freeStack;
};

struct RawLeak {
  LeakKind kind{};
  std::uint64_t bytes = 0, blocks = 0;
  std::optional<LocalId> stack;
  std::uint64_t indirectBytes = 0, indirectBlocks = 0;
};

struct ProcessInfo {
  std::int64_t pid = 0;
  std::optional<std::int64_t> ppid, start, gen, time;
  std::string exe, cwd, options;
  std::vector<std::string> command;
};

struct EndInfo {
  std::string reason;  // "exit" or "exec"
  std::optional<std::int64_t> exitCode, forcedExitCode;
  bool leakCheck = false;
  std::uint64_t errors = 0;
  // The library's totals by leak kind, suppressed groups left out; nullopt when not written.
  std::array<std::optional<std::uint64_t>, dm::kNumLeakKinds> leakedBytes{}, leakedBlocks{};
  // The kinds whose groups have `leak` records (the library's leak_kinds option). A file
  // written before the member existed has records of every kind it found.
  std::array<bool, dm::kNumLeakKinds> listed{true, true, true, true};
};

struct SuppressedCounts {
  std::uint64_t errors = 0, leakBlocks = 0, leakBytes = 0;
  SuppressedCounts& operator+=(const SuppressedCounts& o) {
    errors += o.errors;
    leakBlocks += o.leakBlocks;
    leakBytes += o.leakBytes;
    return *this;
  }
};

struct ReportFile {
  std::string path;
  ProcessInfo process;
  std::vector<RawModule> modules;  // in file order; frames refer to them by index
  std::vector<RawStack> stacks;    // in file order; records refer to them by index
  std::vector<RawError> errors;
  std::vector<RawLeak> leaks;
  SuppressedCounts suppressed;
  std::optional<EndInfo> end;  // absent: the process died before finishing (a journal)
  bool truncatedTail = false;  // a journal's last line was cut short and ignored

  bool incomplete() const { return !end.has_value(); }
};

}  // namespace dmtool
