// DWARF call frame information (.eh_frame) for one return address, reduced to
// what unwinding x86-64 code needs: how to find the caller's stack pointer
// (the CFA), its return address (at CFA - 8), and its frame pointer.
// Reads only the process's own mapped .eh_frame_hdr/.eh_frame; never allocates.
#pragma once

#include <cstdint>

namespace dm {

struct UnwindRule {
  enum Kind : uint8_t {
    kNone = 0,       // no usable information: fall back to the general unwinder
    kFrame = 1,      // CFA = (rbp or rsp) + offset; RA at CFA - 8
    kOutermost = 2,  // the return address is undefined: the stack ends here
  };
  uint8_t kind = kNone;
  bool cfa_from_rbp = false;  // else from rsp
  bool rbp_saved = false;     // the caller's rbp is at CFA + rbp_offset (else unchanged)
  int32_t cfa_offset = 0;
  int32_t rbp_offset = 0;
};

// The rule for the frame whose return address is `return_address`, given the
// module's .eh_frame_hdr (PT_GNU_EH_FRAME). The call site (return_address - 1)
// is what is looked up.
UnwindRule rule_for(uintptr_t return_address, uintptr_t eh_frame_hdr);

}  // namespace dm
