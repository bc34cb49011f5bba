#!/usr/bin/env bash
# End-to-end tests of mctd's web pages (admin/web) in headless Chromium.
#
# Usage: tests/web/run_e2e.sh MCTD MCTCTL
#
# Makes a temporary data directory, fills it with demo data (when mctctl has `demo`) and a
# scripted set of histories (seed.mjs, through `mctctl submit --at`), makes a support and an
# auditor token, and runs e2e.mjs, which starts mctd (--listen 127.0.0.1:0), drives the pages
# with playwright-core and Debian's chromium, compares them with mctctl, and stops mctd with
# SIGTERM. The temporary directory is removed at the end; set MCT_E2E_KEEP=1 to keep it (the
# screenshots are in it).
#
# Needs: node (18 or later), chromium (/usr/bin/chromium, or $CHROMIUM), and playwright-core,
# installed here with `npm ci` when node_modules is missing (ops/install-deps.sh installs the rest).
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 MCTD MCTCTL" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
mctd="$(realpath "$1")"
mctctl="$(realpath "$2")"
chromium_bin="${CHROMIUM:-/usr/bin/chromium}"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "run_e2e: $tool is missing (ops/install-deps.sh installs it)" >&2
    exit 1
  fi
done
if [ ! -x "$chromium_bin" ]; then
  echo "run_e2e: $chromium_bin is missing (ops/install-deps.sh installs Debian's chromium)" >&2
  exit 1
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "run_e2e: installing playwright-core (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund)
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/mct-web-e2e.XXXXXX")"
data="$work/data"
cleanup() {
  # mctd is started and stopped by e2e.mjs; a run cut short may leave it: stop it by its pid.
  if [ -f "$work/mctd.pid" ]; then
    pid="$(cat "$work/mctd.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  if [ "${MCT_E2E_KEEP:-0}" = "1" ]; then
    echo "run_e2e: kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

started=$(date +%s)
if "$mctctl" demo --help >/dev/null 2>&1; then
  echo "run_e2e: demo data"
  "$mctctl" --data "$data" --json demo --trainers 150 --seed 7 >"$work/demo.json"
fi
echo "run_e2e: scripted histories"
node "$here/seed.mjs" "$mctctl" "$data" "$work/fixtures.json"
support_token="$("$mctctl" --data "$data" token add --role support --id support-e2e)"
auditor_token="$("$mctctl" --data "$data" token add --role auditor --id auditor-e2e)"
echo "run_e2e: data ready in $(($(date +%s) - started)) s"

cd "$here"
MCTD="$mctd" MCTCTL="$mctctl" CHROMIUM="$chromium_bin" \
  MCT_E2E_DATA="$data" MCT_E2E_WORK="$work" MCT_E2E_WEB_ROOT="$repo/admin/web" \
  MCT_E2E_FIXTURES="$work/fixtures.json" \
  MCT_E2E_SUPPORT_TOKEN="$support_token" MCT_E2E_AUDITOR_TOKEN="$auditor_token" \
  node "$here/e2e.mjs"
