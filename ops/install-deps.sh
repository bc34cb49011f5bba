#!/usr/bin/env bash
# Installs, from Debian's packages, whatever the build, the tests and the server need and the
# machine lacks. Safe to run again: it asks apt only when something is missing.
#   ops/install-deps.sh [EXTRA_PACKAGE...]     (ops/load-bench.sh adds postgresql)
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config git
  libcereal-dev nlohmann-json3-dev libcli11-dev libssl-dev libhowardhinnant-date-dev libutfcpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  librocksdb-dev librdkafka-dev prometheus-cpp-dev libspdlog-dev libfmt-dev libcpp-httplib-dev libevent-dev libhttp-parser-dev
  prometheus curl
  clang libclang-rt-14-dev
  chromium nodejs
)
# The web end-to-end test (tests/web) drives chromium with playwright-core from npm. Debian's
# npm is a package of its own; NodeSource's nodejs bundles npm and conflicts with it.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(npm)
fi
packages+=("$@")

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: every package is already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or install them with sudo apt-get install -y ...)" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
