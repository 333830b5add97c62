// Valgrind-compatible XML (protocol version 4), for IDE and CI plugins that read memcheck's output.
#include "frames.h"
#include "markup.h"
#include "render.h"

namespace dmtool {
namespace {

// Memcheck's names for what debugmalloc finds. Guard and scribble damage is found after
// the fact, but it is a write where none was allowed: InvalidWrite. Memcheck calls a
// negative size argument (calloc's count or size too) a FishyValue.
const char* valgrindKind(ErrorKind k) {
  switch (k) {
    case ErrorKind::kDoubleFree:
    case ErrorKind::kInvalidFree:
      return "InvalidFree";
    case ErrorKind::kAllocDeallocMismatch:
      return "MismatchedFree";
    case ErrorKind::kAllocationSizeTooBig:
    case ErrorKind::kCallocOverflow:
      return "FishyValue";
    case ErrorKind::kMemcpyParamOverlap:
      return "Overlap";
    default:
      return "InvalidWrite";
  }
}
const char* valgrindKind(LeakKind k) {
  switch (k) {
    case LeakKind::kDefinite:
      return "Leak_DefinitelyLost";
    case LeakKind::kIndirect:
      return "Leak_IndirectlyLost";
    case LeakKind::kPossible:
      return "Leak_PossiblyLost";
    case LeakKind::kReachable:
      return "Leak_StillReachable";
  }
  return "Leak_DefinitelyLost";
}

std::string upperHex(std::uint64_t v) {
  std::string h = hexString(v);
  for (std::size_t i = 2; i < h.size(); ++i) h[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(h[i])));
  return h;
}

void stackXml(std::ostream& out, const Model& model, const std::vector<FrameId>& frames) {
  out << "  <stack>\n";
  for (FrameId id : frames) {
    const Frame& f = model.frame(id);
    out << "    <frame>\n      <ip>" << upperHex(f.pc) << "</ip>\n";
    if (f.module) out << "      <obj>" << escapeXml(model.str(model.module(*f.module).path)) << "</obj>\n";
    if (f.function) out << "      <fn>" << escapeXml(model.str(f.function)) << "</fn>\n";
    if (f.file) {
      const std::string& file = model.str(f.file);
      auto slash = file.rfind('/');
      if (slash != std::string::npos && slash > 0)
        out << "      <dir>" << escapeXml(file.substr(0, slash)) << "</dir>\n";
      out << "      <file>" << escapeXml(std::string(baseName(file))) << "</file>\n";
      if (f.line) out << "      <line>" << f.line << "</line>\n";
    }
    out << "    </frame>\n";
  }
  out << "  </stack>\n";
}

}  // namespace

void renderValgrindXml(std::ostream& out, const Model& model, const Findings& findings, const RenderOptions&) {
  // One <valgrindoutput> holds one process in Valgrind; a merged report names the first
  // and lists every process in the preamble, keeping the document valid for readers.
  const Process* first = model.processes.empty() ? nullptr : &model.processes.front();
  out << "<?xml version=\"1.0\"?>\n\n<valgrindoutput>\n\n<protocolversion>4</protocolversion>\n"
      << "<protocoltool>memcheck</protocoltool>\n\n<preamble>\n"
      << "  <line>debugmalloc, a malloc debugger and leak detector (Valgrind-compatible XML)</line>\n";
  for (const Process& p : model.processes)
    out << "  <line>process " << p.pid << ": " << escapeXml(p.command) << (p.incomplete ? " (incomplete)" : "")
        << "</line>\n";
  out << "</preamble>\n\n<pid>" << (first ? first->pid : 0) << "</pid>\n<ppid>"
      << (first && first->ppid ? *first->ppid : 0) << "</ppid>\n<tool>memcheck</tool>\n\n"
      << "<args>\n  <vargv>\n    <exe>debugmalloc</exe>\n  </vargv>\n  <argv>\n";
  if (first) out << "    <exe>" << escapeXml(first->exe.empty() ? first->command : first->exe) << "</exe>\n";
  out << "  </argv>\n</args>\n\n<status>\n  <state>RUNNING</state>\n  <time>00:00:00:00.000 </time>\n</status>\n\n";

  std::uint64_t unique = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> counts;  // (count, unique)
  for (const ErrorGroup& g : findings.errors) {
    out << "<error>\n  <unique>" << hexString(unique) << "</unique>\n  <tid>1</tid>\n  <kind>" << valgrindKind(g.kind)
        << "</kind>\n  <what>" << escapeXml(std::string(error_kind_name(g.kind)) + ": " + model.str(g.message))
        << "</what>\n";
    if (g.stack)
      stackXml(out, model, model.stack(*g.stack));
    else
      out << "  <stack>\n  </stack>\n";
    if (g.freeStack) {
      out << "  <auxwhat>Block was free'd at</auxwhat>\n";
      stackXml(out, model, model.stack(*g.freeStack));
    }
    if (g.allocStack) {
      out << "  <auxwhat>Block was alloc'd at</auxwhat>\n";
      stackXml(out, model, model.stack(*g.allocStack));
    }
    out << "</error>\n\n";
    counts.emplace_back(g.count, unique++);
  }
  std::size_t record = 0;
  for (const LeakGroup& g : findings.leaks) {
    ++record;
    out << "<error>\n  <unique>" << hexString(unique++) << "</unique>\n  <tid>1</tid>\n  <kind>" << valgrindKind(g.kind)
        << "</kind>\n  <xwhat>\n    <text>" << g.bytes << " bytes in " << g.blocks << " blocks are "
        << leak_kind_phrase(g.kind) << " in loss record " << record << " of " << findings.leaks.size()
        << "</text>\n    <leakedbytes>" << g.bytes << "</leakedbytes>\n    <leakedblocks>" << g.blocks
        << "</leakedblocks>\n  </xwhat>\n";
    if (g.stack)
      stackXml(out, model, model.stack(*g.stack));
    else
      out << "  <stack>\n  </stack>\n";
    out << "</error>\n\n";
  }

  out << "<status>\n  <state>FINISHED</state>\n  <time>00:00:00:00.000 </time>\n</status>\n\n<errorcounts>\n";
  for (auto [count, id] : counts)
    out << "  <pair>\n    <count>" << count << "</count>\n    <unique>" << hexString(id) << "</unique>\n  </pair>\n";
  out << "</errorcounts>\n\n<suppcounts>\n</suppcounts>\n\n</valgrindoutput>\n";
}

}  // namespace dmtool
