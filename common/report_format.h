// The report file's names (docs/report-format.md), shared by the library that writes
// it and the tool that reads it: the format version, the file names, every record
// type and every member name. Neither side spells one of these any other way.
// No STL and no allocation: this header is compiled into the preloaded library.
#pragma once

namespace dm::report_format {

// The `format` and `version` of the `process` record. A reader refuses a greater version.
inline constexpr char kFormatName[] = "debugmalloc-report";
inline constexpr int kVersion = 1;

// Files in report_dir: "debugmalloc-<pid>.journal" while the process runs, then
// "debugmalloc-<pid>-<start>-<gen>" with one of the other suffixes.
inline constexpr char kFilePrefix[] = "debugmalloc-";
inline constexpr char kJournalSuffix[] = ".journal";
inline constexpr char kFinishedSuffix[] = ".report";
inline constexpr char kIncompleteSuffix[] = ".incomplete";
inline constexpr char kTemporarySuffix[] = ".tmp";  // appended to the finished name while it is written

// Every record is one JSON object whose member `t` names its type.
inline constexpr char kTypeMember[] = "t";

// One namespace per record type: its `t` value (kType) and its members.
namespace process {
inline constexpr char kType[] = "process";
inline constexpr char kFormat[] = "format";
inline constexpr char kVersion[] = "version";
inline constexpr char kPid[] = "pid";
inline constexpr char kPpid[] = "ppid";
inline constexpr char kStart[] = "start";
inline constexpr char kGen[] = "gen";
inline constexpr char kTime[] = "time";
inline constexpr char kExe[] = "exe";
inline constexpr char kCwd[] = "cwd";
inline constexpr char kCommand[] = "command";
inline constexpr char kOptions[] = "options";
}  // namespace process

namespace module {
inline constexpr char kType[] = "module";
inline constexpr char kId[] = "id";
inline constexpr char kPath[] = "path";
inline constexpr char kBase[] = "base";
inline constexpr char kEnd[] = "end";
inline constexpr char kBuildId[] = "build_id";
inline constexpr char kUnloaded[] = "unloaded";
}  // namespace module

namespace stack {
inline constexpr char kType[] = "stack";
inline constexpr char kId[] = "id";
inline constexpr char kFrames[] = "frames";
}  // namespace stack

// The objects of a stack's `frames` array (no `t` member).
namespace frame {
inline constexpr char kPc[] = "pc";
inline constexpr char kModule[] = "module";
inline constexpr char kOffset[] = "offset";
inline constexpr char kFunction[] = "function";
inline constexpr char kFile[] = "file";
inline constexpr char kLine[] = "line";
}  // namespace frame

namespace error {
inline constexpr char kType[] = "error";
inline constexpr char kKind[] = "kind";  // an error kind name (common/kinds.h)
inline constexpr char kCount[] = "count";
inline constexpr char kApi[] = "api";
inline constexpr char kAddress[] = "address";
inline constexpr char kBlock[] = "block";
inline constexpr char kSize[] = "size";
inline constexpr char kOffset[] = "offset";
inline constexpr char kBadBytes[] = "bad_bytes";
// Optional: how the program touched the memory, when known (libc range checks, faults).
inline constexpr char kAccess[] = "access";
inline constexpr char kAccessRead[] = "read";  // values of `access`
inline constexpr char kAccessWrite[] = "write";
inline constexpr char kMessage[] = "message";
inline constexpr char kStack[] = "stack";
inline constexpr char kAllocStack[] = "alloc_stack";
inline constexpr char kFreeStack[] = "free_stack";
}  // namespace error

namespace leak {
inline constexpr char kType[] = "leak";
inline constexpr char kKind[] = "kind";  // a leak kind name (common/kinds.h)
inline constexpr char kBytes[] = "bytes";
inline constexpr char kBlocks[] = "blocks";
inline constexpr char kStack[] = "stack";
inline constexpr char kIndirectBytes[] = "indirect_bytes";
inline constexpr char kIndirectBlocks[] = "indirect_blocks";
}  // namespace leak

namespace suppressed {
inline constexpr char kType[] = "suppressed";
inline constexpr char kErrors[] = "errors";
inline constexpr char kLeakBlocks[] = "leak_blocks";
inline constexpr char kLeakBytes[] = "leak_bytes";
}  // namespace suppressed

namespace end {
inline constexpr char kType[] = "end";
inline constexpr char kReason[] = "reason";
inline constexpr char kReasonExit[] = "exit";  // values of `reason`
inline constexpr char kReasonExec[] = "exec";
inline constexpr char kExitCode[] = "exit_code";
inline constexpr char kForcedExitCode[] = "forced_exit_code";
inline constexpr char kLeakCheck[] = "leak_check";
inline constexpr char kErrors[] = "errors";
// Objects with one member per leak kind name (common/kinds.h), in the kinds' order.
inline constexpr char kLeakedBytes[] = "leaked_bytes";
inline constexpr char kLeakedBlocks[] = "leaked_blocks";
inline constexpr char kLeakKinds[] = "leak_kinds";  // an array of leak kind names
}  // namespace end

}  // namespace dm::report_format
