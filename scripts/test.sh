#!/usr/bin/env bash
# Installs build and test dependencies, builds with the ci preset (warnings are errors) and
# runs every test through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
start=$(date +%s)
cmake --workflow --preset ci
echo "scripts/test.sh: build and tests took $(( $(date +%s) - start )) s"
