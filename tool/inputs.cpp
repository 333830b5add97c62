// Finding report files under the paths given and reading them, in parallel.
#include "inputs.h"

#include "common/report_format.h"
#include "parse_error.h"
#include "report_parser.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>
#include <tuple>

namespace dmtool {
namespace fs = std::filesystem;

bool isReportFileName(const std::string& name) {
  auto ends = [&](std::string_view s) {
    return name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  namespace rf = dm::report_format;
  return ends(rf::kFinishedSuffix) || ends(rf::kIncompleteSuffix) || ends(rf::kJournalSuffix);
}

std::vector<std::string> expandPaths(const std::vector<std::string>& paths, std::vector<std::string>& warnings) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) throw InputError(path, 0, "no such file or directory");
    if (!fs::is_directory(st)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) throw InputError(path, 0, "cannot read directory: " + ec.message());
    for (; it != end; it.increment(ec)) {
      if (ec) {
        warnings.push_back(path + ": " + ec.message());
        break;
      }
      if (it->is_regular_file(ec) && isReportFileName(it->path().filename().string()))
        found.push_back(it->path().string());
    }
    if (found.empty()) warnings.push_back(path + ": no report files (*.report, *.incomplete, *.journal) in it");
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

LoadResult loadReports(const std::vector<std::string>& paths, const LoadOptions& options) {
  LoadResult result;
  std::vector<std::string> files = expandPaths(paths, result.warnings);

  std::vector<std::optional<ReportFile>> parsed(files.size());
  std::vector<std::optional<InputError>> failures(files.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < files.size();) {
      try {
        parsed[i] = readReport(files[i]);
      } catch (const InputError& e) {
        failures[i] = e;
      } catch (const std::exception& e) {  // e.g. bad_alloc on an absurd file: still name it
        failures[i] = InputError(files[i], 0, e.what());
      }
    }
  };
  unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  // Small inputs are not worth a thread.
  jobs = static_cast<unsigned>(std::min<std::size_t>(jobs, files.size() / 16 + 1));
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();

  for (std::size_t i = 0; i < files.size(); ++i) {
    if (failures[i]) {
      if (!options.keepGoing) throw *failures[i];
      result.warnings.push_back(std::string(failures[i]->what()) + " (skipped)");
      continue;
    }
    // A journal's cut-short last line is ignored silently: the process is shown as incomplete.
    result.reports.push_back(std::move(*parsed[i]));
  }
  std::stable_sort(result.reports.begin(), result.reports.end(), [](const ReportFile& a, const ReportFile& b) {
    auto key = [](const ReportFile& r) {
      return std::make_tuple(r.process.start.value_or(0), r.process.pid, r.process.gen.value_or(0));
    };
    return key(a) < key(b);
  });
  return result;
}

}  // namespace dmtool
