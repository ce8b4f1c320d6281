# rio_add_module(<target> SOURCES <src>... [OUTPUT_NAME <name>] [OUTPUT_DIRECTORY <dir>])
#
# Builds an installer module as a shared object that the rio kernel loads with Boost.DLL.
# This file is installed with the SDK, so in-tree modules and third-party modules are built
# with exactly the same flags:
#  - a MODULE library named rio-<target>.so (override with OUTPUT_NAME);
#  - hidden symbol visibility, so one module's symbols cannot shadow another's;
#  - -Wl,--no-undefined, so a module that reaches for kernel, libssh2 or libsodium symbols
#    fails at link time instead of at load time;
#  - linked to rio::sdk only; the SDK target carries C++20 and the Boost configuration
#    (BOOST_DLL_USE_STD_FS) that must be identical on both sides of the plugin boundary.
function(rio_add_module target)
  cmake_parse_arguments(ARG "" "OUTPUT_NAME;OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "rio_add_module(${target}): SOURCES is required")
  endif()
  if(NOT ARG_OUTPUT_NAME)
    set(ARG_OUTPUT_NAME "rio-${target}")
  endif()

  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE rio::sdk)
  target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "${ARG_OUTPUT_NAME}"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}")
  endif()
  if(COMMAND rio_set_warnings)
    rio_set_warnings(${target})
  endif()
endfunction()
