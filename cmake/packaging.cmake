# Debian packages with CPack's DEB generator (scripts/package.sh, docs/install.md):
#   rio      the program, the built-in modules, the man page, the bash completion, the systemd
#            unit for `rio serve` and the docs (component rio_Runtime); Depends computed by
#            dpkg-shlibdeps from the shared libraries the binary links.
#   rio-sdk  headers, the SDK's static library and CMake package, the testing kit and the example
#            modules (component rio_Development), for third-party module authors.
# Build them from the `package` preset (release flags, prefix /usr).

# The service: unit, system user, settings (a conffile), under the paths Debian 12 uses.
install(FILES "${PROJECT_SOURCE_DIR}/cmake/deb/rio.service" DESTINATION "lib/systemd/system" COMPONENT rio_Runtime)
install(FILES "${PROJECT_SOURCE_DIR}/cmake/deb/rio.sysusers" DESTINATION "lib/sysusers.d" RENAME rio.conf
        COMPONENT rio_Runtime)
# /etc/rio/serve.env only for the system layout (the package preset): an absolute destination
# would otherwise reach outside a `cmake --install --prefix DIR` tree.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  install(FILES "${PROJECT_SOURCE_DIR}/cmake/deb/serve.env" DESTINATION "/etc/rio"
          PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ COMPONENT rio_Runtime)
endif()
install(DIRECTORY "${PROJECT_SOURCE_DIR}/docs/" DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT rio_Runtime
        FILES_MATCHING PATTERN "*.md" PATTERN "research" EXCLUDE)
install(FILES "${PROJECT_SOURCE_DIR}/README.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT rio_Runtime)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME rio)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "rio developers <rio-dev@localhost.invalid>")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL rio_Runtime rio_Development)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)

set(CPACK_DEBIAN_RIO_RUNTIME_PACKAGE_NAME rio)
set(CPACK_DEBIAN_RIO_RUNTIME_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_RIO_RUNTIME_PACKAGE_SHLIBDEPS ON)
# The demo and the loopback tests start their own sshd and need git; plans and installs need neither.
set(CPACK_DEBIAN_RIO_RUNTIME_PACKAGE_SUGGESTS "openssh-server, git")
set(CPACK_DEBIAN_RIO_RUNTIME_DESCRIPTION
    "Remote Installer Orchestrator\n Provisions ComfyUI, SillyTavern, LM Studio and Ollama on SSH hosts, idempotently,\n with credentials in an encrypted vault; a REST API (rio serve) and a systemd unit for it.")
set(_rio_deb "${PROJECT_SOURCE_DIR}/cmake/deb")
set(CPACK_DEBIAN_RIO_RUNTIME_PACKAGE_CONTROL_EXTRA "${_rio_deb}/postinst;${_rio_deb}/prerm;${_rio_deb}/postrm;${_rio_deb}/conffiles")
set(CPACK_DEBIAN_RIO_RUNTIME_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_RIO_DEVELOPMENT_PACKAGE_NAME rio-sdk)
set(CPACK_DEBIAN_RIO_DEVELOPMENT_PACKAGE_SECTION libdevel)
# A module is built with the exact Boost the SDK was (RioSDKConfig.cmake) and loaded by rio.
set(CPACK_DEBIAN_RIO_DEVELOPMENT_PACKAGE_DEPENDS "libboost1.81-dev, cmake (>= 3.25), g++ (>= 4:12)")
set(CPACK_DEBIAN_RIO_DEVELOPMENT_PACKAGE_RECOMMENDS "rio (= ${PROJECT_VERSION}-1)")
set(CPACK_DEBIAN_RIO_DEVELOPMENT_DESCRIPTION
    "SDK for rio installer modules\n Headers, CMake package (find_package(RioSDK)), testing kit and example modules\n for writing rio installer modules as Boost.DLL plugins.")

include(CPack)
