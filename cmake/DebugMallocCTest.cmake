# DebugMallocCTest.cmake: read by CTest before any test of the project is defined (see
# DebugMalloc.cmake). In memcheck mode it adds the fixture tests and redefines add_test()
# and set_tests_properties() so that every test that follows runs under `debugmalloc run`.
#
# Inputs: the DEBUGMALLOC_CTEST_* variables of the generated debugmalloc-memcheck/ctest.cmake;
# the environment's DEBUGMALLOC_MEMCHECK, DEBUGMALLOC_MEMCHECK_DIR, DEBUGMALLOC_MEMCHECK_EXCLUDE
# override ENABLED, DIR and EXCLUDE (PROJECT_EXCLUDE always applies).
if(DEFINED ENV{DEBUGMALLOC_MEMCHECK} AND NOT "$ENV{DEBUGMALLOC_MEMCHECK}" STREQUAL "")
  set(DEBUGMALLOC_CTEST_ENABLED "$ENV{DEBUGMALLOC_MEMCHECK}")
endif()
if(NOT DEBUGMALLOC_CTEST_ENABLED)
  return()
endif()
if(DEFINED ENV{DEBUGMALLOC_MEMCHECK_DIR} AND NOT "$ENV{DEBUGMALLOC_MEMCHECK_DIR}" STREQUAL "")
  set(DEBUGMALLOC_CTEST_DIR "$ENV{DEBUGMALLOC_MEMCHECK_DIR}")
endif()
if(DEFINED ENV{DEBUGMALLOC_MEMCHECK_EXCLUDE})
  set(DEBUGMALLOC_CTEST_EXCLUDE "$ENV{DEBUGMALLOC_MEMCHECK_EXCLUDE}")
endif()
get_property(_dm_active GLOBAL PROPERTY _DEBUGMALLOC_CTEST_ACTIVE)
if(_dm_active)
  return()  # read twice (nested CTest files): the commands are redefined already
endif()
set_property(GLOBAL PROPERTY _DEBUGMALLOC_CTEST_ACTIVE 1)
if(NOT EXISTS "${DEBUGMALLOC_CTEST_TOOL}")
  message(FATAL_ERROR "debugmalloc memcheck mode: the debugmalloc program '${DEBUGMALLOC_CTEST_TOOL}' "
                      "does not exist (build the project first, or set DEBUGMALLOC_TOOL)")
endif()

set(_dm_fixture debugmalloc_memcheck)
set(_dm_reports "${DEBUGMALLOC_CTEST_DIR}/reports")

include("${DEBUGMALLOC_CTEST_MODULE_DIR}/DebugMallocQuote.cmake")

# The directory of a test's report files: its name, with what cannot be in a path or in
# DEBUGMALLOC_OPTIONS replaced (and then a hash, so that two names never share one).
function(_dm_test_dir out name)
  string(REGEX REPLACE "[^A-Za-z0-9._+-]" "_" id "${name}")
  string(LENGTH "${id}" length)
  if(NOT id STREQUAL name OR id MATCHES "^[.]" OR length GREATER 100)
    string(SUBSTRING "${id}" 0 100 id)
    string(MD5 hash "${name}")
    string(SUBSTRING "${hash}" 0 8 hash)
    set(id "${id}-${hash}")
  endif()
  set(${out} "${_dm_reports}/${id}" PARENT_SCOPE)
endfunction()

# The fixture: the setup test empties the report directory; the cleanup test renders the
# merged report and fails on findings. Defined before add_test() is redefined.
add_test(debugmalloc_memcheck_setup "${DEBUGMALLOC_CTEST_CMAKE_COMMAND}" -E rm -rf "${_dm_reports}")
set_tests_properties(debugmalloc_memcheck_setup PROPERTIES FIXTURES_SETUP ${_dm_fixture} LABELS debugmalloc)
add_test(debugmalloc_memcheck_report "${DEBUGMALLOC_CTEST_CMAKE_COMMAND}"
  "-DTOOL=${DEBUGMALLOC_CTEST_TOOL}" "-DDIR=${DEBUGMALLOC_CTEST_DIR}" "-DFORMATS=${DEBUGMALLOC_CTEST_FORMATS}"
  "-DFAIL_ON=${DEBUGMALLOC_CTEST_FAIL_ON}" "-DBASELINE=${DEBUGMALLOC_CTEST_BASELINE}"
  "-DSUPPRESSIONS=${DEBUGMALLOC_CTEST_SUPPRESSIONS}" "-DSOURCE_ROOT=${DEBUGMALLOC_CTEST_SOURCE_ROOT}"
  -P "${DEBUGMALLOC_CTEST_MODULE_DIR}/DebugMallocReport.cmake")
set_tests_properties(debugmalloc_memcheck_report PROPERTIES FIXTURES_CLEANUP ${_dm_fixture} LABELS debugmalloc
  FAIL_REGULAR_EXPRESSION "debugmalloc: heap errors or leaks found")

# Every test that follows: `debugmalloc run [options] -- COMMAND ARGS...`, requiring the fixture.
# The library's exitcode=0 keeps every process's own exit status (a shell or a driver
# that checks its children behaves as usual); `debugmalloc run` then fails the test on
# findings of any of its processes.
set(_dm_run "${DEBUGMALLOC_CTEST_TOOL}" run --option exitcode=0)
if(DEBUGMALLOC_CTEST_LIBRARY)
  list(APPEND _dm_run --library "${DEBUGMALLOC_CTEST_LIBRARY}")
endif()
if(DEBUGMALLOC_CTEST_SUPPRESSIONS)
  list(APPEND _dm_run --suppressions "${DEBUGMALLOC_CTEST_SUPPRESSIONS}")
endif()
if(DEBUGMALLOC_CTEST_FAIL_ON)
  list(APPEND _dm_run --fail-on "${DEBUGMALLOC_CTEST_FAIL_ON}")
endif()
# Against a baseline only new findings fail, and only the final report knows which are new:
# a test keeps its own status, and the GoogleTest listener stays out (DEBUGMALLOC_GTEST=0).
if(DEBUGMALLOC_CTEST_BASELINE)
  list(PREPEND _dm_run "${DEBUGMALLOC_CTEST_CMAKE_COMMAND}" -E env DEBUGMALLOC_GTEST=0)
  list(APPEND _dm_run --exitcode 0)
endif()
list(APPEND _dm_run ${DEBUGMALLOC_CTEST_RUN_ARGS})

function(add_test name)
  set(call "")
  # The exclusion regex sees the name and the command line (a test program's path is
  # steadier than the names gtest_discover_tests() gives its tests).
  list(JOIN ARGV " " subject)
  if((NOT "${DEBUGMALLOC_CTEST_EXCLUDE}" STREQUAL "" AND subject MATCHES "${DEBUGMALLOC_CTEST_EXCLUDE}") OR
     (NOT "${DEBUGMALLOC_CTEST_PROJECT_EXCLUDE}" STREQUAL "" AND subject MATCHES "${DEBUGMALLOC_CTEST_PROJECT_EXCLUDE}"))
    set(wrap OFF)
  else()
    set(wrap ON)
    _dm_test_dir(dir "${name}")
    foreach(arg IN LISTS _dm_run ITEMS --report-dir "${dir}" --)
      _debugmalloc_quote(q "${arg}")
      string(APPEND call " ${q}")
    endforeach()
  endif()
  # ARGV<n> keeps each argument exactly (${ARGN} would split those holding ';').
  math(EXPR last "${ARGC} - 1")
  foreach(i RANGE 1 ${last})
    _debugmalloc_quote(q "${ARGV${i}}")
    string(APPEND call " ${q}")
  endforeach()
  _debugmalloc_quote(qname "${name}")
  cmake_language(EVAL CODE "_add_test(${qname}${call})")
  if(wrap)
    set_property(GLOBAL PROPERTY "_dm_wrapped_${name}" 1)
    _set_tests_properties("${name}" PROPERTIES FIXTURES_REQUIRED ${_dm_fixture})
  endif()
endfunction()

# A wrapped test keeps the fixture when the project sets its own FIXTURES_REQUIRED.
function(set_tests_properties)
  set(names "")
  set(i 0)
  while(i LESS ARGC AND NOT "${ARGV${i}}" STREQUAL "PROPERTIES")
    list(APPEND names "${ARGV${i}}")
    math(EXPR i "${i} + 1")
  endwhile()
  math(EXPR first "${i} + 1")
  foreach(name IN LISTS names)
    get_property(wrapped GLOBAL PROPERTY "_dm_wrapped_${name}")
    _debugmalloc_quote(call "${name}")
    string(APPEND call " PROPERTIES")
    set(k ${first})
    while(k LESS ARGC)
      math(EXPR v "${k} + 1")
      set(key "${ARGV${k}}")
      set(value "")
      if(v LESS ARGC)
        set(value "${ARGV${v}}")
      endif()
      if(wrapped AND key STREQUAL "FIXTURES_REQUIRED")
        list(APPEND value ${_dm_fixture})
      endif()
      _debugmalloc_quote(qk "${key}")
      _debugmalloc_quote(qv "${value}")
      string(APPEND call " ${qk} ${qv}")
      math(EXPR k "${k} + 2")
    endwhile()
    cmake_language(EVAL CODE "_set_tests_properties(${call})")
  endforeach()
endfunction()
