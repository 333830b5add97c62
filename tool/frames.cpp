// Frame identity across runs and the "is this the user's code" test.
#include "frames.h"

#include <array>

namespace dmtool {

std::string_view baseName(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string hexString(std::uint64_t value) {
  static const char digits[] = "0123456789abcdef";
  char buffer[19];
  char* p = buffer + sizeof buffer;
  do {
    *--p = digits[value & 15];
    value >>= 4;
  } while (value);
  *--p = 'x';
  *--p = '0';
  return std::string(p, buffer + sizeof buffer);
}

std::string frameKeyFrom(std::string_view function, std::string_view file, std::uint32_t line, std::string_view module,
                         std::optional<std::uint64_t> offset, std::uint64_t pc) {
  std::string key;
  if (!function.empty() && !file.empty() && line) {
    key = function;
    key += " @ ";
    key += baseName(file);
    key += ':';
    key += std::to_string(line);
  } else if (!module.empty() && offset) {
    key = baseName(module);
    key += '+';
    key += hexString(*offset);
  } else {
    // Nothing stable is known; the name if any, else the raw address.
    key = !function.empty() ? std::string(function) : hexString(pc);
  }
  return key;
}

std::string frameKey(const Model& model, FrameId id) {
  const Frame& f = model.frame(id);
  std::string_view module = f.module ? std::string_view(model.str(model.module(*f.module).path)) : "";
  return frameKeyFrom(model.str(f.function), model.str(f.file), f.line, module, f.offset, f.pc);
}

std::string stackKey(const Model& model, const std::vector<FrameId>& stack, unsigned depth) {
  std::string key;
  std::size_t n = depth ? std::min<std::size_t>(depth, stack.size()) : stack.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i) key += '\n';
    key += frameKey(model, stack[i]);
  }
  return key;
}

namespace {

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool isRuntimeModule(std::string_view module) {
  static constexpr std::array<std::string_view, 8> prefixes = {
      "libdebugmalloc.so", "libc.so", "libstdc++.so", "libgcc_s.so", "ld-linux", "libm.so", "libpthread.so", "libc++"};
  std::string_view name = baseName(module);
  for (std::string_view p : prefixes)
    if (startsWith(name, p)) return true;
  return false;
}

bool isAllocatorFunction(std::string_view fn) {
  static constexpr std::array<std::string_view, 12> names = {
      "malloc",        "free",     "calloc", "realloc", "reallocarray", "posix_memalign",
      "aligned_alloc", "memalign", "valloc", "pvalloc", "_start",       "malloc_usable_size"};
  for (std::string_view n : names)
    if (fn == n) return true;
  return startsWith(fn, "operator new") || startsWith(fn, "operator delete") || startsWith(fn, "__libc_") ||
         startsWith(fn, "std::") || startsWith(fn, "__gnu_cxx::") || startsWith(fn, "dm::") ||
         startsWith(fn, "debugmalloc");
}

}  // namespace

bool isRuntimeFrame(const Model& model, FrameId id) {
  const Frame& f = model.frame(id);
  if (f.module && isRuntimeModule(model.str(model.module(*f.module).path))) return true;
  if (f.function && isAllocatorFunction(model.str(f.function))) return true;
  if (f.file && startsWith(model.str(f.file), "/usr/include/")) return true;
  return false;
}

std::optional<std::size_t> topUserFrame(const Model& model, const std::vector<FrameId>& stack) {
  for (std::size_t i = 0; i < stack.size(); ++i)
    if (!isRuntimeFrame(model, stack[i])) return i;
  return std::nullopt;
}

}  // namespace dmtool
