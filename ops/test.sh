#!/usr/bin/env bash
# Sets up and passes the tests: installs what is missing, builds, runs a sanitizer (ASan+UBSan)
# build of the pure layers' tests (domain, projections) and a ThreadSanitizer build of the
# consumers' tests (the store's threads), then the whole suite. Ends with ctest's summary.
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

echo "== sanitizer build (ThreadSanitizer): the consumers' tests"
if [ ! -f build-tsan/build.ninja ]; then
  cmake -S . -B build-tsan -G Ninja -DMCT_TSAN=ON -DCMAKE_BUILD_TYPE=Debug -DMCT_BUILD_BENCH=OFF
fi
cmake --build build-tsan -j"$jobs" --target mct_consumers_tests
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp" \
  ctest --test-dir build-tsan -j"$jobs" -L consumers --output-on-failure \
  > build-tsan/ctest.log 2>&1 || { cat build-tsan/ctest.log; exit 1; }
tail -n 3 build-tsan/ctest.log

echo "== full suite"
bash ops/build.sh build
ctest --test-dir build -j"$jobs" --output-on-failure
