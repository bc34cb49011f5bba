#!/usr/bin/env bash
# The real mctd end to end: start it on a fresh data directory, send a few commands, scrape
# /metrics and check the page with `promtool check metrics` (Debian package prometheus), then
# SIGTERM it: it must exit 0 (graceful shutdown) and the log must hold every accepted command.
# Usage: promtool_check.sh PATH/TO/mctd PATH/TO/mctctl
set -euo pipefail
mctd="$1"
mctctl="$2"

if ! command -v promtool >/dev/null; then
  echo "promtool is missing: install the Debian package prometheus (ops/install-deps.sh)" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/mct-promtool.XXXXXX")"
data="$work/data"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "promtool check: $*" >&2
  echo "--- mctd's log:" >&2
  cat "$work/mctd.log" >&2 || true
  exit 1
}

support="$("$mctctl" --data "$data" token add --role support --id support-1)"
system="$("$mctctl" --data "$data" token add --role system --id member-site)"

"$mctd" --data "$data" --listen 127.0.0.1:0 --log-level warn 2>"$work/mctd.log" &
pid=$!
source "$(dirname "$0")/../lib/mctd_url.sh"
url=$(mctd_url "$work/mctd.log" "$pid") || fail "mctd did not start"

# send TOKEN MCID BODY EXPECTED_STATUS
send() {
  local status
  status="$(curl -s -o "$work/answer.json" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    --data-binary "$3" "$url/v1/trainers/$2/commands")"
  [ "$status" = "$4" ] || fail "POST $2 $3: expected $4, got $status: $(cat "$work/answer.json")"
}

send "$support" 1000001 '{"command":"EnrollTrainer","command_id":"promtool-1","name":"Hanako Sato","email":"hanako@example.jp","anniversary":"2099-04-01"}' 200
send "$system" 1000001 '{"command":"RecordCertification","command_id":"promtool-2","certification_id":"CERT-1","track":"it_pro"}' 200
send "$system" 1000001 '{"command":"RecordMtmSurvey","command_id":"promtool-3","course_name":"20410D","course_date":"2017-03-01","average_score":8.5}' 200
send "$support" 1000001 '{"command":"StartRenewal","command_id":"promtool-4"}' 422
send "$support" 1000009 '{"command":"StartRenewal"}' 404
send "$support" 1000001 '{"command":' 400
send "$system" 1000001 '{"command":"ApplyAlumni"}' 403
curl -sf "$url/healthz" >/dev/null || fail "/healthz did not answer"

curl -sf "$url/metrics" >"$work/metrics.txt" || fail "/metrics did not answer"
grep -q '^mct_commands_total{' "$work/metrics.txt" || fail "no mct_commands_total in /metrics"
if ! promtool check metrics <"$work/metrics.txt" >"$work/promtool.txt" 2>&1; then
  cat "$work/promtool.txt" >&2
  fail "promtool check metrics refused the page"
fi

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
[ "$status" -eq 0 ] || fail "mctd exited $status after SIGTERM, not 0"
grep -q '"msg":"stopped"' "$work/mctd.log" || fail "mctd did not log that it stopped"

# Every accepted command is in the log, and nothing else is.
"$mctctl" --data "$data" export >"$work/export.ndjson"
for id in promtool-1 promtool-2 promtool-3; do
  grep -q "\"command_id\":\"$id\"" "$work/export.ndjson" || fail "$id is not in the log"
done
events="$(grep -c '"global_position"' "$work/export.ndjson")"
[ "$events" -eq 3 ] || fail "the log holds $events events, not 3"
"$mctctl" --data "$data" verify >/dev/null || fail "mctctl verify failed after the shutdown"
echo "promtool check: ok ($url)"
