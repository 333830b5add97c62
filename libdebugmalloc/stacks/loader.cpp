// Where the loader's and the C++ runtime's code lie.
#include "stacks/loader.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>

#include <new>

namespace dm {

constinit CodeRange g_loader_code;
constinit CodeRange g_cxx_runtime_start_code;

namespace {

// The executable segments of the ELF image mapped at `base`.
CodeRange code_of_image(uintptr_t base) {
  CodeRange range;
  const auto* ehdr = reinterpret_cast<const ElfW(Ehdr)*>(base);
  if (base == 0 || ehdr->e_ident[EI_MAG0] != ELFMAG0 || ehdr->e_ident[EI_MAG1] != ELFMAG1 ||
      ehdr->e_ident[EI_MAG2] != ELFMAG2 || ehdr->e_ident[EI_MAG3] != ELFMAG3)
    return range;
  const auto* phdrs = reinterpret_cast<const ElfW(Phdr)*>(base + ehdr->e_phoff);
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  for (int i = 0; i < ehdr->e_phnum; ++i) {
    if (phdrs[i].p_type != PT_LOAD || (phdrs[i].p_flags & PF_X) == 0) continue;
    uintptr_t start = base + phdrs[i].p_vaddr;
    if (start < lo) lo = start;
    if (start + phdrs[i].p_memsz > hi) hi = start + phdrs[i].p_memsz;
  }
  if (hi > lo) range = CodeRange{lo, hi - lo};
  return range;
}

}  // namespace

void runtime_ranges_init() {
  if (g_loader_code.size != 0) return;
  // AT_BASE is 0 when the program was started by running the loader itself.
  g_loader_code = code_of_image(getauxval(AT_BASE));
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&std::get_new_handler), &info) != 0)
    g_cxx_runtime_start_code = code_of_image(reinterpret_cast<uintptr_t>(info.dli_fbase));
}

void runtime_started() { g_cxx_runtime_start_code = CodeRange{}; }

}  // namespace dm
