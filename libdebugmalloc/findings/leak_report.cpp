// Leak listing in the style of LeakSanitizer, with Valgrind's kinds.
#include "findings/leak_report.h"

#include <cstring>

#include "findings/errors.h"
#include "support/internal_arena.h"
#include "support/options.h"
#include "findings/report_writer.h"
#include "findings/site_name.h"
#include "findings/suppressions.h"
#include "stacks/symbolize.h"
#include "support/text_buffer.h"

namespace dm {

namespace {

uint64_t weight(const LeakGroup& g) { return g.bytes + g.indirect_bytes; }

// Reported kinds first in kind order, then by what freeing them would free.
bool before(const LeakGroup& a, const LeakGroup& b) {
  if (a.kind != b.kind) return a.kind < b.kind;
  return weight(a) > weight(b);
}

void sort_groups(MmapVector<LeakGroup>& groups) {
  // Shell sort: no allocation, fine for thousands of groups.
  size_t n = groups.size();
  for (size_t gap = n / 2; gap > 0; gap /= 2) {
    for (size_t i = gap; i < n; ++i) {
      LeakGroup v = groups[i];
      size_t j = i;
      while (j >= gap && before(v, groups[j - gap])) {
        groups[j] = groups[j - gap];
        j -= gap;
      }
      groups[j] = v;
    }
  }
}

const char* plural(uint64_t n) { return n == 1 ? "" : "s"; }

// The listing; `fd` >= 0 flushes group by group to it, else everything stays in `out`.
void render_groups(TextBuffer& out, const LeakCheck& check, unsigned kinds, const char* prefix, int fd) {
  uint64_t printed = 0, groups = 0;
  for (const LeakGroup& g : const_cast<LeakCheck&>(check).result.groups) {
    if (g.suppressed || (kinds & (1u << static_cast<int>(g.kind))) == 0) continue;
    ++groups;
    if (g_options.max_leaks != 0 && printed >= g_options.max_leaks) continue;
    ++printed;
    out.str(prefix);
    render_leak_headline(out, g);
    out.str(", allocated at:\n");
    uint32_t depth = 0;
    const uintptr_t* frames = depot_get(g.stack, &depth);
    format_stack(out, frames, frames != nullptr ? depth : 0, prefix);
    // Named after the frame the tool names the group after (findings/site_name.h).
    out.str(prefix).str("SUMMARY: ").str(leak_kind_name(g.kind)).str(" leak of ").dec(g.bytes).str(" byte");
    out.str(plural(g.bytes)).str(" allocated in ");
    if (!append_site_name(out, g.stack)) out.str("an unknown place");
    out.ch('\n');
    out.str(prefix).ch('\n');
    if (fd >= 0) out.flush(fd);
  }
  if (printed < groups) out.str(prefix).str("... and ").dec(groups - printed).str(" more leak groups (max_leaks)\n");
}

void print(const LeakCheck& check, unsigned kinds) {
  InlineText<64> prefix_text;
  prefix_text.str("==").dec(static_cast<uint64_t>(os_getpid())).str("== ").ch('\0');
  const char* prefix = prefix_text.data();
  constexpr size_t kCap = 256 * 1024;
  char* storage = static_cast<char*>(internal_allocate(kCap, 16));
  if (storage == nullptr) return;
  TextBuffer out(storage, kCap);
  int fd = log_fd();
  render_groups(out, check, kinds, prefix, fd);
  // Suppressed groups count on the suppressed line only, as in the report file.
  LeakTotals totals = unsuppressed_totals(check.result);
  out.str(prefix).str("LEAK SUMMARY:\n");
  for (int k = 0; k < kNumLeakKinds; ++k) {
    const char* phrase = leak_kind_phrase(static_cast<LeakKind>(k));
    out.str(prefix);
    for (size_t pad = strlen(phrase); pad < 18; ++pad) out.ch(' ');
    out.str(phrase).str(": ").dec(totals.bytes[k]).str(" bytes in ").dec(totals.blocks[k]).str(" blocks");
    if ((kinds & (1u << k)) == 0) out.str(" (not listed: see leak_kinds)");
    out.ch('\n');
  }
  if (check.suppressed_blocks != 0)
    out.str(prefix)
        .str("        suppressed: ")
        .dec(check.suppressed_bytes)
        .str(" bytes in ")
        .dec(check.suppressed_blocks)
        .str(" blocks\n");
  if (check.result.threads_not_stopped != 0)
    out.str(prefix)
        .str("   note: ")
        .dec(check.result.threads_not_stopped)
        .str(" thread(s) did not stop for the scan; their registers were not seen\n");
  out.str(prefix).ch('\n');
  out.flush(fd);
  internal_free(storage);
}

}  // namespace

void render_leak_headline(TextBuffer& out, const LeakGroup& g) {
  out.str(leak_kind_name(g.kind))
      .str(" leak: ")
      .dec(g.bytes)
      .str(" byte")
      .str(plural(g.bytes))
      .str(" in ")
      .dec(g.blocks)
      .str(" block")
      .str(plural(g.blocks))
      .str(" ")
      .str(leak_kind_phrase(g.kind));
  if (g.indirect_blocks != 0)
    out.str(" (freeing them also frees ")
        .dec(g.indirect_bytes)
        .str(" bytes in ")
        .dec(g.indirect_blocks)
        .str(" indirect block")
        .str(plural(g.indirect_blocks))
        .ch(')');
}

LeakTotals unsuppressed_totals(const LeakResult& result) {
  LeakTotals t;
  for (int k = 0; k < kNumLeakKinds; ++k) {
    t.bytes[k] = result.bytes[k];
    t.blocks[k] = result.blocks[k];
  }
  for (const LeakGroup& g : const_cast<LeakResult&>(result).groups) {
    if (!g.suppressed) continue;
    t.bytes[static_cast<int>(g.kind)] -= g.bytes;
    t.blocks[static_cast<int>(g.kind)] -= g.blocks;
  }
  return t;
}

void render_leaks(TextBuffer& out, const LeakCheck& check, const char* line_prefix) {
  ScopedInternal internal;
  render_groups(out, check, reported_leak_kinds(), line_prefix, -1);
}

void run_leak_check(LeakCheck* check, uint32_t min_epoch, bool print_it, const ScanStart& start) {
  check->ran = find_leaks(&check->result, min_epoch, start);
  if (!check->ran) return;
  unsigned kinds = reported_leak_kinds();
  {
    ScopedInternal internal;  // symbolization for suppressions allocates
    for (LeakGroup& g : check->result.groups) {
      // Only what would be shown is matched against suppressions (symbolization costs).
      if ((kinds & (1u << static_cast<int>(g.kind))) == 0) continue;
      g.suppressed = leak_is_suppressed(g.stack, g.kind);
      if (g.suppressed) {
        check->suppressed_blocks += g.blocks;
        check->suppressed_bytes += g.bytes;
        continue;
      }
      check->reported_bytes += g.bytes;
      check->reported_blocks += g.blocks;
      if (g.kind == LeakKind::kDefinite || g.kind == LeakKind::kIndirect) check->definite_or_indirect = true;
    }
  }
  sort_groups(check->result.groups);
  // Nothing to say about a clean run: stderr stays the program's own.
  if (print_it && check->reported_blocks != 0) {
    ScopedInternal internal;
    print(*check, kinds);
  }
}

size_t definite_and_indirect_bytes(const LeakCheck& check) {
  size_t bytes = 0;
  for (const LeakGroup& g : const_cast<LeakCheck&>(check).result.groups)
    if (!g.suppressed && (g.kind == LeakKind::kDefinite || g.kind == LeakKind::kIndirect)) bytes += g.bytes;
  return bytes;
}

}  // namespace dm
