// Parser of report files: JSON Lines, one record per line, validated member by member.
#include "report_parser.h"

#include "common/report_format.h"
#include "json_lite.h"
#include "parse_error.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <string>
#include <unistd.h>
#include <unordered_map>

namespace dmtool {
namespace {

namespace jl = json_lite;
// Every name in the file is the contract's (common/report_format.h), never spelled here.
namespace rf = dm::report_format;

// Accessors for the members of one record. Every complaint names the file, the line and the
// record type, so a person can open the file at the right place.
class Record {
 public:
  Record(const jl::Document& doc, const jl::Value& obj, const std::string& path, std::size_t line, std::string type)
      : doc_(doc), obj_(obj), path_(path), line_(line), type_(std::move(type)) {}

  std::size_t line() const { return line_; }
  const jl::Document& doc() const { return doc_; }

  [[noreturn]] void fail(const std::string& what) const { throw InputError(path_, line_, type_ + " record: " + what); }

  const jl::Value* find(const char* key) const { return doc_.find(obj_, key); }

  std::int64_t integer(const char* key) const {
    const jl::Value* v = find(key);
    if (!v) fail(std::string("missing member \"") + key + "\"");
    return asInteger(*v, key);
  }
  std::optional<std::int64_t> optInteger(const char* key) const {
    const jl::Value* v = find(key);
    if (!v || v->type == jl::Type::Null) return std::nullopt;
    return asInteger(*v, key);
  }
  std::uint64_t count(const char* key) const {
    std::int64_t n = integer(key);
    if (n < 0) fail(std::string("member \"") + key + "\" must not be negative");
    return static_cast<std::uint64_t>(n);
  }
  std::uint64_t optCount(const char* key, std::uint64_t fallback) const {
    auto n = optInteger(key);
    if (!n) return fallback;
    if (*n < 0) fail(std::string("member \"") + key + "\" must not be negative");
    return static_cast<std::uint64_t>(*n);
  }

  std::string string(const char* key) const {
    const jl::Value* v = find(key);
    if (!v) fail(std::string("missing member \"") + key + "\"");
    if (v->type != jl::Type::String) fail(std::string("member \"") + key + "\" must be a string");
    return std::string(v->string);
  }
  std::optional<std::string> optString(const char* key) const {
    const jl::Value* v = find(key);
    if (!v || v->type == jl::Type::Null) return std::nullopt;
    if (v->type != jl::Type::String) fail(std::string("member \"") + key + "\" must be a string or null");
    return std::string(v->string);
  }

  std::optional<std::uint64_t> optAddress(const char* key) const {
    const jl::Value* v = find(key);
    if (!v || v->type == jl::Type::Null) return std::nullopt;
    if (v->type != jl::Type::String) fail(std::string("member \"") + key + "\" must be a \"0x...\" string or null");
    auto parsed = parseHex(v->string);
    if (!parsed) fail(std::string("member \"") + key + "\" is not a \"0x...\" hexadecimal value");
    return parsed;
  }

  // {"definite":N,...,"reachable":N} or null (a member absent or null is unknown).
  std::array<std::optional<std::uint64_t>, dm::kNumLeakKinds> optCountsByKind(const char* key) const {
    std::array<std::optional<std::uint64_t>, dm::kNumLeakKinds> out{};
    const jl::Value* v = find(key);
    if (!v || v->type == jl::Type::Null) return out;
    if (v->type != jl::Type::Object)
      fail(std::string("member \"") + key + "\" must be an object of counts by leak kind, or null");
    for (std::size_t k = 0; k < dm::kNumLeakKinds; ++k) {
      const char* name = dm::kLeakKindNames[k];
      const jl::Value* n = doc_.find(*v, name);
      if (!n || n->type == jl::Type::Null) continue;
      std::string what = std::string(key) + "." + name;
      std::int64_t count = asInteger(*n, what.c_str());
      if (count < 0) fail("member \"" + what + "\" must not be negative");
      out[k] = static_cast<std::uint64_t>(count);
    }
    return out;
  }

  bool optBool(const char* key, bool fallback) const {
    const jl::Value* v = find(key);
    if (!v || v->type == jl::Type::Null) return fallback;
    if (v->type != jl::Type::Bool) fail(std::string("member \"") + key + "\" must be true or false");
    return v->boolean;
  }

  static std::optional<std::uint64_t> parseHex(std::string_view s) {
    if (s.size() < 3 || s.size() > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return std::nullopt;
    std::uint64_t value = 0;
    for (std::size_t i = 2; i < s.size(); ++i) {
      char c = s[i];
      int digit = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
      if (digit < 0) return std::nullopt;
      value = value << 4 | static_cast<std::uint64_t>(digit);
    }
    return value;
  }

 private:
  std::int64_t asInteger(const jl::Value& v, const char* key) const {
    if (v.type != jl::Type::Integer) fail(std::string("member \"") + key + "\" must be an integer");
    if (v.integerTooLarge || v.isUnsigned) fail(std::string("member \"") + key + "\" is too large");
    return v.integer;
  }

  const jl::Document& doc_;
  const jl::Value& obj_;
  const std::string& path_;
  std::size_t line_;
  std::string type_;
};

// What is wrong with a line that does not parse, in nlohmann's words minus its prefixes
// ("syntax error while parsing object - unexpected string literal; expected '}'").
std::string jsonProblem(std::string_view line) {
  // nlohmann stops at a NUL byte and would call the line fine; JSON does not allow one.
  if (auto nul = line.find('\0'); nul != std::string_view::npos)
    return "column " + std::to_string(nul + 1) + ": a NUL byte";
  try {
    auto parsed = nlohmann::json::parse(line.begin(), line.end());
    (void)parsed;
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    if (auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
    return "column " + std::to_string(e.byte) + ": " + what;
  } catch (const std::exception& e) {
    return e.what();
  }
  // The only other thing our reader refuses that nlohmann accepts.
  return "nested deeper than " + std::to_string(json_lite::Document::kMaxDepth) + " levels";
}

// Builds a ReportFile record by record, checking the references between them.
class Parser {
 public:
  Parser(const std::string& path, EndRule rule) : path_(path), rule_(rule) { out_.path = path; }

  ReportFile run(std::string_view text) {
    if (text.empty()) throw InputError(path_, 0, "empty file: not a debugmalloc report");
    std::size_t lineNo = 0, pos = 0;
    while (pos < text.size()) {
      std::size_t nl = text.find('\n', pos);
      bool lastUnterminated = nl == std::string_view::npos;
      std::string_view line = text.substr(pos, lastUnterminated ? std::string_view::npos : nl - pos);
      pos = lastUnterminated ? text.size() : nl + 1;
      ++lineNo;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;  // blank: harmless

      if (!doc_.parse(line)) {
        if (!sawProcess_) throw InputError(path_, lineNo, "not a debugmalloc report (line is not JSON)");
        if (lastUnterminated && rule_ == EndRule::Optional && !out_.end) {
          // A journal whose writer died in the middle of a record: what came before stands.
          out_.truncatedTail = true;
          break;
        }
        throw InputError(
            path_, lineNo,
            lastUnterminated ? "truncated: the last line is cut short" : "not valid JSON (" + jsonProblem(line) + ")");
      }
      record(doc_.root(), lineNo);
    }
    if (!sawProcess_) throw InputError(path_, 0, "empty file: not a debugmalloc report");
    if (rule_ == EndRule::Required && !out_.end)
      throw InputError(path_, lineNo, "truncated: a finished report ends with an \"end\" record");
    return std::move(out_);
  }

 private:
  void record(const jl::Value& obj, std::size_t lineNo) {
    if (obj.type != jl::Type::Object) {
      if (!sawProcess_) throw InputError(path_, lineNo, "not a debugmalloc report (line is not a JSON object)");
      throw InputError(path_, lineNo, "a record must be a JSON object");
    }
    const jl::Value* t = doc_.find(obj, rf::kTypeMember);
    if (!t || t->type != jl::Type::String) {
      if (!sawProcess_)
        throw InputError(path_, lineNo,
                         std::string("not a debugmalloc report (no \"") + rf::kTypeMember + "\" member)");
      throw InputError(path_, lineNo, std::string("record without a \"") + rf::kTypeMember + "\" string member");
    }
    std::string type(t->string);
    Record r(doc_, obj, path_, lineNo, type);
    if (!sawProcess_ && type != rf::process::kType)
      throw InputError(
          path_, lineNo,
          std::string("not a debugmalloc report (the first record must be \"") + rf::process::kType + "\")");
    if (out_.end) r.fail(std::string("nothing may follow the \"") + rf::end::kType + "\" record");

    if (type == rf::process::kType)
      process(r);
    else if (type == rf::module::kType)
      module(r);
    else if (type == rf::stack::kType)
      stack(r);
    else if (type == rf::error::kType)
      error(r);
    else if (type == rf::leak::kType)
      leak(r);
    else if (type == rf::suppressed::kType)
      suppressed(r);
    else if (type == rf::end::kType)
      end(r);
    // Other record types are skipped: a later minor version of the format may add some,
    // the same way it may add members (docs/report-format.md, "a reader ignores ...").
  }

  void process(const Record& r) {
    if (sawProcess_) r.fail("a second process record");
    if (r.string(rf::process::kFormat) != rf::kFormatName)
      r.fail(std::string("\"") + rf::process::kFormat + "\" is not \"" + rf::kFormatName + "\"");
    std::int64_t version = r.integer(rf::process::kVersion);
    if (version > rf::kVersion)
      r.fail("written by a newer debugmalloc (report format version " + std::to_string(version) +
             "; this reader supports version " + std::to_string(rf::kVersion) + ")");
    if (version < 1) r.fail("unknown report format version " + std::to_string(version));
    sawProcess_ = true;
    ProcessInfo& p = out_.process;
    p.pid = r.integer(rf::process::kPid);
    p.ppid = r.optInteger(rf::process::kPpid);
    p.start = r.optInteger(rf::process::kStart);
    p.gen = r.optInteger(rf::process::kGen);
    p.time = r.optInteger(rf::process::kTime);
    p.exe = r.optString(rf::process::kExe).value_or("");
    p.cwd = r.optString(rf::process::kCwd).value_or("");
    p.options = r.optString(rf::process::kOptions).value_or("");
    if (const jl::Value* cmd = r.find(rf::process::kCommand); cmd && cmd->type != jl::Type::Null) {
      if (cmd->type != jl::Type::Array)
        r.fail(std::string("member \"") + rf::process::kCommand + "\" must be an array of strings");
      for (const jl::Value* arg = doc_.begin(*cmd); arg != doc_.end(*cmd); ++arg) {
        if (arg->type != jl::Type::String)
          r.fail(std::string("member \"") + rf::process::kCommand + "\" must be an array of strings");
        p.command.emplace_back(arg->string);
      }
    }
  }

  void module(const Record& r) {
    std::int64_t id = r.integer(rf::module::kId);
    if (modules_.count(id)) r.fail("module id " + std::to_string(id) + " is defined twice");
    RawModule m;
    m.path = r.optString(rf::module::kPath).value_or("");
    m.base = r.optAddress(rf::module::kBase);
    m.end = r.optAddress(rf::module::kEnd);
    m.buildId = r.optString(rf::module::kBuildId).value_or("");
    for (char& c : m.buildId) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    m.unloaded = r.optBool(rf::module::kUnloaded, false);
    modules_.emplace(id, static_cast<LocalId>(out_.modules.size()));
    out_.modules.push_back(std::move(m));
  }

  void stack(const Record& r) {
    std::int64_t id = r.integer(rf::stack::kId);
    if (stacks_.count(id)) r.fail("stack id " + std::to_string(id) + " is defined twice");
    const jl::Value* frames = r.find(rf::stack::kFrames);
    if (!frames || frames->type != jl::Type::Array)
      r.fail(std::string("member \"") + rf::stack::kFrames + "\" must be an array");
    RawStack s;
    s.frames.reserve(frames->count);
    std::size_t index = 0;
    for (const jl::Value* f = doc_.begin(*frames); f != doc_.end(*frames); ++f) {
      if (f->type != jl::Type::Object) r.fail("frame #" + std::to_string(index) + " is not an object");
      Record fr(doc_, *f, path_, r.line(), "stack frame #" + std::to_string(index));
      RawFrame frame;
      frame.pc = fr.optAddress(rf::frame::kPc).value_or(0);
      if (auto mod = fr.optInteger(rf::frame::kModule)) {
        auto it = modules_.find(*mod);
        if (it == modules_.end()) fr.fail("refers to module " + std::to_string(*mod) + ", not defined before");
        frame.module = it->second;
      }
      frame.offset = fr.optAddress(rf::frame::kOffset);
      frame.function = fr.optString(rf::frame::kFunction);
      frame.file = fr.optString(rf::frame::kFile);
      frame.line = fr.optInteger(rf::frame::kLine);
      if (frame.line && *frame.line <= 0) frame.line.reset();  // 0 is "unknown" for some symbolizers
      s.frames.push_back(std::move(frame));
      ++index;
    }
    stacks_.emplace(id, static_cast<LocalId>(out_.stacks.size()));
    out_.stacks.push_back(std::move(s));
  }

  std::optional<LocalId> stackRef(const Record& r, const char* key) {
    auto id = r.optInteger(key);
    if (!id) return std::nullopt;
    auto it = stacks_.find(*id);
    if (it == stacks_.end())
      r.fail(std::string("\"") + key + "\" refers to stack " + std::to_string(*id) + ", not defined before");
    return it->second;
  }

  void error(const Record& r) {
    RawError e;
    std::string kind = r.string(rf::error::kKind);
    if (!dm::error_kind_from_name(kind.data(), kind.size(), &e.kind)) r.fail("unknown error kind \"" + kind + "\"");
    e.count = r.optCount(rf::error::kCount, 1);
    e.api = r.optString(rf::error::kApi).value_or("");
    e.address = r.optAddress(rf::error::kAddress);
    e.block = r.optAddress(rf::error::kBlock);
    if (auto size = r.optInteger(rf::error::kSize)) {
      if (*size < 0) r.fail(std::string("member \"") + rf::error::kSize + "\" must not be negative");
      e.size = static_cast<std::uint64_t>(*size);
    }
    e.offset = r.optInteger(rf::error::kOffset);
    if (auto bad = r.optInteger(rf::error::kBadBytes); bad && *bad >= 0) e.badBytes = static_cast<std::uint64_t>(*bad);
    if (auto access = r.optString(rf::error::kAccess)) {
      if (*access == rf::error::kAccessRead)
        e.access = Access::Read;
      else if (*access == rf::error::kAccessWrite)
        e.access = Access::Write;
      else
        r.fail(std::string("member \"") + rf::error::kAccess + "\" must be \"" + rf::error::kAccessRead + "\", \"" +
               rf::error::kAccessWrite + "\" or null, not \"" + *access + "\"");
    }
    e.message = r.optString(rf::error::kMessage).value_or("");
    e.stack = stackRef(r, rf::error::kStack);
    e.allocStack = stackRef(r, rf::error::kAllocStack);
    e.freeStack = stackRef(r, rf::error::kFreeStack);
    out_.errors.push_back(std::move(e));
  }

  void leak(const Record& r) {
    RawLeak l;
    std::string kind = r.string(rf::leak::kKind);
    if (!dm::leak_kind_from_name(kind.data(), kind.size(), &l.kind)) r.fail("unknown leak kind \"" + kind + "\"");
    l.bytes = r.count(rf::leak::kBytes);
    l.blocks = r.count(rf::leak::kBlocks);
    l.stack = stackRef(r, rf::leak::kStack);
    l.indirectBytes = r.optCount(rf::leak::kIndirectBytes, 0);
    l.indirectBlocks = r.optCount(rf::leak::kIndirectBlocks, 0);
    out_.leaks.push_back(l);
  }

  void suppressed(const Record& r) {
    SuppressedCounts s;
    s.errors = r.optCount(rf::suppressed::kErrors, 0);
    s.leakBlocks = r.optCount(rf::suppressed::kLeakBlocks, 0);
    s.leakBytes = r.optCount(rf::suppressed::kLeakBytes, 0);
    out_.suppressed += s;
  }

  void end(const Record& r) {
    EndInfo e;
    e.reason = r.optString(rf::end::kReason).value_or(rf::end::kReasonExit);
    e.exitCode = r.optInteger(rf::end::kExitCode);
    e.forcedExitCode = r.optInteger(rf::end::kForcedExitCode);
    e.leakCheck = r.optBool(rf::end::kLeakCheck, false);
    e.errors = r.optCount(rf::end::kErrors, 0);
    e.leakedBytes = r.optCountsByKind(rf::end::kLeakedBytes);
    e.leakedBlocks = r.optCountsByKind(rf::end::kLeakedBlocks);
    if (const jl::Value* kinds = r.find(rf::end::kLeakKinds); kinds && kinds->type != jl::Type::Null) {
      if (kinds->type != jl::Type::Array)
        r.fail(std::string("member \"") + rf::end::kLeakKinds + "\" must be an array of leak kinds, or null");
      e.listed = {};
      for (const jl::Value* kind = doc_.begin(*kinds); kind != doc_.end(*kinds); ++kind) {
        if (kind->type != jl::Type::String)
          r.fail(std::string("member \"") + rf::end::kLeakKinds + "\" must be an array of leak kinds, or null");
        dm::LeakKind k{};
        if (!dm::leak_kind_from_name(kind->string.data(), kind->string.size(), &k))
          r.fail("unknown leak kind \"" + std::string(kind->string) + "\" in \"" + rf::end::kLeakKinds + "\"");
        e.listed[static_cast<std::size_t>(k)] = true;
      }
    }
    out_.end = std::move(e);
  }

  const std::string& path_;
  EndRule rule_;
  ReportFile out_;
  bool sawProcess_ = false;
  std::unordered_map<std::int64_t, LocalId> modules_, stacks_;
  jl::Document doc_;  // reused for every line
};

}  // namespace

EndRule endRuleFor(std::string_view path) {
  constexpr std::string_view suffix = rf::kFinishedSuffix;
  bool finished = path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  return finished ? EndRule::Required : EndRule::Optional;
}

ReportFile parseReport(std::string_view text, const std::string& path, EndRule rule) {
  return Parser(path, rule).run(text);
}

ReportFile readReport(const std::string& path) {
  // O_NONBLOCK so that a FIFO named like a report cannot hang us.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw InputError(path, 0, std::string("cannot open: ") + std::strerror(errno));
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw InputError(path, 0, std::string("cannot read: ") + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return parseReport(text, path, endRuleFor(path));
}

}  // namespace dmtool
