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

if "$mctctl" --data "$data" demo --trainers 20 --seed 7 2>"$data/refusal.txt"; then
  echo "a second demo into a non-empty store was not refused" >&2
  exit 1
fi
grep -q 'already holds' "$data/refusal.txt"
echo "demo cli: ok"
