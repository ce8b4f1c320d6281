#pragma once
// The SDK's ABI identity. This file is excluded from the header hash it records.
//
// RIO_SDK_HEADER_HASH is the SHA-256 over `sha256sum` lines of every other public header
// (sorted paths under sdk/include): the hash this ABI version was released with. Changing any
// public header changes the hash; the abi test then fails until the ABI version is bumped and a
// line for it is added to sdk/abi-history.txt. scripts/sdk-header-hash prints the current value.
// The handshake compares RIO_SDK_COMPILED_HEADER_HASH (module.hpp), computed by the SDK's CMake
// package from the headers a build really compiles against; rio's own equals this value.

#define RIO_SDK_ABI_MAJOR 1
#define RIO_SDK_ABI_MINOR 1
#define RIO_SDK_HEADER_HASH "dc9b8dfc53549aef78a2d1ced965eb47b628262d995204a13f6e4dc9d23dd6fb"
