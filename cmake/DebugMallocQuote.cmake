# Bracket-quoted CMake argument text for `value` (safe for any content): shared by the CTest
# module at configure time (DebugMalloc.cmake) and when CTest reads the tests (DebugMallocCTest.cmake).

function(_debugmalloc_quote out value)
  set(eq "=")
  while("${value}" MATCHES "]${eq}]")
    string(APPEND eq "=")
  endwhile()
  set(${out} "[${eq}[${value}]${eq}]" PARENT_SCOPE)
endfunction()
