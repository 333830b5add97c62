// The frame that names a stack in the library's own text (the SUMMARY line of each error and
// leak group): common/alloc_fns.h's rule with the alloc_fns option, so that the library names a
// finding after the same frame as the tool.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/alloc_fns.h"
#include "common/suppression_rule.h"
#include "stacks/stack_depot.h"
#include "stacks/symbolize.h"
#include "support/text_buffer.h"

namespace dm {

// A symbolized frame as the shared rules (common/) read it.
FrameText frame_text_of(const FrameInfo& f);

// The index of the frame that names a stack of `count` frames, `info_at(i)` giving frame i
// symbolized, with the wrappers of `alloc_fns` (the option's syntax, nullptr for none) added to
// the built-ins; 0 when every frame is the runtime's. append_site_name names stacks with it.
template <typename InfoAt>
size_t naming_frame_index(size_t count, InfoAt&& info_at, const char* alloc_fns) {
  const char* list = alloc_fns != nullptr ? alloc_fns : "";
  size_t list_length = 0;
  while (list[list_length] != '\0') ++list_length;
  size_t found = naming_frame(
      count, [&](size_t i) { return frame_text_of(info_at(i)); }, list, list_length);
  return found == kNoNamingFrame ? 0 : found;
}

// Appends "FUNCTION (FILE:LINE)" for the frame that names stack `id` (MODULE+0xOFFSET when it
// has no name); false, and nothing appended, when the stack is empty or unknown. Symbolizes:
// the caller runs under ScopedInternal.
bool append_site_name(TextBuffer& out, StackId id);

}  // namespace dm
