#!/usr/bin/env bash
# Installs the Debian 12 packages rio needs, and only those missing; safe to rerun.
#   scripts/install-deps.sh          build dependencies
#   scripts/install-deps.sh --test   build and test dependencies
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  # Boost 1.81, not Debian's default 1.74 (which has no Boost.JSON); json pulls in system/container.
  libboost1.81-dev libboost-json1.81-dev
  libssh2-1-dev libsodium-dev
  # Ansible YAML inventories (rio plan -i hosts.yml); linked by the kernel library only.
  libyaml-cpp-dev
  # libcrypto: the vault reads the original's Fernet (AES-128-CBC) vaults; libsodium has no AES-CBC.
  libssl-dev
  # rio demo (the main job) and the tests start their own sshd on loopback; the offline fixture
  # upstreams are local git repositories fetched with curl file:// URLs.
  openssh-server openssh-client curl git
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(libgtest-dev libgmock-dev
    # Platform tests: loopback hosts whose login shell is dash, busybox sh or bash --posix, given
    # to sshd through nss_wrapper (docs/platforms.md).
    dash busybox libnss-wrapper
    # Dropbear as the SSH server (tests EngineDropbear*, issue #22): loopback hosts with ed25519,
    # ECDSA and RSA host keys, the account's home given through nss_wrapper.
    dropbear-bin
    # scripts/fuzz.sh: libFuzzer comes with clang's runtime (docs/fuzzing.md).
    clang-14 libclang-rt-14-dev
    # bench/soak.sh: HTTP load on rio serve while the fleet runs.
    wrk
    # The CTest test `shellcheck` lints the shell scripts rio embeds (scripts/shellcheck-embedded.sh).
    shellcheck
    # The CTest test `function_lengths` (scripts/function-lengths.py) and the man page check
    # (CliCompletion: groff renders rio(1) without warnings).
    python3 groff-base
    # scripts/package.sh --check: CPack's DEB generator computes Depends with dpkg-shlibdeps, and
    # the systemd unit is checked with systemd-analyze verify (nothing is started).
    dpkg-dev systemd)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then sudo=(sudo); fi
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
