# rio_set_warnings(<target>): the warning set every rio target builds with.
# -Werror is added by the `ci` preset (RIO_WARNINGS_AS_ERRORS), never by default, so that
# a newer compiler on a user's machine cannot break their build.
option(RIO_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" OFF)

function(rio_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
    -Wcast-qual -Wformat=2 -Wimplicit-fallthrough -Wextra-semi -Wnull-dereference)
  if(RIO_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
