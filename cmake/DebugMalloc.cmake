# DebugMalloc.cmake: CTest memcheck mode: every test of the project runs under debugmalloc.
#
#   include(DebugMalloc)      # anywhere in the project (or find_package(debugmalloc))
#
#   cmake -B build -DDEBUGMALLOC_MEMCHECK=ON && cmake --build build && ctest --test-dir build
#   DEBUGMALLOC_MEMCHECK=1 ctest --test-dir build      # the same, chosen when the tests run
#
# In memcheck mode each test's command runs under `debugmalloc run` (the test and every
# process it starts are checked; the test fails when they had heap errors or leaks, and
# its output shows them), each test's report files go to DIR/reports/<test>, and a last
# test, debugmalloc_memcheck_report (a CTest fixture cleanup, so it also runs after
# `ctest -R ...`), merges them into DIR/debugmalloc.{html,sarif,junit.xml,json}, prints
# the merged text report and the tests that had findings, and fails on findings.
# DIR is DEBUGMALLOC_MEMCHECK_DIR (default: <build>/debugmalloc).
#
# Tests added by gtest_discover_tests() are covered too. Run ctest from the top of the
# build tree: the mode is set up by the top directory's CTest file.
#
# Cache variables (also read from the environment when ctest runs, marked *):
#   DEBUGMALLOC_MEMCHECK*          ON/OFF (the environment's 1/0 overrides the cache)
#   DEBUGMALLOC_MEMCHECK_DIR*      where report files and merged reports go
#   DEBUGMALLOC_MEMCHECK_EXCLUDE*  regular expression: tests whose name or command line
#                                  matches run as usual
# A project that has tests which must never run under the tool sets the normal variable
# DEBUGMALLOC_MEMCHECK_PROJECT_EXCLUDE (a regular expression) before including the module;
# it applies on top of DEBUGMALLOC_MEMCHECK_EXCLUDE.
#   DEBUGMALLOC_MEMCHECK_RUN_ARGS  more `debugmalloc run` arguments (a ;-list), e.g. --leak-kinds;all
#   DEBUGMALLOC_MEMCHECK_SUPPRESSIONS  suppression files, added to debugmalloc-memcheck.supp
#   DEBUGMALLOC_MEMCHECK_FAIL_ON   findings that fail (`--fail-on`; empty: errors,definite,indirect)
#   DEBUGMALLOC_MEMCHECK_BASELINE  only findings new since this baseline fail (the final
#                                  report decides; tests then fail only on their own status)
#   DEBUGMALLOC_MEMCHECK_FORMATS   merged reports written (html;sarif;junit;json)
#
# How: CTest reads the project's CTest files, which are CMake scripts; the top directory's
# TEST_INCLUDE_FILES run first, so the module's script (DebugMallocCTest.cmake) redefines
# add_test() and set_tests_properties() there for the rest of the reading (CMake keeps a
# redefined command reachable as _add_test). Needs CMake 3.19 or later.
include_guard(GLOBAL)
# Not cmake_minimum_required(): in a module it would reset the includer's policies.
if(CMAKE_VERSION VERSION_LESS 3.19)
  message(FATAL_ERROR "DebugMalloc.cmake needs CMake 3.19 or later (this is ${CMAKE_VERSION})")
endif()

option(DEBUGMALLOC_MEMCHECK "Run every test under debugmalloc; fail on heap errors and leaks" OFF)
set(DEBUGMALLOC_MEMCHECK_DIR "${CMAKE_BINARY_DIR}/debugmalloc" CACHE PATH
    "Where the memcheck mode writes report files and merged reports")
set(DEBUGMALLOC_MEMCHECK_EXCLUDE "" CACHE STRING
    "Regular expression: tests whose name or command line matches run without debugmalloc")
set(DEBUGMALLOC_MEMCHECK_RUN_ARGS "" CACHE STRING
    "More 'debugmalloc run' arguments for every test (a ;-list)")
set(DEBUGMALLOC_MEMCHECK_SUPPRESSIONS "" CACHE STRING
    "Suppression files (a ;-list) added to the module's own")
set(DEBUGMALLOC_MEMCHECK_FAIL_ON "" CACHE STRING
    "Findings that fail a test and the final report (debugmalloc --fail-on); empty: the default")
set(DEBUGMALLOC_MEMCHECK_BASELINE "" CACHE FILEPATH
    "Only findings new since this baseline fail the final report (debugmalloc report --diff)")
set(DEBUGMALLOC_MEMCHECK_FORMATS "html;sarif;junit;json" CACHE STRING
    "Merged reports the final test writes into DEBUGMALLOC_MEMCHECK_DIR")

set(_DEBUGMALLOC_MODULE_DIR "${CMAKE_CURRENT_LIST_DIR}")

# The tool and the library: this project's own targets when debugmalloc is part of the
# build, else the installed ones (find_package(debugmalloc) sets both).
if(TARGET debugmalloc-tool AND TARGET debugmalloc)
  set(_dm_tool "$<TARGET_FILE:debugmalloc-tool>")
  set(_dm_library "$<TARGET_FILE:debugmalloc>")
else()
  find_program(DEBUGMALLOC_TOOL debugmalloc DOC "The debugmalloc program")
  find_library(DEBUGMALLOC_LIBRARY debugmalloc DOC "libdebugmalloc.so")
  set(_dm_tool "${DEBUGMALLOC_TOOL}")
  set(_dm_library "${DEBUGMALLOC_LIBRARY}")
endif()

# One suppression file: `debugmalloc run` takes one.
set(_dm_supp "${CMAKE_BINARY_DIR}/debugmalloc-memcheck/suppressions.supp")
file(READ "${_DEBUGMALLOC_MODULE_DIR}/debugmalloc-memcheck.supp" _dm_supp_text)
foreach(_dm_file IN LISTS DEBUGMALLOC_MEMCHECK_SUPPRESSIONS)
  get_filename_component(_dm_file "${_dm_file}" ABSOLUTE BASE_DIR "${CMAKE_SOURCE_DIR}")
  file(READ "${_dm_file}" _dm_more)
  string(APPEND _dm_supp_text "# ${_dm_file}\n${_dm_more}\n")
  set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_dm_file}")
endforeach()
file(WRITE "${_dm_supp}" "${_dm_supp_text}")

include("${_DEBUGMALLOC_MODULE_DIR}/DebugMallocQuote.cmake")

set(_dm_settings "")
foreach(_dm_pair IN ITEMS
    "ENABLED;${DEBUGMALLOC_MEMCHECK}" "DIR;${DEBUGMALLOC_MEMCHECK_DIR}" "EXCLUDE;${DEBUGMALLOC_MEMCHECK_EXCLUDE}"
    "PROJECT_EXCLUDE;${DEBUGMALLOC_MEMCHECK_PROJECT_EXCLUDE}"
    "FAIL_ON;${DEBUGMALLOC_MEMCHECK_FAIL_ON}" "BASELINE;${DEBUGMALLOC_MEMCHECK_BASELINE}"
    "SOURCE_ROOT;${CMAKE_SOURCE_DIR}" "CMAKE_COMMAND;${CMAKE_COMMAND}" "SUPPRESSIONS;${_dm_supp}"
    "TOOL;${_dm_tool}" "LIBRARY;${_dm_library}" "MODULE_DIR;${_DEBUGMALLOC_MODULE_DIR}")
  list(POP_FRONT _dm_pair _dm_key)
  _debugmalloc_quote(_dm_value "${_dm_pair}")
  string(APPEND _dm_settings "set(DEBUGMALLOC_CTEST_${_dm_key} ${_dm_value})\n")
endforeach()
foreach(_dm_key IN ITEMS RUN_ARGS FORMATS)
  _debugmalloc_quote(_dm_value "${DEBUGMALLOC_MEMCHECK_${_dm_key}}")
  string(APPEND _dm_settings "set(DEBUGMALLOC_CTEST_${_dm_key} ${_dm_value})\n")
endforeach()
set(_dm_ctest_file "${CMAKE_BINARY_DIR}/debugmalloc-memcheck/ctest.cmake")
file(GENERATE OUTPUT "${_dm_ctest_file}" CONTENT
"# Generated by DebugMalloc.cmake: the settings of the memcheck mode, read by CTest.
${_dm_settings}include(\"${_DEBUGMALLOC_MODULE_DIR}/DebugMallocCTest.cmake\")
")

# First among the top directory's CTest include files (gtest_discover_tests() adds its
# own there too), at the end of the configuration so that nothing comes before it.
set_property(GLOBAL PROPERTY _DEBUGMALLOC_CTEST_FILE "${_dm_ctest_file}")
function(_debugmalloc_register_ctest_file)
  get_property(mine GLOBAL PROPERTY _DEBUGMALLOC_CTEST_FILE)
  get_property(files DIRECTORY "${CMAKE_SOURCE_DIR}" PROPERTY TEST_INCLUDE_FILES)
  list(REMOVE_ITEM files "${mine}")
  list(PREPEND files "${mine}")
  set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" PROPERTY TEST_INCLUDE_FILES "${files}")
endfunction()
cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _debugmalloc_register_ctest_file)
