#!/usr/bin/env bash
# mctctl verify, export and import end to end (architecture invariants 1, 6, 9): commands submitted
# through the real command path, the log exported and restored into another directory, both
# verified, their read-model checksums equal; refused imports write nothing.
# Usage: audit_round_trip.sh PATH_TO_MCTCTL
set -euo pipefail
mctctl=${1:?path to mctctl}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source_dir="$work/source"
restored_dir="$work/restored"

fail() { echo "audit_round_trip: $*" >&2; exit 1; }

submit() {  # AT JSON
  "$mctctl" --data "$source_dir" submit --at "$1" "$2" >/dev/null || fail "submit refused: $2"
}

for mcid in 1000001 1000002; do
  submit 2016-05-01T00:00:00Z '{"command":"EnrollTrainer","mcid":"'$mcid'","name":"Hanako Sato","email":"t'$mcid'@example.jp","anniversary":"2017-05-01","actor":{"role":"system","id":"member-site"}}'
  submit 2016-05-01T00:00:00Z '{"command":"RecordCertification","mcid":"'$mcid'","certification_id":"CERT-it_pro","track":"it_pro","actor":{"role":"system","id":"member-site"}}'
  submit 2017-03-01T09:00:00Z '{"command":"StartRenewal","mcid":"'$mcid'"}'
done
m=1000001
submit 2017-03-01T09:05:00Z '{"command":"ChooseProfile","mcid":"'$m'","employer_type":"freelance","track":"it_pro"}'
submit 2017-03-01T09:06:00Z '{"command":"RecordMtmSurvey","mcid":"'$m'","course_name":"20410D Installing Windows Server","course_date":"2017-02-10","average_score":8.5}'
submit 2017-03-01T09:07:00Z '{"command":"ConfirmRequirements","mcid":"'$m'"}'
submit 2017-03-01T09:08:00Z '{"command":"AcceptTerms","mcid":"'$m'","accept_terms":true,"accept_payment_redirect":true}'
submit 2017-03-01T09:08:30Z '{"command":"ApplyVoucher","mcid":"'$m'","voucher_code":"MCTV-2017-0001"}'
submit 2017-03-01T09:09:00Z '{"command":"EnterBillingAddress","mcid":"'$m'","first_name":"Hanako","last_name":"Sato","email":"hanako@example.jp","email_confirmation":"hanako@example.jp","phone":"+81-3-1234-5678","address1":"1-2-3 Shinjuku","address2":"Room 405","city":"Shinjuku-ku","state":"Tokyo","postal_code":"160-0022","country":"JP"}'
submit 2017-03-01T09:10:00Z '{"command":"PlaceOrder","mcid":"'$m'","method":"voucher","payer_name":"HANAKO SATO","confirmed":true,"idempotency_key":"order-1"}'

# Export to a file and to standard output: the same bytes, one line per event and an end line.
"$mctctl" --data "$source_dir" export --out "$work/log.ndjson" >/dev/null || fail "export --out failed"
"$mctctl" --data "$source_dir" export >"$work/stdout.ndjson" || fail "export to stdout failed"
cmp -s "$work/log.ndjson" "$work/stdout.ndjson" || fail "export --out and export to stdout differ"
# The last line is the end line, counting the events before it.
events=$(($(wc -l <"$work/log.ndjson") - 1))
[ "$events" -ge 14 ] || fail "expected at least 14 exported events, got $events"
[ "$(tail -n 1 "$work/log.ndjson")" = '{"end_of_export":{"events":'"$events"'}}' ] ||
  fail "the export does not end with its end line: $(tail -n 1 "$work/log.ndjson")"

# Restore into an absent directory, from a file; and into another one from standard input.
"$mctctl" --data "$restored_dir" import "$work/log.ndjson" >"$work/import.out" || fail "import failed"
grep -q "^imported $events events in 2 streams" "$work/import.out" || fail "import said: $(cat "$work/import.out")"
"$mctctl" --data "$work/from-stdin" import - <"$work/log.ndjson" >/dev/null || fail "import - failed"

# Each verifies, and a restore has the source's checkpoint: the same log, byte for byte.
checkpoints=""
for dir in "$source_dir" "$restored_dir" "$work/from-stdin"; do
  out=$("$mctctl" --data "$dir" verify) || fail "verify of $dir failed: $out"
  [ "$(head -n 1 <<<"$out")" = "$events events in 2 streams: every chain holds" ] ||
    fail "verify of $dir said: $out"
  checkpoints+="$(sed -n 's/^checkpoint //p' <<<"$out")"$'\n'
done
[ "$(sort -u <<<"${checkpoints%$'\n'}" | wc -l)" = 1 ] || fail "the checkpoints differ: $checkpoints"
checkpoint=$(head -n 1 <<<"$checkpoints")
[[ "$checkpoint" =~ ^$events:[0-9a-f]{64}$ ]] || fail "no checkpoint: $checkpoint"
"$mctctl" --data "$restored_dir" verify --checkpoint "$checkpoint" >/dev/null ||
  fail "the restore does not hold the source's checkpoint"
"$mctctl" --json --data "$restored_dir" verify | grep -q '"ok": true' || fail "verify --json is not ok"

source_sum=$("$mctctl" --data "$source_dir" checksum)
restored_sum=$("$mctctl" --data "$restored_dir" checksum)
[ -n "$source_sum" ] && [ "$source_sum" = "$restored_sum" ] || fail "checksums differ: $source_sum vs $restored_sum"
"$mctctl" --data "$restored_dir" export | cmp -s - "$work/log.ndjson" || fail "the restored log exports differently"

# The restored store serves queries and takes new commands.
"$mctctl" --data "$restored_dir" status 1000001 --as-of 2017-03-02 | grep -q "^status" || fail "status on the restored store"
"$mctctl" --data "$restored_dir" submit --at 2017-03-02T09:00:00Z '{"command":"ChooseProfile","mcid":"1000002","employer_type":"freelance","track":"it_pro"}' >/dev/null \
  || fail "a command on the restored store was refused"

# Refused imports: a non-empty directory, a malformed line, a changed payload; nothing written.
if "$mctctl" --data "$restored_dir" import "$work/log.ndjson" 2>"$work/err"; then fail "import into a non-empty directory"; fi
grep -q "is not empty" "$work/err" || fail "non-empty refusal said: $(cat "$work/err")"
# A folder that holds only mctd's tokens (a token added before any store) says so.
"$mctctl" --data "$work/tokens-first" token add --role support --id audit >/dev/null || fail "token add on a new folder"
if "$mctctl" --data "$work/tokens-first" import "$work/log.ndjson" 2>"$work/err"; then fail "import beside a tokens file"; fi
grep -q "it holds tokens, tokens.lock).*those are mctd's tokens and no store" "$work/err" \
  || fail "tokens-only refusal said: $(cat "$work/err")"
# Followed as it says, the import works and the token still does.
mv "$work/tokens-first/tokens" "$work/tokens-first/tokens.lock" "$work/"
"$mctctl" --data "$work/tokens-first" import "$work/log.ndjson" >/dev/null || fail "import after moving the tokens aside"
mv "$work/tokens" "$work/tokens.lock" "$work/tokens-first/"
"$mctctl" --data "$work/tokens-first" token list | grep -q "audit" || fail "the moved-back token is not listed"

sed '3s/.*/{"event": "TrainerEnrolled",/' "$work/log.ndjson" >"$work/malformed.ndjson"
if "$mctctl" --data "$work/refused" import "$work/malformed.ndjson" 2>"$work/err"; then fail "malformed import accepted"; fi
grep -q "line 3: not valid JSON" "$work/err" || fail "malformed refusal said: $(cat "$work/err")"

sed '1s/Hanako Sato/Hanako Satoh/' "$work/log.ndjson" >"$work/forged.ndjson"
if "$mctctl" --data "$work/refused" import "$work/forged.ndjson" 2>"$work/err"; then fail "forged import accepted"; fi
grep -q "line 1: trainer 1000001 version 1: hash does not match the event's content" "$work/err" \
  || fail "forged refusal said: $(cat "$work/err")"
[ ! -e "$work/refused" ] || fail "a refused import left $work/refused behind"
if ls "$work" | grep -q importing; then fail "a refused import left a staging directory"; fi

# verify and export need a store; they do not create one.
if "$mctctl" --data "$work/nothing" verify 2>/dev/null; then fail "verify of a missing store succeeded"; fi
[ ! -e "$work/nothing" ] || fail "verify created a store"

echo "audit_round_trip: ok ($events events)"
