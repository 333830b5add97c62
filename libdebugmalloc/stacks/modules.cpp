// Module table over dl_iterate_phdr, with a dlclose hook that records
// libraries before they go away.
#include "stacks/modules.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>

#include <cstring>
#include <new>

#include "support/check.h"
#include "support/kept_strings.h"
#include "support/mmap_vector.h"
#include "support/mutex.h"
#include "support/platform.h"
#include "support/process_info.h"

namespace dm {

namespace {

constinit Mutex g_mu;
// Created in place on first refresh (under g_mu) and never destroyed: exit-time
// reports still need it after static destructors have run.
constinit MmapVector<Module>* g_modules = nullptr;
alignas(MmapVector<Module>) constinit char g_modules_storage[sizeof(MmapVector<Module>)] = {};

void read_build_id(const dl_phdr_info* info, char* hex) {
  hex[0] = '\0';
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    auto* p = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
    const char* end = p + ph.p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      auto* note = reinterpret_cast<const ElfW(Nhdr)*>(p);
      const char* name = p + sizeof(ElfW(Nhdr));
      const char* desc = name + align_up(note->n_namesz, 4);
      if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
        size_t n = note->n_descsz < 32 ? note->n_descsz : 32;
        for (size_t k = 0; k < n; ++k) {
          static const char digits[] = "0123456789abcdef";
          hex[2 * k] = digits[static_cast<uint8_t>(desc[k]) >> 4];
          hex[2 * k + 1] = digits[static_cast<uint8_t>(desc[k]) & 15];
        }
        hex[2 * n] = '\0';
        return;
      }
      p = desc + align_up(note->n_descsz, 4);
    }
  }
}

struct RefreshPass {
  uint8_t* seen;  // per existing module: still loaded?
  size_t existing;
};

int visit(struct dl_phdr_info* info, size_t, void* data) {
  auto* pass = static_cast<RefreshPass*>(data);
  uintptr_t end = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD && info->dlpi_addr + ph.p_vaddr + ph.p_memsz > end)
      end = info->dlpi_addr + ph.p_vaddr + ph.p_memsz;
  }
  if (end == 0) return 0;
  const char* path = info->dlpi_name != nullptr && info->dlpi_name[0] != '\0' ? info->dlpi_name : executable_path();
  for (size_t i = 0; i < pass->existing; ++i) {
    Module& m = (*g_modules)[i];
    if (!m.unloaded && m.base == info->dlpi_addr && m.end == end && strcmp(m.path, path) == 0) {
      pass->seen[i] = 1;
      return 0;
    }
  }
  Module m{};
  m.id = static_cast<uint32_t>(g_modules->size() + 1);
  m.base = info->dlpi_addr;
  m.end = end;
  m.path = keep_string(path, strlen(path));  // valid after the library is unloaded
  read_build_id(info, m.build_id);
  g_modules->push_back(m);
  return 0;
}

}  // namespace

void modules_refresh() {
  ScopedLock lock(g_mu);
  if (g_modules == nullptr) g_modules = new (g_modules_storage) MmapVector<Module>();
  size_t existing = g_modules->size();
  MmapVector<uint8_t> seen;
  DM_CHECK(seen.reserve(existing));  // the pass below writes seen[i] for every existing module
  for (size_t i = 0; i < existing; ++i) seen.push_back(0);
  RefreshPass pass{existing != 0 ? seen.begin() : nullptr, existing};
  dl_iterate_phdr(visit, &pass);
  for (size_t i = 0; i < existing; ++i)
    if (pass.seen[i] == 0) (*g_modules)[i].unloaded = true;
}

bool module_for(uintptr_t pc, Module* out) {
  ScopedLock lock(g_mu);
  if (g_modules == nullptr) return false;
  bool found = false;
  for (const Module& m : *g_modules) {
    if (pc < m.base || pc >= m.end) continue;
    *out = m;
    found = true;
    if (!m.unloaded) break;
  }
  return found;
}

}  // namespace dm
