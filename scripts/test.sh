#!/usr/bin/env bash
# Installs build and test dependencies, then:
#   1. builds with the ci preset (warnings are errors) and runs every test through CTest
#      (labels unit, ssh, integration, abi, faults);
#   2. fuzzes every parser of outside input for a bounded time (scripts/fuzz.sh, docs/fuzzing.md);
#   3. runs the bounded soak: rio serve under wrk while 200 loopback hosts are installed,
#      reinstalled and partially failed (bench/soak.sh, docs/reliability.md);
#   4. builds the Debian packages and checks them unpacked (scripts/package.sh --check);
#   5. builds and runs the whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer
#      (scripts/asan.sh: the asan preset; any sanitizer report from any process fails it).
# `--quick` stops after step 1 (what a developer usually wants); `--asan` runs step 5 alone.
# CI runs the default.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
asan=0
case ${1-} in
  --quick) quick=1 ;;
  --asan) asan=1 ;;
  -h|--help)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 0 ;;
  '') ;;
  *) echo "test.sh: unknown option '$1' (use --quick, --asan or --help)" >&2; exit 2 ;;
esac

bash scripts/install-deps.sh --test
step() { echo; echo "=== test.sh: $* ($(date -u +%H:%M:%S))"; }
timed() {
  local name=$1; shift
  local t0; t0=$(date +%s)
  "$@"
  echo "test.sh: $name took $(( $(date +%s) - t0 )) s"
}

if [ "$asan" = 0 ]; then
  step "1 build and all tests (ci preset)"
  timed "build and tests" cmake --workflow --preset ci
  [ "$quick" = 1 ] && exit 0

  step "2 fuzzing, bounded"
  timed "fuzzing" bash scripts/fuzz.sh --seconds "${RIO_FUZZ_SECONDS:-20}"

  step "3 soak, bounded"
  timed "soak" bash bench/soak.sh build/ci "${RIO_SOAK_SECONDS:-90}"

  step "4 Debian packages, built and checked"
  timed "packages" bash scripts/package.sh --check
fi

step "5 the whole suite under ASan + UBSan (asan preset)"
timed "asan build and tests" bash scripts/asan.sh
