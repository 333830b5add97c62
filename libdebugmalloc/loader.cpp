// Where the dynamic loader's image lies.
#include "loader.h"

#include <elf.h>
#include <link.h>
#include <sys/auxv.h>

namespace dm {

constinit uintptr_t g_loader_start = 0;
constinit uintptr_t g_loader_size = 0;

void loader_range_init() {
  uintptr_t base = getauxval(AT_BASE);  // 0 when the program was started by running the loader itself
  if (base == 0 || g_loader_size != 0) return;
  const auto* ehdr = reinterpret_cast<const ElfW(Ehdr)*>(base);
  if (ehdr->e_ident[EI_MAG0] != ELFMAG0 || ehdr->e_ident[EI_MAG1] != ELFMAG1 || ehdr->e_ident[EI_MAG2] != ELFMAG2 ||
      ehdr->e_ident[EI_MAG3] != ELFMAG3)
    return;
  const auto* phdrs = reinterpret_cast<const ElfW(Phdr)*>(base + ehdr->e_phoff);
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  for (int i = 0; i < ehdr->e_phnum; ++i) {
    if (phdrs[i].p_type != PT_LOAD || (phdrs[i].p_flags & PF_X) == 0) continue;
    uintptr_t start = base + phdrs[i].p_vaddr;
    if (start < lo) lo = start;
    if (start + phdrs[i].p_memsz > hi) hi = start + phdrs[i].p_memsz;
  }
  if (hi <= lo) return;
  g_loader_start = lo;
  g_loader_size = hi - lo;
}

}  // namespace dm
