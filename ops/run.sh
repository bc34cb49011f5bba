#!/usr/bin/env bash
# Sets up and runs the main job: installs what is missing, builds, loads demo data into the
# embedded store (first run only), makes demo tokens (replacing the last run's), and starts mctd on
# 127.0.0.1.
#   MCT_DATA (default ./mct-data), MCT_PORT (default 8080), MCT_DEMO_TRAINERS (default 2000)
set -euo pipefail
cd "$(dirname "$0")/.."

bash ops/install-deps.sh
bash ops/build.sh build

data=${MCT_DATA:-$PWD/mct-data}
port=${MCT_PORT:-8080}
mctctl=build/admin/mctctl
if [ ! -f "$data/CURRENT" ]; then
  echo "== loading demo data into $data"
  "$mctctl" --data "$data" demo --trainers "${MCT_DEMO_TRAINERS:-2000}" --seed 1
fi

# Tokens are kept hashed and shown once, so each start makes new ones; the last start's go first,
# so that they do not pile up (a token of these ids made by hand goes too). A failure to remove
# one that is there ends the script.
remove_tokens_of() {  # ID ROLE
  if "$mctctl" --data "$data" token list | awk -v id="$1" -v role="$2" \
    '$2 == role && $3 == id { found = 1 } END { exit !found }'; then
    "$mctctl" --data "$data" token remove --id "$1" --role "$2" > /dev/null
  fi
}
remove_tokens_of demo-support support
remove_tokens_of demo-auditor auditor
support=$("$mctctl" --data "$data" token add --role support --id demo-support)
auditor=$("$mctctl" --data "$data" token add --role auditor --id demo-auditor)
# The first trainer of the anniversary index. awk reads the whole answer: a reader that stopped at
# the first line (head) would make mctctl fail on the closed pipe, and pipefail end this script.
trainer_mcid=$("$mctctl" --data "$data" --json due --from 1900-01-01 --to 2100-12-31 |
  awk -F'"' '/"mcid":/ && !found { print $4; found = 1 }')
trainer=""
if [ -n "$trainer_mcid" ]; then
  remove_tokens_of "$trainer_mcid" trainer
  trainer=$("$mctctl" --data "$data" token add --role trainer --id "$trainer_mcid")
fi

cat <<INFO

MCT renewal back office on http://127.0.0.1:$port/
  dashboard        http://127.0.0.1:$port/dashboard.html
  support console  http://127.0.0.1:$port/console.html
  auditor view     http://127.0.0.1:$port/audit.html
  API              http://127.0.0.1:$port/v1/...   (docs/openapi.json)
  metrics          http://127.0.0.1:$port/metrics

Demo tokens (sign in with one; send as "Authorization: Bearer TOKEN" to the API):
  support  $support
  auditor  $auditor
  trainer  $trainer   (MCID $trainer_mcid)

Stop with Ctrl-C (graceful: in-flight commands finish, the log is flushed).
INFO
exec build/admin/mctd --data "$data" --listen "127.0.0.1:$port"
