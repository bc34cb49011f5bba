#!/usr/bin/env bash
# Sets up and passes the tests: installs what is missing, builds, runs a sanitizer (ASan+UBSan)
# build of the pure layers' tests (domain, projections), then the whole suite. Ends with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ops/install-deps.sh
jobs=${MCT_JOBS:-2}

echo "== sanitizer build (ASan + UBSan): the pure layers' tests"
if [ ! -f build-asan/build.ninja ]; then
  cmake -S . -B build-asan -G Ninja -DMCT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DMCT_BUILD_BENCH=OFF
fi
cmake --build build-asan -j"$jobs" --target mct_domain_tests mct_projections_tests
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-asan -j"$jobs" -L 'domain|projections' --output-on-failure \
  > build-asan/ctest.log 2>&1 || { cat build-asan/ctest.log; exit 1; }
tail -n 3 build-asan/ctest.log

echo "== full suite"
bash ops/build.sh build
ctest --test-dir build -j"$jobs" --output-on-failure
