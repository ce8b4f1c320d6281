#!/usr/bin/env bash
# The main job: installs build dependencies, builds rio (release preset) and runs it.
# Until the run engine lands, the main job lists the installer modules rio loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
./build/release/bin/rio modules
