#!/usr/bin/env bash
# mctd and a second SIGTERM: while a request is still in flight (its head half sent), a second
# signal is said in the log ("already stopping") and the stop goes on as before: the request is
# answered, mctd exits 0.
set -euo pipefail
mctd=$1
work=$(mktemp -d)
trap 'kill -9 "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$mctd" --data "$work/data" --listen 127.0.0.1:0 2>"$work/log" &
pid=$!
source "$(dirname "$0")/../lib/mctd_url.sh"
url=$(mctd_url "$work/log" "$pid") || { echo "FAIL: mctd did not start"; exit 1; }
port=${url##*:}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n' >&3   # the head is not finished yet
sleep 0.3
kill -TERM "$pid"
sleep 0.3
kill -TERM "$pid"
sleep 0.3
printf '\r\n' >&3
answer=$(timeout 10 cat <&3 || true)
code=0
wait "$pid" || code=$?
failed=0
check() { if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1"; failed=1; fi; }
check "the request in flight is answered" '[[ "$answer" == "HTTP/1.1 200"* ]]'
check "mctd exits 0" '[ "$code" = 0 ]'
check "the first signal starts the stop" 'grep -q "\"msg\":\"stopping: finishing in-flight requests\"" "$work/log"'
check "the second is said in the log" 'grep -q "\"msg\":\"already stopping: finishing in-flight requests\"" "$work/log"'
check "mctd says it stopped" 'grep -q "\"msg\":\"stopped\"" "$work/log"'
[ "$failed" = 0 ] || { cat "$work/log"; exit 1; }
