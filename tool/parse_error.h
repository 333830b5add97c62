// The one exception type for bad input: it names the file and, when known, the line.
#pragma once

#include <stdexcept>
#include <string>

namespace dmtool {

class InputError : public std::runtime_error {
 public:
  // line 0 means "the file as a whole".
  InputError(std::string file, std::size_t line, const std::string& what)
      : std::runtime_error(format(file, line, what)), file_(std::move(file)), line_(line) {}

  const std::string& file() const { return file_; }
  std::size_t line() const { return line_; }

 private:
  static std::string format(const std::string& file, std::size_t line, const std::string& what) {
    return line ? file + ":" + std::to_string(line) + ": " + what : file + ": " + what;
  }
  std::string file_;
  std::size_t line_;
};

}  // namespace dmtool
