// Options: one struct filled from options.inc, parsed once at start-up from
// FtLeaks / FtMallocErrorAbort / FtMallocScribble and DEBUGMALLOC_OPTIONS
// (which wins), without allocating. Read-only after initialisation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dm {

struct Options {
#define DM_OPTION_bool(name, def) bool name = def;
#define DM_OPTION_uint(name, def) uint64_t name = def;
#define DM_OPTION_string(name, def) const char* name = def;
#define DM_OPTION(type, name, def, help) DM_OPTION_##type(name, def)
#include "support/options.inc"
#undef DM_OPTION
#undef DM_OPTION_bool
#undef DM_OPTION_uint
#undef DM_OPTION_string
};

extern Options g_options;

// Parses `text` ("name=value:name=value", ',' also separates) into `options`.
// Each problem is described by one line passed to `warn`; parsing goes on.
// String values are copied into `storage` (bounded); returns false if any problem.
using WarnFn = void (*)(const char* line, size_t length);
bool parse_options(const char* text, Options* options, char* storage, size_t storage_size, WarnFn warn);

// Reads the environment (without allocating) and fills g_options; prints
// warnings and, with help=1, the table to stderr. Environment options are
// ignored in set-uid/set-gid processes.
void initialize_options();

// The DEBUGMALLOC_OPTIONS text in effect ("" if none), for reports.
const char* options_text();

// Writes the options table (name, type, default, help) to fd.
void print_options_help(int fd);

}  // namespace dm
