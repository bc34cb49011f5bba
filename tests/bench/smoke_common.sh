# Sourced by the bench smoke scripts: a work directory, removed at exit after the server whose pid
# is in $pid is stopped, and field() to read a number from the load generator's one-line report.
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

field() {  # field NAME JSON
  sed -n "s/.*\"$1\":\([0-9.e+-]*\).*/\1/p" <<<"$2"
}
