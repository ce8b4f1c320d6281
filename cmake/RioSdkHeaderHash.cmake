# The SDK header hash of the headers a build really compiles against (docs/sdk/abi-policy.md).
#
# rio_sdk_header_hash(<include dir> <out var>)
#   SHA-256 over the `sha256sum` lines ("<hex>  rio/sdk/<file>\n") of every public header under
#   <include dir>/rio/sdk except abi_version.hpp and the testing kit, in byte order of their
#   paths: the algorithm of scripts/sdk-header-hash and of RIO_SDK_HEADER_HASH.
#
# rio_sdk_write_compiled_hash(<include dir> <generated dir>)
#   Writes <generated dir>/rio/sdk/compiled_header_hash.hpp, which defines
#   RIO_SDK_COMPILED_HEADER_HASH; module.hpp puts it into every module's descriptor and rio
#   compares it with its own. Editing any hashed header re-runs the configure step, so the value
#   cannot go stale. A header instead of a -D flag: only the few files that include module.hpp
#   recompile when the hash changes, not every file of the build.

function(rio_sdk_header_hash include_dir out_var)
  file(GLOB_RECURSE headers RELATIVE "${include_dir}" "${include_dir}/rio/sdk/*.hpp")
  list(FILTER headers EXCLUDE REGEX "^rio/sdk/(abi_version\\.hpp|testing/.*)$")
  list(SORT headers COMPARE STRING)
  set(lines "")
  foreach(header IN LISTS headers)
    file(SHA256 "${include_dir}/${header}" digest)
    string(APPEND lines "${digest}  ${header}\n")
  endforeach()
  string(SHA256 hash "${lines}")
  set(${out_var} "${hash}" PARENT_SCOPE)
endfunction()

function(rio_sdk_write_compiled_hash include_dir generated_dir)
  rio_sdk_header_hash("${include_dir}" hash)
  file(GLOB_RECURSE headers "${include_dir}/rio/sdk/*.hpp")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${headers})
  # file(CONFIGURE) rewrites the file only when its content changes.
  file(CONFIGURE OUTPUT "${generated_dir}/rio/sdk/compiled_header_hash.hpp" CONTENT [=[
#pragma once
// Generated at configure time from the SDK headers this build compiles against
// (cmake/RioSdkHeaderHash.cmake); do not edit.
#define RIO_SDK_COMPILED_HEADER_HASH "@hash@"
]=] @ONLY)
endfunction()
