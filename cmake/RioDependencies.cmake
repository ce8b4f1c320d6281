# All third-party dependencies are found here, and only here.
# Boost is pinned to 1.81.0: Debian 12's default 1.74 has no Boost.JSON, and the plugin
# handshake compares BOOST_VERSION exactly (Asio's internals differ between releases).
find_package(Boost 1.81.0 EXACT CONFIG REQUIRED COMPONENTS json)

# libssh2 and libsodium ship pkg-config files only, no CMake package.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBSSH2 REQUIRED IMPORTED_TARGET libssh2)
pkg_check_modules(LIBSODIUM REQUIRED IMPORTED_TARGET libsodium)
# libcrypto (OpenSSL) only for the vault's legacy import: the original's Fernet vaults are
# AES-128-CBC + HMAC-SHA256, and libsodium has no AES-CBC.
pkg_check_modules(LIBCRYPTO REQUIRED IMPORTED_TARGET libcrypto)

# yaml-cpp reads Ansible's YAML inventories (kernel only; plugins never see it). Debian's
# libyaml-cpp-dev 0.7 ships a CMake package whose target is plain `yaml-cpp`.
find_package(yaml-cpp REQUIRED)

find_package(Threads REQUIRED)
