// Offline symbolization with libdwfl: module file (checked by build-id) + offset -> function, file:line.
#include "symbolizer.h"

#include <cxxabi.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <unordered_map>

namespace dmtool {
namespace {

std::string hex(const void* bytes, std::size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  auto* p = static_cast<const unsigned char*>(bytes);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

// The GNU build-id of the ELF file at `path`, "" when it has none, nullopt when unreadable.
std::optional<std::string> fileBuildId(const std::string& path) {
  // Module paths come from report files: only regular files, and never block on a FIFO.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  std::optional<std::string> id;
  if (Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr)) {
    if (elf_kind(elf) == ELF_K_ELF) {
      const void* bytes = nullptr;
      ssize_t n = dwelf_elf_gnu_build_id(elf, &bytes);
      id = n > 0 ? hex(bytes, static_cast<std::size_t>(n)) : std::string();
    }
    elf_end(elf);
  }
  ::close(fd);
  return id;
}

bool readable(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), R_OK) == 0;
}

// One libdwfl session per module file, so that its addresses are the file's own.
class ModuleSymbols {
 public:
  explicit ModuleSymbols(const std::string& file) {
    static const Dwfl_Callbacks callbacks = {
        .find_elf = dwfl_build_id_find_elf,
        .find_debuginfo = dwfl_standard_find_debuginfo,
        .section_address = dwfl_offline_section_address,
        .debuginfo_path = nullptr,
    };
    dwfl_.reset(dwfl_begin(&callbacks));
    if (!dwfl_) return;
    dwfl_report_begin(dwfl_.get());
    module_ = dwfl_report_elf(dwfl_.get(), file.c_str(), file.c_str(), -1, 0, false);
    dwfl_report_end(dwfl_.get(), nullptr, nullptr);
    if (module_) dwfl_module_getelf(module_, &bias_);
  }
  bool ok() const { return module_ != nullptr; }

  // `offset` is a return address relative to the load base, which for both ET_EXEC and
  // ET_DYN is the ELF virtual address; the call instruction is the byte before it.
  void lookup(std::uint64_t offset, std::string& function, std::string& file, std::uint32_t& line) {
    if (!module_ || offset == 0) return;
    Dwarf_Addr addr = offset - 1 + bias_;
    if (const char* name = dwfl_module_addrname(module_, addr)) function = demangle(name);
    if (Dwfl_Line* l = dwfl_module_getsrc(module_, addr)) {
      int lineNo = 0;
      if (const char* src = dwfl_lineinfo(l, nullptr, &lineNo, nullptr, nullptr, nullptr); src && lineNo > 0) {
        file = src;
        line = static_cast<std::uint32_t>(lineNo);
      }
    }
  }

 private:
  struct DwflEnd {
    void operator()(Dwfl* d) const { dwfl_end(d); }
  };
  std::unique_ptr<Dwfl, DwflEnd> dwfl_;
  Dwfl_Module* module_ = nullptr;
  GElf_Addr bias_ = 0;
};

}  // namespace

std::string demangle(const std::string& name) {
  if (name.size() < 2 || name[0] != '_' || name[1] != 'Z') return name;
  int status = 0;
  char* out = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  if (status != 0 || !out) return name;
  std::string result(out);
  std::free(out);
  return result;
}

void demangleNames(Model& model) {
  for (Frame& frame : model.frames) {
    if (!frame.function) continue;
    const std::string& name = model.str(frame.function);
    if (name.size() > 2 && name[0] == '_' && name[1] == 'Z') frame.function = model.strings.intern(demangle(name));
  }
}

void symbolize(Model& model, const SymbolizeOptions& options, std::vector<std::string>& warnings) {
  elf_version(EV_CURRENT);
  std::unordered_map<std::uint32_t, std::unique_ptr<ModuleSymbols>> sessions;  // by ModuleId

  auto sessionFor = [&](ModuleId id) -> ModuleSymbols* {
    auto [it, inserted] = sessions.try_emplace(id.value);
    if (!inserted) return it->second && it->second->ok() ? it->second.get() : nullptr;
    const Module& m = model.module(id);
    const std::string& path = model.str(m.path);
    const std::string& wanted = model.str(m.buildId);
    std::string file;
    std::optional<std::string> onDisk = path.empty() ? std::nullopt : fileBuildId(path);
    if (onDisk && (wanted.empty() || *onDisk == wanted)) {
      file = path;
    } else if (wanted.size() > 2) {
      std::string debug = options.debugRoot + "/.build-id/" + wanted.substr(0, 2) + "/" + wanted.substr(2) + ".debug";
      if (readable(debug)) file = debug;
    }
    if (file.empty()) {
      if (onDisk)
        warnings.push_back(path + ": build-id " + (onDisk->empty() ? "missing" : *onDisk) + " is not the reported " +
                           wanted + " (rebuilt?); its frames are not symbolized");
      else if (!path.empty() && path[0] == '/')
        warnings.push_back(path + ": not found; its frames are not symbolized");
      return nullptr;
    }
    it->second = std::make_unique<ModuleSymbols>(file);
    return it->second->ok() ? it->second.get() : nullptr;
  };

  demangleNames(model);
  for (Frame& frame : model.frames) {
    if ((frame.function && frame.file) || !frame.module || !frame.offset) continue;
    ModuleSymbols* symbols = sessionFor(*frame.module);
    if (!symbols) continue;
    std::string function, file;
    std::uint32_t line = 0;
    symbols->lookup(*frame.offset, function, file, line);
    if (!frame.function && !function.empty()) frame.function = model.strings.intern(function);
    if (!frame.file && !file.empty()) {
      frame.file = model.strings.intern(file);
      frame.line = line;
    }
  }
}

}  // namespace dmtool
