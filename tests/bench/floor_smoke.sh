#!/usr/bin/env bash
# Smoke run of the front-door benchmarks ops/load-bench.sh prints, so that they cannot rot:
# - mct_http_floor_bench (bench/http_floor_bench.cc) with both libraries: driven by the load
#   generator for a second, each must answer every command 200 with no 5xx and no transport
#   failure, and a command without a token 401;
# - mct_event_loop_server (bench/event_loop_server.cc), with two loops: the same run must be
#   answered with no 5xx and no transport failure, a command without a token 401, and the log
#   must hold at least one event for every command answered 200 and verify (mctctl verify).
# The figures mean nothing here.
#   floor_smoke.sh FLOOR_BENCH LOAD_BENCH EVENT_LOOP_SERVER MCTCTL
set -euo pipefail
floor=$1 load=$2 event_loop=$3 mctctl=$4
source "$(dirname "$0")/smoke_common.sh"
source "$(dirname "$0")/../../bench/floor_server.sh"

for library in httplib evhttp; do
  start_floor_server "$floor" "$library" "$work/out" || { pid=$floor_pid; exit 1; }
  pid=$floor_pid port=$floor_port  # pid: stopped by cleanup if the run fails
  run=$("$load" --port "$port" --token smoke --connections 4 --seconds 1)
  echo "$library: $run"
  awk -v ok="$(field answers_2xx "$run")" -v e4="$(field answers_4xx "$run")" \
      -v e5="$(field answers_5xx "$run")" -v tf="$(field transport_failures "$run")" 'BEGIN {
    if (ok + 0 <= 0) { print "no command was answered 200"; exit 1 }
    if (e4 != "0" || e5 != "0" || tf != "0") { print "errors or dropped requests"; exit 1 }
  }'
  unsigned=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
                  -d '{"command":"StartRenewal"}' "http://127.0.0.1:$port/v1/trainers/1000001/commands")
  [ "$unsigned" = 401 ] || { echo "$library: a command without a token got $unsigned, not 401"; exit 1; }
  kill "$pid" || { echo "$library: the server died during the run"; exit 1; }
  wait "$pid" || true; pid=""
done
data="$work/loop-data"
token=$("$mctctl" --data "$data" token add --role support --id smoke | tail -1 | awk '{print $NF}')
# Two loops accepting on one socket: the load generator's connections land on both.
start_event_loop_server "$event_loop" "$data" "$work/loop.out" --loops 2 || { pid=$floor_pid; exit 1; }
pid=$floor_pid port=$floor_port
run=$("$load" --port "$port" --token "$token" --connections 4 --seconds 1)
echo "event loop: $run"
accepted=$(field answers_2xx "$run")
awk -v ok="$accepted" -v e5="$(field answers_5xx "$run")" -v tf="$(field transport_failures "$run")" 'BEGIN {
  if (ok + 0 <= 0) { print "no command was answered 200"; exit 1 }
  if (e5 != "0" || tf != "0") { print "server errors or dropped requests"; exit 1 }
}'
unsigned=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
                -d '{"command":"StartRenewal"}' "http://127.0.0.1:$port/v1/trainers/1000001/commands")
[ "$unsigned" = 401 ] || { echo "event loop: a command without a token got $unsigned, not 401"; exit 1; }
kill "$pid" || { echo "event loop: the server died during the run"; exit 1; }
wait "$pid" || true; pid=""
events=$("$mctctl" --data "$data" export | wc -l)
[ "$events" -ge "$accepted" ] || { echo "event loop: $accepted commands answered 200, $events events in the log"; exit 1; }
# What the callbacks' answers promised is a log whose every hash chain holds.
"$mctctl" --data "$data" verify >"$work/verify.out" || { echo "event loop: the log does not verify"; cat "$work/verify.out"; exit 1; }
echo "floor smoke: ok"
