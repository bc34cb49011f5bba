# Sourced by ops/load-bench.sh and tests/bench/floor_smoke.sh, which both drive the floor server.
# start_floor_server BINARY LIBRARY LOG: starts mct_http_floor_bench (BINARY) serving LIBRARY on a
# free loopback port, in the background, its output in LOG; sets floor_pid at once and floor_port
# once it listens. Fails, with the server's output on stderr, when it does not start in 10 s.
start_floor_server() {
  "$1" --server "$2" --port 0 >"$3" 2>&1 &
  floor_pid=$!
  floor_port=""
  for _ in $(seq 100); do
    floor_port=$(sed -n 's/^listening on \([0-9]*\)$/\1/p' "$3")
    [ -n "$floor_port" ] && return 0
    sleep 0.1
  done
  echo "mct_http_floor_bench ($2) did not start:" >&2
  cat "$3" >&2
  return 1
}
