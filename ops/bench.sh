#!/usr/bin/env bash
# Builds the benchmark driver (Release) and runs it: the results table goes to stdout, the build's
# and the driver's progress to stderr.
#   ops/bench.sh [DATA_DIR] [driver options...]
#   ops/bench.sh /tmp/mct-bench --seconds 6          (see bench/README.md for the options)
# DATA_DIR (default /tmp/mct-bench) gets the sub-directories rocksdb/, appends/ and demo/, each
# emptied when the run starts; about 1 GB of disk for the default sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${MCT_BENCH_BUILD:-build-release}
jobs=${MCT_JOBS:-2}
data_dir=${1:-/tmp/mct-bench}
shift || true
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMCT_BUILD_BENCH=ON >&2
fi
cmake --build "$build_dir" -j"$jobs" --target mct_store_bench >&2
exec "$build_dir/bench/mct_store_bench" "$data_dir" "$@"
