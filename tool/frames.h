// What a frame is, compared across files and runs, and which frames are the user's own code.
#pragma once

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

// The key of a stack's top `depth` frames (0 = all), frames separated by '\n'.
std::string stackKey(const Model& model, const std::vector<FrameId>& stack, unsigned depth);

// True for frames in the allocator's entry points, the C and C++ runtimes, the dynamic
// loader, and inline code from the system's headers: not where a person looks for a bug.
bool isRuntimeFrame(const Model& model, FrameId id);

// The first frame of `stack` that is the program's own code, if any.
std::optional<std::size_t> topUserFrame(const Model& model, const std::vector<FrameId>& stack);

// "0x1a2b"
std::string hexString(std::uint64_t value);

}  // namespace dmtool
