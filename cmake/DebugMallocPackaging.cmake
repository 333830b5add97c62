# Installing and packaging what the subdirectories do not install themselves: the pkg-config
# file, the Python package (the pytest plugin), and the Debian package that `make deb` builds
# (cpack -G DEB in the build directory: build/debugmalloc_<version>_<arch>.deb).

# pkg-config: the header's include directory, and `preload`, the library's path for LD_PRELOAD.
set(DM_PKGCONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH DM_PC_PREFIX_FROM_PCDIR ${CMAKE_INSTALL_PREFIX}/${DM_PKGCONFIG_DIR} ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" DM_PC_PREFIX_FROM_PCDIR "${DM_PC_PREFIX_FROM_PCDIR}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/debugmalloc.pc.in ${CMAKE_BINARY_DIR}/debugmalloc.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/debugmalloc.pc DESTINATION ${DM_PKGCONFIG_DIR})

# The Python package (python/debugmalloc: the runtime API and the pytest plugin). Debian's python3
# reads /usr/lib/python3/dist-packages for every version; under another prefix, put the directory
# on PYTHONPATH or set this variable.
set(DEBUGMALLOC_PYTHON_DIR "lib/python3/dist-packages" CACHE STRING
    "Where the debugmalloc Python package is installed (relative paths are under the prefix)")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/python/debugmalloc DESTINATION ${DEBUGMALLOC_PYTHON_DIR} OPTIONAL
        PATTERN __pycache__ EXCLUDE PATTERN "*.pyc" EXCLUDE)

# The Debian package: everything above and the subdirectories' install rules, under /usr. Libraries go
# to the build's CMAKE_INSTALL_LIBDIR: lib by default, lib/<multiarch> when configured with
# -DCMAKE_INSTALL_PREFIX=/usr; the tool, the pkg-config file and the CMake package find them either way.
set(DEBUGMALLOC_PACKAGE_MAINTAINER "debugmalloc developers <debugmalloc@localhost>" CACHE STRING
    "The Maintainer field of the Debian package")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME debugmalloc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${DEBUGMALLOC_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "malloc debugger and leak detector for unmodified Linux programs")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "Preload libdebugmalloc.so into any dynamically linked program, or run it with `debugmalloc run`, to find "
       "heap buffer overflows and underflows, use after free, double, invalid and mismatched frees, and leaks, "
       "with a backtrace for every allocation and free. `debugmalloc report` merges the report files of many "
       "processes and renders them as text, JSON, SARIF, HTML, Valgrind XML or JUnit.\n"
       "Also: the runtime API header, a pkg-config file, the CMake package (a GoogleTest listener and a CTest "
       "memcheck module), and a pytest plugin.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the binaries' libraries (dpkg-shlibdeps, from dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3-pytest, libgtest-dev, cmake, pkg-config")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
