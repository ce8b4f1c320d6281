#pragma once
// The SDK's ABI identity. This file is excluded from the header hash it records.
//
// RIO_SDK_HEADER_HASH is the SHA-256 over `sha256sum` lines of every other public header
// (sorted paths under sdk/include). Changing any public header changes the hash; the abi test
// then fails until the ABI version is bumped and a line for it is added to sdk/abi-history.txt.
// scripts/sdk-header-hash prints the current value.

#define RIO_SDK_ABI_MAJOR 1
#define RIO_SDK_ABI_MINOR 0
#define RIO_SDK_HEADER_HASH "82f75bc7d8b2d635c77434c337be135b3a4131dbf5afac82eaa801ae453c5df1"
