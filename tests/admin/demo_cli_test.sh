#!/bin/sh
# mctctl demo end to end: fill a fresh data directory, read a trainer it made, and check that a
# second run into the same directory is refused. Usage: demo_cli_test.sh PATH/TO/mctctl
set -eu
mctctl="$1"
data="$(mktemp -d "${TMPDIR:-/tmp}/mct-demo-cli.XXXXXX")"
trap 'rm -rf "$data"' EXIT

"$mctctl" --data "$data" demo --trainers 20 --seed 7
# Trainer 0 of every demo is MCID 1000000.
"$mctctl" --data "$data" status 1000000 | grep -q '^trainer *1000000 '
"$mctctl" --data "$data" history 1000000 | grep -q 'TrainerEnrolled'
"$mctctl" --data "$data" --json history 1000000 | grep -q '"event": "TrainerEnrolled"'
"$mctctl" --data "$data" gaps 1000000 --as-of 2030-01-01 | grep -Eq '^(no gaps|[0-9]{4}-[0-9]{2}-[0-9]{2} \.\. )'
"$mctctl" --data "$data" --json gaps 1000000 | grep -q '"gaps"'
# A bad --as-of is a usage error (exit 2) naming the option, for every trainer query.
for query in status history gaps; do
  code=0
  "$mctctl" --data "$data" "$query" 1000000 --as-of yesterday 2>"$data/bad.txt" || code=$?
  [ "$code" = 2 ] && grep -q -- "--as-of 'yesterday'" "$data/bad.txt" || {
    echo "$query --as-of yesterday: exit $code, $(cat "$data/bad.txt")" >&2
    exit 1
  }
done

if "$mctctl" --data "$data" demo --trainers 20 --seed 7 2>"$data/refusal.txt"; then
  echo "a second demo into a non-empty store was not refused" >&2
  exit 1
fi
grep -q 'already holds' "$data/refusal.txt"
echo "demo cli: ok"
