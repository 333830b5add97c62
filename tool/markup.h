// Helpers shared by the markup renderers: escaping, one-line frame text, stable hashes.
#pragma once

#include "model.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace dmtool {

// Escapes &, <, >, " and ' for XML and HTML text and attributes. Control characters that
// XML 1.0 cannot carry (a report may hold them as \u00XX) become U+FFFD.
std::string escapeXml(std::string_view s);

// "func file:line (module+0xoff)", leaving out what is unknown ("??" for the function).
std::string frameText(const Model& model, FrameId id);

// A short name for where a finding is: the top user frame's function, else the first named one.
std::string siteName(const Model& model, std::optional<StackId> stack);

// 16 hex digits of FNV-1a: a fingerprint that is the same on every machine and run.
std::string fingerprint(std::string_view s);

// Percent-encodes a path for a URI (keeps unreserved characters and '/').
std::string uriPath(std::string_view path);

}  // namespace dmtool
