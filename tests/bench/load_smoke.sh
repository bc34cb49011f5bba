#!/usr/bin/env bash
# Smoke run of the load generator (bench/load_bench.cc) against a real mctd on a free loopback
# port, so that neither rots: a short saturation run and a short fixed-rate run must both answer
# commands with no 5xx and no transport failure, and the trainers they renewed must be in the log
# (checked with mctctl after mctd stops). Against mctd stopped with SIGSTOP, and against its port
# once mctd has exited, the generator must end on time, count its commands as transport failures
# and exit 1. A command line it cannot use exits 2 with its usage. The figures mean nothing here;
# ops/load-bench.sh measures.
#   load_smoke.sh MCTD MCTCTL LOAD_BENCH
set -euo pipefail
mctd=$1 mctctl=$2 load=$3
source "$(dirname "$0")/smoke_common.sh"

token=$("$mctctl" --data "$work/data" token add --role support --id load-smoke | tail -1)
"$mctd" --data "$work/data" --listen 127.0.0.1:0 --rate-limit 0 2>"$work/log" &
pid=$!
source "$(dirname "$0")/../lib/mctd_url.sh"
url=$(mctd_url "$work/log" "$pid") || exit 1
port=${url##*:}

# A command line the generator cannot use is refused with its usage (exit 2), before any request.
ok="--token $token --first-mcid 1200000000"
for bad in "$ok" "--port 0 $ok" "--port $port $ok --connections 0" "--port $port $ok --host nowhere" \
           "--port $port $ok --bogus 1"; do
  status=0
  # shellcheck disable=SC2086 # each case is a list of words
  "$load" $bad >"$work/usage.out" 2>&1 || status=$?
  [ "$status" = 2 ] || { echo "mct_load_bench $bad: exit $status, not 2"; cat "$work/usage.out"; exit 1; }
  grep -q 'Run with --help' "$work/usage.out" || { echo "mct_load_bench $bad: no usage hint"; exit 1; }
done

saturated=$("$load" --port "$port" --token "$token" --connections 4 --seconds 1 --first-mcid 1000000000)
paced=$("$load" --port "$port" --token "$token" --connections 4 --seconds 1 --rate 200 --first-mcid 1100000000)
echo "saturation: $saturated"
echo "200/s:      $paced"
for run in "$saturated" "$paced"; do
  awk -v ok="$(field answers_2xx "$run")" -v e5="$(field answers_5xx "$run")" \
      -v tf="$(field transport_failures "$run")" -v p50="$(field p50_ms "$run")" \
      -v p99="$(field p99_ms "$run")" 'BEGIN {
    if (ok + 0 <= 0) { print "no command was accepted"; exit 1 }
    if (e5 != "0" || tf != "0") { print "server errors or dropped requests"; exit 1 }
    if (p50 + 0 <= 0 || p99 + 0 < p50 + 0) { print "latencies not measured"; exit 1 }
  }'
done
# A server that accepts but never answers (stopped): each command fails after --answer-within, and
# the run ends with exit 1 instead of waiting for ever.
kill -STOP "$pid"
status=0
stalled=$(timeout 20 "$load" --port "$port" --token "$token" --connections 2 --seconds 0.5 \
            --answer-within 1 --threads 1) || status=$?
kill -CONT "$pid"
echo "stalled server: $stalled (exit $status)"
[ "$status" = 1 ] || { echo "the generator exited $status against a stalled server, not 1"; exit 1; }
[ "$(field transport_failures "$stalled")" -gt 0 ] || { echo "unanswered commands not counted"; exit 1; }
kill "$pid"; wait "$pid"; pid=""
status=0
refused=$(timeout 20 "$load" --port "$port" --token "$token" --connections 2 --seconds 0.5) || status=$?
echo "no server: $refused (exit $status)"
[ "$status" = 1 ] || { echo "the generator exited $status with no server, not 1"; exit 1; }
awk -v ok="$(field answers_2xx "$refused")" -v tf="$(field transport_failures "$refused")" 'BEGIN {
  if (ok != "0" || tf + 0 <= 0) { print "failed connections not counted as transport failures"; exit 1 }
}'
# The first trainer of each run was enrolled by the generator and is in the log.
"$mctctl" --data "$work/data" history 1000000000 | grep -q TrainerEnrolled
"$mctctl" --data "$work/data" history 1100000000 | grep -q TrainerEnrolled
# The refused command lines sent nothing: their first trainer is unknown.
if "$mctctl" --data "$work/data" history 1200000000 2>/dev/null | grep -q TrainerEnrolled; then
  echo "a refused command line enrolled a trainer"; exit 1
fi
echo "load smoke: ok"
