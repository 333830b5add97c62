// What a frame is, compared across files and runs, and which frame names a stack.
#pragma once

#include "common/suppression_rule.h"
#include "model.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dmtool {

// The last component of a path ("" stays "").
std::string_view baseName(std::string_view path);

// A key that is equal for the same code location in two files or two runs: function, source
// file name and line when symbolized, else module file name and offset (never the pc, which
// ASLR changes). File and module are compared by name without directory, so a baseline made
// in another checkout or build directory still matches.
std::string frameKey(const Model& model, FrameId id);

// The same key from loose values (a frame of a JSON baseline); "" and 0 mean unknown.
std::string frameKeyFrom(std::string_view function, std::string_view file, std::uint32_t line, std::string_view module,
                         std::optional<std::uint64_t> offset, std::uint64_t pc);

// The key of a stack for grouping: from its naming frame (topUserFrame; the first frame when
// there is none) down, `depth` frames of it (0 = all), frames separated by '\n'. The runtime's
// and the allocation wrappers' frames above the naming frame are not part of it, so that one
// call site reached through two wrappers is one group.
std::string stackKey(const Model& model, const std::vector<FrameId>& stack, unsigned depth);

// The same key from loose frames (a JSON baseline's): function, file and module of each, for
// the naming rule; `keys` the frame keys (frameKeyFrom); `allocFns` a wrapper list.
std::string stackKeyFrom(const std::vector<dm::FrameText>& frames, const std::vector<std::string>& keys,
                         const std::string& allocFns, unsigned depth);

// What common/alloc_fns.h matches of a frame: its function, source file and module path.
dm::FrameText frameFields(const Model& model, FrameId id);

// True for frames in the allocator's entry points, the C and C++ runtimes, the dynamic
// loader, and inline code from the system's headers: not where a person looks for a bug.
bool isRuntimeFrame(const Model& model, FrameId id);

// The frame that names `stack` (common/alloc_fns.h): the first that is neither the runtime's nor
// an allocation wrapper of model.allocFns, or when all of them are, the first that is not the
// runtime's; nullopt when every frame is the runtime's. Renderers take the finding's headline,
// source snippet and location from it and dim the frames above it.
std::optional<std::size_t> topUserFrame(const Model& model, const std::vector<FrameId>& stack);

// The wrapper list in effect for a report (model.allocFns): the globs of the command line's
// `--alloc-fns` and of each process's own `alloc_fns` option (its report's process record). The
// built-ins are on unless `--alloc-fns` holds "-", or it is empty and every process ran with "-".
std::string effectiveAllocFns(const std::string& commandLine, const std::vector<ReportFile>& reports);

// "0x1a2b"
std::string hexString(std::uint64_t value);

}  // namespace dmtool
