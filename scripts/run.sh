#!/usr/bin/env bash
# The main job: installs what rio needs, builds it (release preset) and runs `rio demo`: a
# throwaway SSH host on loopback, then rio plan, rio install and the second run's noop over real
# SSH with offline fixture upstreams. Pass --online to install from the real upstream sources.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
./build/release/bin/rio modules
./build/release/bin/rio demo "$@"
