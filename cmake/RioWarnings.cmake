# rio_set_warnings(<target>): the warning set every rio target builds with. Installed with the
# SDK, so out-of-tree modules built with rio_add_module() get the same warnings.
# -Wnull-dereference is left out: at -O2 it reports false positives inside Asio and libstdc++.
# -Wmismatched-new-delete is off: GCC 12 flags Asio's coroutine frame allocator at -O2, a known
# false positive (the frame's operator new and delete are a matching pair).
# -Warray-bounds, -Wstringop-overflow and -Wstringop-overread are off: GCC 12 at -O2 reports std::string concatenation as out of bounds
# (GCC bugs 105651, 106199). ASan and UBSan (the asan preset) check bounds for real.
# -Werror is added by the `ci` preset (RIO_WARNINGS_AS_ERRORS), never by default, so that
# a newer compiler on a user's machine cannot break their build.
option(RIO_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" OFF)

function(rio_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
    -Wcast-qual -Wformat=2 -Wimplicit-fallthrough -Wextra-semi -Wno-mismatched-new-delete -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread)
  if(RIO_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
