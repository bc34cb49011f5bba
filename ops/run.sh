#!/usr/bin/env bash
# Sets up and runs the main job: installs what is missing, builds, and runs the renewal rules'
# executable specification over the project's own scenarios (and the shared ones when present).
set -euo pipefail
cd "$(dirname "$0")/.."

bash ops/install-deps.sh
bash ops/build.sh build
paths=(tests/scenarios)
[ -d ../shared/scenarios ] && paths+=(../shared/scenarios)
exec build/admin/mctctl scenarios "${paths[@]}"
