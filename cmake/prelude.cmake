# Refuse in-source builds: they litter the tree and break `git status`.
if(CMAKE_SOURCE_DIR STREQUAL CMAKE_BINARY_DIR)
  message(FATAL_ERROR
    "In-source builds are not supported. Use a preset: cmake --preset dev")
endif()
