# Sourced by ops/load-bench.sh and tests/bench/floor_smoke.sh, which both drive the benchmark
# servers of bench/: each prints "listening on PORT" once it accepts connections.
#
# start_floor_server BINARY LIBRARY LOG: starts mct_http_floor_bench (BINARY) serving LIBRARY on a
# free loopback port, in the background, its output in LOG.
# start_event_loop_server BINARY DATA LOG [OPTION...]: starts mct_event_loop_server (BINARY) on
# the data directory DATA the same way, with the options given (--loops N).
# Each sets floor_pid at once and floor_port once the server listens. Fails, with the server's
# output on stderr, when it does not start in 10 s.
start_floor_server() {
  "$1" --server "$2" --port 0 >"$3" 2>&1 &
  floor_pid=$!
  await_listening "$3" "mct_http_floor_bench ($2)"
}

start_event_loop_server() {
  "$1" --data "$2" --port 0 "${@:4}" >"$3" 2>&1 &
  floor_pid=$!
  await_listening "$3" "mct_event_loop_server"
}

await_listening() {  # await_listening LOG NAME
  floor_port=""
  for _ in $(seq 100); do
    floor_port=$(sed -n 's/^listening on \([0-9]*\)$/\1/p' "$1")
    [ -n "$floor_port" ] && return 0
    sleep 0.1
  done
  echo "$2 did not start:" >&2
  cat "$1" >&2
  return 1
}
