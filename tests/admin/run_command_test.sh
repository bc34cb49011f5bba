#!/usr/bin/env bash
# The README's run command (ops/run.sh) end to end, as a user starts it: it loads the demo data
# into a fresh directory, prints the URLs and the demo tokens, and serves; the printed tokens
# work; SIGTERM stops it with exit 0. Usage: run_command_test.sh REPOSITORY_ROOT
set -euo pipefail
root=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/mct-run-command.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))
start() {  # start OUTPUT_FILE: ops/run.sh on $work/data in the background, until it serves
  MCT_DATA="$work/data" MCT_PORT=$port bash "$root/ops/run.sh" >"$1" 2>&1 &
  pid=$!
  for _ in $(seq 600); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "ops/run.sh stopped before serving:"; cat "$1"; exit 1; }
    sleep 0.2
  done
  echo "not ready:"; cat "$1"; exit 1
}
start "$work/out"
stop() {  # stop OUTPUT_FILE: SIGTERM, which must end it with exit 0
  kill -TERM "$pid"
  local code=0
  wait "$pid" || code=$?
  pid=""
  [ "$code" = 0 ] || { echo "mctd exited $code on SIGTERM:"; tail -5 "$1"; exit 1; }
}

token() {  # token ROLE: the demo token printed for ROLE
  sed -n "s/^  $1 *\(mct_[0-9a-f]*\).*/\1/p" "$work/out" | head -n 1
}
support=$(token support)
auditor=$(token auditor)
trainer=$(token trainer)
mcid=$(sed -n 's/.*(MCID \([0-9]*\)).*/\1/p' "$work/out")
for name in support auditor trainer mcid; do
  [ -n "${!name}" ] || { echo "no $name printed:"; cat "$work/out"; exit 1; }
done
grep -q "dashboard        http://127.0.0.1:$port/dashboard.html" "$work/out"

# The demo data is there, and each token is what it says.
curl -fs -H "Authorization: Bearer $support" "http://127.0.0.1:$port/v1/trainers/$mcid" | grep -q "\"mcid\""
curl -fs -H "Authorization: Bearer $auditor" "http://127.0.0.1:$port/v1/reports" | grep -q "revenue"
curl -fs -H "Authorization: Bearer $trainer" "http://127.0.0.1:$port/v1/trainers/$mcid/history" |
  grep -q "TrainerEnrolled"
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $trainer" \
  "http://127.0.0.1:$port/v1/reports")
[ "$status" = 403 ] || { echo "a trainer's token read the reports: $status"; exit 1; }

stop "$work/out"

# A second start on the same data: new demo tokens replace the last start's, so they do not pile up.
start "$work/out2"
listed=$("$root/build/admin/mctctl" --data "$work/data" token list | tail -n 1)
[ "$listed" = "3 tokens" ] || { echo "demo tokens piled up: $listed"; exit 1; }
old_support=$support
support=$(sed -n "s/^  support *\(mct_[0-9a-f]*\).*/\1/p" "$work/out2" | head -n 1)
[ -n "$support" ] && [ "$support" != "$old_support" ] || { echo "no new support token"; exit 1; }
curl -fs -H "Authorization: Bearer $support" "http://127.0.0.1:$port/v1/trainers/$mcid" | grep -q "\"mcid\""
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $old_support" \
  "http://127.0.0.1:$port/v1/trainers/$mcid")
[ "$status" = 401 ] || { echo "the last start's token still works: $status"; exit 1; }
stop "$work/out2"
echo "run command: ok (port $port, trainer $mcid, tokens replaced on a second start)"
