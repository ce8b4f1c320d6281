# Installs the SDK as the CMake package RioSDK:
#   find_package(RioSDK 1.1 REQUIRED)   ->  rio::sdk, rio::sdk_testing, rio_add_module()
# The package version is the SDK ABI version, so SameMinorVersion refuses an SDK whose ABI a
# given rio would reject at load time anyway.
include(CMakePackageConfigHelpers)

file(READ "${PROJECT_SOURCE_DIR}/sdk/include/rio/sdk/abi_version.hpp" _rio_abi_text)
string(REGEX MATCH "RIO_SDK_ABI_MAJOR ([0-9]+)" _ "${_rio_abi_text}")
set(RIO_SDK_ABI_MAJOR "${CMAKE_MATCH_1}")
string(REGEX MATCH "RIO_SDK_ABI_MINOR ([0-9]+)" _ "${_rio_abi_text}")
set(RIO_SDK_ABI_MINOR "${CMAKE_MATCH_1}")
set(RIO_SDK_VERSION "${RIO_SDK_ABI_MAJOR}.${RIO_SDK_ABI_MINOR}.0")

set(RIO_SDK_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/RioSDK"
    CACHE STRING "Where the RioSDK CMake package is installed")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/sdk/include/" "${PROJECT_SOURCE_DIR}/sdk/testing/include/"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT rio_Development)
install(TARGETS rio_sdk rio_sdk_testing EXPORT RioSDKTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT rio_Development)
install(EXPORT RioSDKTargets NAMESPACE rio:: DESTINATION "${RIO_SDK_INSTALL_CMAKEDIR}"
        COMPONENT rio_Development)

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/RioSDKConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/RioSDKConfig.cmake" INSTALL_DESTINATION "${RIO_SDK_INSTALL_CMAKEDIR}"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/RioSDKConfigVersion.cmake"
  VERSION "${RIO_SDK_VERSION}" COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/RioSDKConfig.cmake"
  "${PROJECT_BINARY_DIR}/RioSDKConfigVersion.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/RioPlugin.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/RioWarnings.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/RioSdkHeaderHash.cmake"
  DESTINATION "${RIO_SDK_INSTALL_CMAKEDIR}" COMPONENT rio_Development)
# The example modules the guide (docs/sdk/writing-a-module.md) tells authors to copy.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/sdk/examples/"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/rio/sdk/examples" COMPONENT rio_Development)

# The program and its modules.
install(TARGETS rio RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT rio_Runtime)
install(TARGETS rio_plugin_comfyui rio_plugin_sillytavern rio_plugin_lmstudio rio_plugin_ollama
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}/rio/plugins" COMPONENT rio_Runtime)

# The bash completion and the man page, written at build time by rio itself (kernel/cli/CMakeLists.txt).
install(FILES "${RIO_COMPLETION_FILE}" DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions"
        COMPONENT rio_Runtime)
install(FILES "${RIO_MAN_FILE}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" COMPONENT rio_Runtime)
