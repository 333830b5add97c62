// The merged picture of every report read: modules, frames and stacks interned by content,
// processes, and the error and leak records that refer to them by typed ids.
#pragma once

#include "common/kinds.h"
#include "report_file.h"
#include "string_pool.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace dmtool {

struct ModuleId {
  std::uint32_t value;
  friend bool operator==(ModuleId, ModuleId) = default;
};
struct FrameId {
  std::uint32_t value;
  friend bool operator==(FrameId, FrameId) = default;
};
struct StackId {
  std::uint32_t value;
  friend bool operator==(StackId, StackId) = default;
};
struct ProcessId {
  std::uint32_t value;
};

struct Module {
  StringId path;
  StringId buildId;  // lowercase hex; null when the library did not know it
};

// One distinct code location. Frames in a module are identified by (module, offset),
// which does not change between runs (unlike the pc under ASLR); the symbol members are
// what the library wrote, completed by the offline symbolizer.
struct Frame {
  std::optional<ModuleId> module;
  std::optional<std::uint64_t> offset;
  std::uint64_t pc = 0;  // the first one seen; only shown, never compared
  StringId function, file;
  std::uint32_t line = 0;  // 0 = unknown
};

struct Process {
  std::int64_t pid = 0;
  std::optional<std::int64_t> ppid, start, gen;
  std::string command;  // the command line joined into one string
  std::string reportFile, exe, cwd;
  bool incomplete = false;  // no `end` record: the process died before finishing its report
  std::optional<std::int64_t> exitCode, forcedExitCode;
  bool leakCheck = false;  // it checked leaks at exit
  // As in its `end` record: the kinds it has leak records of, and its totals by kind.
  std::array<bool, dm::kNumLeakKinds> leakKindsListed{true, true, true, true};
  std::array<std::optional<std::uint64_t>, dm::kNumLeakKinds> leakedBytes{}, leakedBlocks{};
};

struct ErrorEvent {
  ErrorKind kind{};
  Access access = Access::Unknown;
  std::uint64_t count = 1;
  ProcessId process{};
  StringId message, api;
  std::optional<std::uint64_t> size;
  std::optional<std::int64_t> offset;
  std::optional<StackId> stack, allocStack, freeStack;
};

struct LeakEvent {
  LeakKind kind{};
  std::uint64_t bytes = 0, blocks = 0, indirectBytes = 0, indirectBlocks = 0;
  ProcessId process{};
  std::optional<StackId> stack;
};

class Model {
 public:
  // Adds one parsed report; records are remapped from its local ids to the model's.
  void add(const ReportFile& report);

  StringPool strings;
  std::vector<Module> modules;
  std::vector<Frame> frames;
  std::vector<std::vector<FrameId>> stacks;
  std::vector<Process> processes;
  std::vector<ErrorEvent> errors;
  std::vector<LeakEvent> leaks;
  SuppressedCounts librarySuppressed;  // what the library left out itself
  std::string allocFns;                // allocation wrappers, a common/alloc_fns.h list (effectiveAllocFns)

  const Module& module(ModuleId id) const { return modules[id.value]; }
  const Frame& frame(FrameId id) const { return frames[id.value]; }
  const std::vector<FrameId>& stack(StackId id) const { return stacks[id.value]; }
  const std::string& str(StringId id) const { return strings[id]; }

 private:
  struct FrameKey {
    std::uint32_t module;  // ~0u when the frame is in no known module
    std::uint64_t where;   // offset in the module, else the pc
    StringId function, file;
    std::uint32_t line;
    bool operator==(const FrameKey&) const = default;
  };
  struct FrameKeyHash {
    std::size_t operator()(const FrameKey& k) const noexcept;
  };
  struct StackHash {
    std::size_t operator()(const std::vector<FrameId>& s) const noexcept;
  };
  struct FrameIdEq {
    bool operator()(const std::vector<FrameId>& a, const std::vector<FrameId>& b) const { return a == b; }
  };

  ModuleId internModule(const RawModule& m);
  FrameId internFrame(const RawFrame& f, const std::vector<ModuleId>& moduleIds);
  StackId internStack(std::vector<FrameId>&& frames);

  std::unordered_map<std::uint64_t, ModuleId> moduleIndex_;  // (path, build-id) ids packed
  std::unordered_map<FrameKey, FrameId, FrameKeyHash> frameIndex_;
  std::unordered_map<std::vector<FrameId>, StackId, StackHash, FrameIdEq> stackIndex_;
};

// The command line as one string: arguments joined by spaces, quoted only when needed.
std::string joinCommand(const std::vector<std::string>& argv);

}  // namespace dmtool
