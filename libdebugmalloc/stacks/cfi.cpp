// .eh_frame_hdr search, CIE/FDE parsing and CFA program evaluation.
#include "stacks/cfi.h"

#include <cstring>

namespace dm {

namespace {

// DWARF pointer encodings (DW_EH_PE_*).
enum : uint8_t {
  kPeAbsptr = 0x00,
  kPeUleb128 = 0x01,
  kPeUdata2 = 0x02,
  kPeUdata4 = 0x03,
  kPeUdata8 = 0x04,
  kPeSleb128 = 0x09,
  kPeSdata2 = 0x0a,
  kPeSdata4 = 0x0b,
  kPeSdata8 = 0x0c,
  kPePcrel = 0x10,
  kPeDatarel = 0x30,
  kPeIndirect = 0x80,
  kPeOmit = 0xff,
};

// x86-64 DWARF register numbers.
constexpr uint64_t kRegRbp = 6, kRegRsp = 7, kRegRa = 16;

class Reader {
 public:
  Reader(uintptr_t p, uintptr_t end) : p_(p), end_(end) {}
  bool ok() const { return ok_; }
  uintptr_t pos() const { return p_; }
  bool at_end() const { return p_ >= end_; }
  void skip(uintptr_t n) {
    if (n > end_ - p_) ok_ = false, n = end_ - p_;
    p_ += n;
  }
  template <typename T>
  T fixed() {
    T v{};
    if (sizeof(T) > end_ - p_) {
      ok_ = false;
      return v;
    }
    memcpy(&v, reinterpret_cast<const void*>(p_), sizeof(T));
    p_ += sizeof(T);
    return v;
  }
  uint64_t uleb() {
    uint64_t v = 0;
    for (int shift = 0; ok_; shift += 7) {
      uint8_t b = fixed<uint8_t>();
      if (shift < 64) v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) break;
    }
    return v;
  }
  int64_t sleb() {
    int64_t v = 0;
    int shift = 0;
    uint8_t b = 0;
    do {
      b = fixed<uint8_t>();
      if (shift < 64) v |= static_cast<int64_t>(b & 0x7f) << shift;
      shift += 7;
    } while ((b & 0x80) != 0 && ok_);
    if (shift < 64 && (b & 0x40) != 0) v |= -(int64_t{1} << shift);
    return v;
  }
  // An encoded pointer; `data_base` is the base for datarel encodings.
  uintptr_t pointer(uint8_t encoding, uintptr_t data_base = 0) {
    if (encoding == kPeOmit) return 0;
    uintptr_t here = p_;
    uintptr_t v = 0;
    switch (encoding & 0x0f) {
      case kPeAbsptr:
        v = fixed<uint64_t>();
        break;
      case kPeUleb128:
        v = uleb();
        break;
      case kPeUdata2:
        v = fixed<uint16_t>();
        break;
      case kPeUdata4:
        v = fixed<uint32_t>();
        break;
      case kPeUdata8:
        v = fixed<uint64_t>();
        break;
      case kPeSleb128:
        v = static_cast<uintptr_t>(sleb());
        break;
      case kPeSdata2:
        v = static_cast<uintptr_t>(static_cast<int64_t>(fixed<int16_t>()));
        break;
      case kPeSdata4:
        v = static_cast<uintptr_t>(static_cast<int64_t>(fixed<int32_t>()));
        break;
      case kPeSdata8:
        v = static_cast<uintptr_t>(fixed<int64_t>());
        break;
      default:
        ok_ = false;
        return 0;
    }
    switch (encoding & 0x70) {
      case 0:
        break;
      case kPePcrel:
        v += here;
        break;
      case kPeDatarel:
        v += data_base;
        break;
      default:
        ok_ = false;
        return 0;
    }
    if ((encoding & kPeIndirect) != 0) v = *reinterpret_cast<const uintptr_t*>(v);
    return v;
  }

 private:
  uintptr_t p_, end_;
  bool ok_ = true;
};

// What a frame's CFA program says at one location.
struct RegState {
  uint64_t cfa_reg = kRegRsp;
  int64_t cfa_offset = 8;
  enum : uint8_t { kSame, kOffset, kUndefined, kUnsupported } rbp = kSame, ra = kOffset;
  int64_t rbp_offset = 0;
  int64_t ra_offset = -8;
  bool cfa_unsupported = false;
};

struct Cie {
  uint64_t code_align = 1;
  int64_t data_align = -8;
  uint64_t ra_register = kRegRa;
  uint8_t fde_encoding = kPeAbsptr;
  bool has_augmentation_data = false;
  bool signal_frame = false;
  uintptr_t instructions = 0, end = 0;
};

bool parse_cie(uintptr_t cie, Cie* out) {
  Reader r(cie, cie + 4);
  uint32_t length = r.fixed<uint32_t>();
  if (length == 0 || length == 0xffffffff) return false;  // 64-bit DWARF is not used for .eh_frame
  Reader body(cie + 4, cie + 4 + length);
  if (body.fixed<uint32_t>() != 0) return false;  // CIE id
  uint8_t version = body.fixed<uint8_t>();
  const char* aug = reinterpret_cast<const char*>(body.pos());
  size_t aug_len = strnlen(aug, 16);
  body.skip(aug_len + 1);
  if (version >= 4) body.skip(2);  // address and segment selector sizes
  out->code_align = body.uleb();
  out->data_align = body.sleb();
  out->ra_register = version == 1 ? body.fixed<uint8_t>() : body.uleb();
  uintptr_t aug_data_end = 0;
  for (size_t i = 0; i < aug_len; ++i) {
    switch (aug[i]) {
      case 'z': {
        uint64_t n = body.uleb();
        aug_data_end = body.pos() + n;
        out->has_augmentation_data = true;
        break;
      }
      case 'L':
        body.fixed<uint8_t>();
        break;
      case 'P': {
        uint8_t enc = body.fixed<uint8_t>();
        body.pointer(static_cast<uint8_t>(enc & ~kPeIndirect));
        break;
      }
      case 'R':
        out->fde_encoding = body.fixed<uint8_t>();
        break;
      case 'S':
        out->signal_frame = true;
        break;
      default:
        if (aug_data_end == 0) return false;  // unknown augmentation without a length to skip it
        i = aug_len;
        break;
    }
  }
  if (aug_data_end != 0 && body.pos() < aug_data_end) body.skip(aug_data_end - body.pos());
  out->instructions = body.pos();
  out->end = cie + 4 + length;
  return body.ok();
}

// Runs a CFA program until the location passes `target` (remember/restore
// states included). `initial` is the CIE's state, for DW_CFA_restore.
bool run_program(uintptr_t begin, uintptr_t end, const Cie& cie, uintptr_t location, uintptr_t target,
                 const RegState& initial, RegState* state) {
  constexpr int kMaxRemembered = 8;
  RegState remembered[kMaxRemembered];
  int depth = 0;
  Reader r(begin, end);
  auto set_offset = [&](uint64_t reg, int64_t offset) {
    if (reg == kRegRbp)
      state->rbp = RegState::kOffset, state->rbp_offset = offset;
    else if (reg == cie.ra_register)
      state->ra = RegState::kOffset, state->ra_offset = offset;
  };
  auto set_rule = [&](uint64_t reg, decltype(RegState::rbp) rule) {
    if (reg == kRegRbp)
      state->rbp = rule;
    else if (reg == cie.ra_register)
      state->ra = rule;
  };
  auto restore = [&](uint64_t reg) {
    if (reg == kRegRbp)
      state->rbp = initial.rbp, state->rbp_offset = initial.rbp_offset;
    else if (reg == cie.ra_register)
      state->ra = initial.ra, state->ra_offset = initial.ra_offset;
  };
  while (!r.at_end() && r.ok()) {
    uint8_t op = r.fixed<uint8_t>();
    uint8_t high = op & 0xc0, low = op & 0x3f;
    uintptr_t advance = 0;
    if (high == 0x40) {
      advance = low * cie.code_align;
    } else if (high == 0x80) {
      set_offset(low, static_cast<int64_t>(r.uleb()) * cie.data_align);
      continue;
    } else if (high == 0xc0) {
      restore(low);
      continue;
    } else {
      switch (op) {
        case 0x00:
          continue;  // nop
        case 0x01:
          location = r.pointer(cie.fde_encoding);
          continue;  // set_loc
        case 0x02:
          advance = r.fixed<uint8_t>() * cie.code_align;
          break;  // advance_loc1
        case 0x03:
          advance = r.fixed<uint16_t>() * cie.code_align;
          break;  // advance_loc2
        case 0x04:
          advance = r.fixed<uint32_t>() * cie.code_align;
          break;      // advance_loc4
        case 0x05: {  // offset_extended
          uint64_t reg = r.uleb();
          set_offset(reg, static_cast<int64_t>(r.uleb()) * cie.data_align);
          continue;
        }
        case 0x06:
          restore(r.uleb());
          continue;  // restore_extended
        case 0x07:
          set_rule(r.uleb(), RegState::kUndefined);
          continue;  // undefined
        case 0x08:
          set_rule(r.uleb(), RegState::kSame);
          continue;   // same_value
        case 0x09: {  // register
          uint64_t reg = r.uleb();
          r.uleb();
          set_rule(reg, RegState::kUnsupported);
          continue;
        }
        case 0x0a:  // remember_state
          if (depth == kMaxRemembered) return false;
          remembered[depth++] = *state;
          continue;
        case 0x0b:  // restore_state
          if (depth == 0) return false;
          *state = remembered[--depth];
          continue;
        case 0x0c:  // def_cfa
          state->cfa_reg = r.uleb();
          state->cfa_offset = static_cast<int64_t>(r.uleb());
          state->cfa_unsupported = false;
          continue;
        case 0x0d:
          state->cfa_reg = r.uleb();
          state->cfa_unsupported = false;
          continue;  // def_cfa_register
        case 0x0e:
          state->cfa_offset = static_cast<int64_t>(r.uleb());
          continue;  // def_cfa_offset
        case 0x0f:
          r.skip(r.uleb());
          state->cfa_unsupported = true;
          continue;   // def_cfa_expression
        case 0x10: {  // expression
          uint64_t reg = r.uleb();
          r.skip(r.uleb());
          set_rule(reg, RegState::kUnsupported);
          continue;
        }
        case 0x11: {  // offset_extended_sf
          uint64_t reg = r.uleb();
          set_offset(reg, r.sleb() * cie.data_align);
          continue;
        }
        case 0x12:  // def_cfa_sf
          state->cfa_reg = r.uleb();
          state->cfa_offset = r.sleb() * cie.data_align;
          state->cfa_unsupported = false;
          continue;
        case 0x13:
          state->cfa_offset = r.sleb() * cie.data_align;
          continue;  // def_cfa_offset_sf
        case 0x14:
        case 0x15: {  // val_offset(_sf)
          uint64_t reg = r.uleb();
          if (op == 0x14)
            r.uleb();
          else
            r.sleb();
          set_rule(reg, RegState::kUnsupported);
          continue;
        }
        case 0x16: {  // val_expression
          uint64_t reg = r.uleb();
          r.skip(r.uleb());
          set_rule(reg, RegState::kUnsupported);
          continue;
        }
        case 0x2e:
          r.uleb();
          continue;   // GNU_args_size
        case 0x2f: {  // GNU_negative_offset_extended
          uint64_t reg = r.uleb();
          set_offset(reg, -static_cast<int64_t>(r.uleb()) * cie.data_align);
          continue;
        }
        default:
          return false;
      }
    }
    location += advance;
    if (location > target) return true;
  }
  return r.ok();
}

// The FDE covering `pc`, from the sorted table of .eh_frame_hdr.
uintptr_t find_fde(uintptr_t pc, uintptr_t hdr) {
  Reader r(hdr, hdr + 64);
  if (r.fixed<uint8_t>() != 1) return 0;  // version
  uint8_t frame_ptr_enc = r.fixed<uint8_t>();
  uint8_t count_enc = r.fixed<uint8_t>();
  uint8_t table_enc = r.fixed<uint8_t>();
  r.pointer(frame_ptr_enc, hdr);
  uintptr_t count = r.pointer(count_enc, hdr);
  // Only the usual table layout: pairs of 4-byte offsets from the header.
  if (!r.ok() || table_enc != (kPeDatarel | kPeSdata4) || count == 0) return 0;
  auto* table = reinterpret_cast<const int32_t*>(r.pos());
  uintptr_t lo = 0, hi = count;
  while (lo + 1 < hi) {
    uintptr_t mid = (lo + hi) / 2;
    if (hdr + static_cast<intptr_t>(table[2 * mid]) <= pc)
      lo = mid;
    else
      hi = mid;
  }
  if (hdr + static_cast<intptr_t>(table[2 * lo]) > pc) return 0;
  return hdr + static_cast<intptr_t>(table[2 * lo + 1]);
}

}  // namespace

UnwindRule rule_for(uintptr_t return_address, uintptr_t eh_frame_hdr) {
  UnwindRule rule;
  uintptr_t pc = return_address - 1;
  uintptr_t fde = find_fde(pc, eh_frame_hdr);
  if (fde == 0) return rule;
  Reader head(fde, fde + 8);
  uint32_t length = head.fixed<uint32_t>();
  if (length == 0 || length == 0xffffffff) return rule;
  uint32_t cie_offset = head.fixed<uint32_t>();
  Cie cie;
  if (!parse_cie(fde + 4 - cie_offset, &cie) || cie.signal_frame) return rule;
  Reader r(fde + 8, fde + 4 + length);
  uintptr_t start = r.pointer(cie.fde_encoding);
  uintptr_t range = r.pointer(static_cast<uint8_t>(cie.fde_encoding & 0x0f));
  if (!r.ok() || pc < start || pc >= start + range) return rule;
  if (cie.has_augmentation_data) r.skip(r.uleb());
  RegState initial;
  if (!run_program(cie.instructions, cie.end, cie, 0, 0, initial, &initial)) return rule;
  RegState state = initial;
  if (!run_program(r.pos(), fde + 4 + length, cie, start, pc, initial, &state) || !r.ok()) return rule;

  if (state.ra == RegState::kUndefined) {
    rule.kind = UnwindRule::kOutermost;
    return rule;
  }
  bool cfa_ok = !state.cfa_unsupported && (state.cfa_reg == kRegRsp || state.cfa_reg == kRegRbp);
  if (!cfa_ok || state.ra != RegState::kOffset || state.ra_offset != -8 || state.rbp == RegState::kUnsupported ||
      state.rbp == RegState::kUndefined)
    return rule;
  rule.kind = UnwindRule::kFrame;
  rule.cfa_from_rbp = state.cfa_reg == kRegRbp;
  rule.cfa_offset = static_cast<int32_t>(state.cfa_offset);
  rule.rbp_saved = state.rbp == RegState::kOffset;
  rule.rbp_offset = static_cast<int32_t>(state.rbp_offset);
  return rule;
}

}  // namespace dm
