#pragma once
// The SDK's ABI identity. This file is excluded from the header hash it records.
//
// RIO_SDK_HEADER_HASH is the SHA-256 over `sha256sum` lines of every other public header
// (sorted paths under sdk/include). Changing any public header changes the hash; the abi test
// then fails until the ABI version is bumped and a line for it is added to sdk/abi-history.txt.
// scripts/sdk-header-hash prints the current value.

#define RIO_SDK_ABI_MAJOR 1
#define RIO_SDK_ABI_MINOR 0
#define RIO_SDK_HEADER_HASH "ee17d9ad025c081eaf9bd3f6dd0831d97a4ebd831aadea82d6ab65003c3a62c5"
