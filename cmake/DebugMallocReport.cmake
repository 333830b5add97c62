# DebugMallocReport.cmake: the last test of the memcheck mode (cmake -P). Merges every
# test's report files, writes the merged reports, prints the text report and the tests
# with findings, and announces findings that fail (the test fails on that line).
#
# -D inputs: TOOL, DIR (reports are in DIR/reports/<test>), FORMATS (html;sarif;junit;json),
# FAIL_ON, BASELINE (report --diff), SUPPRESSIONS, SOURCE_ROOT (SARIF paths relative to it).
cmake_minimum_required(VERSION 3.19)

set(reports "${DIR}/reports")
file(GLOB_RECURSE files "${reports}/*.report" "${reports}/*.journal" "${reports}/*.incomplete")
if(NOT files)
  message("debugmalloc: no report files in ${reports}: no test ran under the tool")
  return()
endif()

set(common report "${reports}" --keep-going)
if(SUPPRESSIONS)
  list(APPEND common --suppressions "${SUPPRESSIONS}")
endif()
if(FAIL_ON)
  list(APPEND common --fail-on "${FAIL_ON}")
endif()
if(BASELINE)
  list(APPEND common --diff "${BASELINE}")
endif()

# The merged reports, for CI (code scanning, test results, an HTML page to upload).
set(written "")
foreach(format IN LISTS FORMATS)
  set(extension "${format}")
  if(format STREQUAL "junit")
    set(extension "junit.xml")
  endif()
  set(out "${DIR}/debugmalloc.${extension}")
  set(extra "")
  if(format STREQUAL "sarif" AND SOURCE_ROOT)
    set(extra --source-root "${SOURCE_ROOT}")
  endif()
  execute_process(COMMAND "${TOOL}" ${common} --format ${format} ${extra} --output "${out}"
                  RESULT_VARIABLE status ERROR_VARIABLE error)
  if(status GREATER 1)
    message(FATAL_ERROR "debugmalloc report --format ${format} failed (${status}): ${error}")
  endif()
  list(APPEND written "${out}")
endforeach()

# Which tests had findings: each process's report file lies in its test's directory.
set(json "${DIR}/debugmalloc.json")
if(NOT "json" IN_LIST FORMATS)
  set(json "${DIR}/findings.json")
  execute_process(COMMAND "${TOOL}" ${common} --format json --output "${json}" RESULT_VARIABLE status)
endif()
file(READ "${json}" document)
# The pids of the processes with findings, then the tests whose directories hold report
# files of those pids (the pid is in the file's name). Text matching, not string(JSON):
# that parses the whole document at every call, too slow for a suite's thousands of processes.
string(REGEX MATCHALL "\"pids\": *\\[[^]]*\\]" arrays "${document}")
string(REGEX MATCHALL "[0-9]+" pids "${arrays}")
list(REMOVE_DUPLICATES pids)
set(tests "")
foreach(file IN LISTS files)
  get_filename_component(name "${file}" NAME)
  if(name MATCHES "^debugmalloc-([0-9]+)[-.]" AND CMAKE_MATCH_1 IN_LIST pids)
    file(RELATIVE_PATH relative "${reports}" "${file}")
    string(REGEX REPLACE "/.*" "" test "${relative}")
    list(APPEND tests "${test}")
  endif()
endforeach()
list(REMOVE_DUPLICATES tests)

# The text report last, so that it is what a reader sees; its status decides. Findings are
# announced by a line that the test's FAIL_REGULAR_EXPRESSION matches (a FATAL_ERROR would
# bury the list of tests in "CMake Error at ..." noise).
execute_process(COMMAND "${TOOL}" ${common} --format text RESULT_VARIABLE status)
list(JOIN written "\n  " written_lines)
message("debugmalloc: merged reports:\n  ${written_lines}")
if(status EQUAL 0)
  message("debugmalloc: no findings that fail")
elseif(status EQUAL 1)
  list(JOIN tests "\n  " test_lines)
  message("debugmalloc: heap errors or leaks found, in these tests:\n  ${test_lines}\n"
          "(each test's report files are in ${reports}/<test>)")
else()
  message(FATAL_ERROR "debugmalloc report failed with status ${status}")
endif()
