// Escaping for roff (groff_man(7)): what the man page generators write goes through here.
#include "roff.h"

namespace docgen {
namespace {

void append_escaped(std::string& out, char c) {
  if (c == '\\') {
    out += "\\e";
  } else if (c == '-') {
    out += "\\-";
  } else {
    out += c;
  }
}

// A line that starts with '.' or '\'' would be read as a request.
std::string guard_line_start(std::string text) {
  if (!text.empty() && (text.front() == '.' || text.front() == '\'')) text.insert(0, "\\&");
  return text;
}

}  // namespace

std::string roff_plain(std::string_view text) {
  std::string out;
  for (char c : text) append_escaped(out, c);
  return guard_line_start(std::move(out));
}

std::string roff_text(std::string_view text) {
  std::string out;
  bool in_code = false;
  for (char c : text) {
    if (c == '`') {
      out += in_code ? "\\fR" : "\\fB";
      in_code = !in_code;
      continue;
    }
    append_escaped(out, c);
  }
  if (in_code) out += "\\fR";  // an unmatched quote must not leave the rest of the page bold
  return guard_line_start(std::move(out));
}

std::string roff_argument(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') {
      out += "\\(dq";
    } else {
      append_escaped(out, c);
    }
  }
  return out + "\"";
}

std::string roff_option_tag(std::string_view names_and_value) {
  std::string_view names = names_and_value, value;
  if (std::size_t space = names_and_value.find(' '); space != std::string_view::npos) {
    names = names_and_value.substr(0, space);
    value = names_and_value.substr(space + 1);
  }
  std::string out;
  if (names.starts_with("-")) {
    std::size_t pos = 0;
    while (pos <= names.size()) {  // "-f,--format": each name bold, the commas as ", "
      std::size_t comma = names.find(',', pos);
      std::string_view name = names.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
      if (!out.empty()) out += ", ";
      out += "\\fB" + roff_plain(name) + "\\fR";
      pos = comma == std::string_view::npos ? names.size() + 1 : comma + 1;
    }
  } else {
    out = "\\fI" + roff_plain(names) + "\\fR";  // a positional argument
  }
  if (!value.empty()) {
    // "FORMAT:{text,json,...}" has no space: let the line break after its commas.
    std::string italic_value;
    for (char c : roff_plain(value)) italic_value += c == ',' ? std::string(",\\:") : std::string(1, c);
    out += " \\fI" + italic_value + "\\fR";
  }
  return guard_line_start(std::move(out));
}

}  // namespace docgen
