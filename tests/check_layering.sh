#!/usr/bin/env bash
# The pure layers stay pure (style.md): domain/ and projections/ include no storage, messaging,
# serialisation, metrics or I/O header, and never read a clock or start a thread.
# Usage: check_layering.sh REPO_ROOT
set -uo pipefail
root=${1:?repo root}
forbidden='#include *[<"](rocksdb/|librdkafka/|rdkafka|cereal/|prometheus/|nlohmann/|httplib|spdlog/|fstream|iostream|filesystem|thread|mutex|random|cstdio>|future)'
status=0
if grep -rnE "$forbidden" "$root/domain" "$root/projections" --include='*.h' --include='*.cc'; then
  echo "check_layering: a pure layer includes an I/O or adapter header (above)" >&2
  status=1
fi
if grep -rnE '(system_clock|steady_clock|high_resolution_clock)::now|std::rand|getenv' \
     "$root/domain" "$root/projections" --include='*.h' --include='*.cc'; then
  echo "check_layering: a pure layer reads a clock, randomness or the environment (above)" >&2
  status=1
fi
if grep -rnE '#include *"(consumers|admin)/' "$root/domain" "$root/projections"; then
  echo "check_layering: a pure layer depends on an outer one (above)" >&2
  status=1
fi
[ $status -eq 0 ] && echo "check_layering: domain/ and projections/ are pure"
exit $status
