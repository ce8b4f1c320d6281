#!/usr/bin/env bash
# Builds the Debian packages `rio` and `rio-sdk` (cmake/packaging.cmake) with the `package` preset
# (the release flags, prefix /usr) into build/package/, and with --check verifies them the way CI
# does: unpacked into an empty directory (dpkg-deb -x, no container, nothing installed on this
# machine), the file list checked, the unpacked rio run (--version, modules, paths), the Depends
# read, and the systemd unit verified with systemd-analyze.
#   bash scripts/package.sh           build the packages
#   bash scripts/package.sh --check   build, then verify them
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
case ${1-} in
  --check) check=1 ;;
  -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  '') ;;
  *) echo "package.sh: unknown option '$1' (use --check or --help)" >&2; exit 2 ;;
esac

cmake --preset package >/dev/null
cmake --build --preset package
rm -f build/package/*.deb
(cd build/package && cpack -G DEB >/dev/null)
ls -1 build/package/*.deb
[ "$check" = 1 ] || exit 0
exec bash scripts/package-check.sh build/package
