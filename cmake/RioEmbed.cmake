# rio_embed_text(<target> <file> <identifier> [NAMESPACE <ns>] [CHOMP] [SHELL])
#
# Keeps data and scripts in files of their own language (JSON, sh) where their tools can read
# them, and still ships them inside the binary: at build time <file> becomes a generated header
# <identifier>.hpp, holding
#     namespace <ns> { inline constexpr std::string_view <identifier>{...}; }
# which <target>'s sources include as "embedded/<identifier>.hpp". Nothing is linked: a module
# that embeds its scripts still links rio::sdk only. The header is regenerated when <file>
# changes.
#   CHOMP  drops the file's final newline (for shell fragments spliced into other commands).
#   SHELL  the file is POSIX sh: it joins the list that shellcheck checks (the CTest test
#          `shellcheck` in tests/CMakeLists.txt, label unit).
#
# In script mode (cmake -P, run by the custom command) this file writes the header itself.

if(CMAKE_SCRIPT_MODE_FILE)
  file(READ "${RIO_EMBED_INPUT}" hex HEX)
  if(RIO_EMBED_CHOMP AND hex MATCHES "0a$")
    string(REGEX REPLACE "0a$" "" hex "${hex}")
  endif()
  string(LENGTH "${hex}" digits)
  math(EXPR size "${digits} / 2")
  # Every byte as a '\xHH' character of an array: exact for any content, no delimiter to collide
  # with, and no string literal for -Woverlength-strings to count (the limit is 64 KiB).
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  string(REPEAT "'[^']+'," 16 line)  # CMake's regex has no {n}
  string(REGEX REPLACE "(${line})" "\\1\n    " bytes "${bytes}")
  if(size EQUAL 0)
    set(bytes "'\\0'")  # an array cannot be empty; the view still has size 0
  endif()
  set(id "${RIO_EMBED_IDENTIFIER}")
  file(WRITE "${RIO_EMBED_OUTPUT}.tmp"
       "#pragma once\n"
       "// Generated at build time from ${RIO_EMBED_SOURCE_NAME} by cmake/RioEmbed.cmake; edit that file.\n"
       "#include <string_view>\n\n"
       "namespace ${RIO_EMBED_NAMESPACE} {\n"
       "inline constexpr char ${id}_bytes[] = {\n    ${bytes}};\n"
       "inline constexpr std::string_view ${id}{${id}_bytes, ${size}};\n"
       "}  // namespace ${RIO_EMBED_NAMESPACE}\n")
  file(COPY_FILE "${RIO_EMBED_OUTPUT}.tmp" "${RIO_EMBED_OUTPUT}" ONLY_IF_DIFFERENT)
  file(REMOVE "${RIO_EMBED_OUTPUT}.tmp")
  return()
endif()

set(RIO_EMBED_SCRIPT "${CMAKE_CURRENT_LIST_FILE}")

function(rio_embed_text target file identifier)
  cmake_parse_arguments(ARG "CHOMP;SHELL" "NAMESPACE" "" ${ARGN})
  if(NOT ARG_NAMESPACE)
    set(ARG_NAMESPACE "rio::embedded")
  endif()
  get_filename_component(input "${file}" ABSOLUTE)
  file(RELATIVE_PATH source_name "${PROJECT_SOURCE_DIR}" "${input}")
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${target}_embedded")
  set(output "${dir}/embedded/${identifier}.hpp")
  add_custom_command(
    OUTPUT "${output}"
    COMMAND "${CMAKE_COMMAND}" "-DRIO_EMBED_INPUT=${input}" "-DRIO_EMBED_OUTPUT=${output}"
            "-DRIO_EMBED_SOURCE_NAME=${source_name}" "-DRIO_EMBED_IDENTIFIER=${identifier}"
            "-DRIO_EMBED_NAMESPACE=${ARG_NAMESPACE}" "-DRIO_EMBED_CHOMP=${ARG_CHOMP}" -P "${RIO_EMBED_SCRIPT}"
    DEPENDS "${input}" "${RIO_EMBED_SCRIPT}"
    COMMENT "Embedding ${source_name}"
    VERBATIM)
  target_sources(${target} PRIVATE "${output}")
  target_include_directories(${target} PRIVATE "${dir}")
  if(ARG_SHELL)
    set_property(GLOBAL APPEND PROPERTY RIO_EMBEDDED_SHELL_SCRIPTS "${input}")
  endif()
endfunction()
