# Sourced by the test scripts that start a real mctd on `--listen 127.0.0.1:0`.
# mctd_url LOG PID: prints the URL of mctd's "listening" log line (the port it was given), waiting
# up to 10 s for it; if mctd exits first or never says it, prints its log on stderr and fails.
mctd_url() {
  local log=$1 pid=$2 url=""
  for _ in $(seq 200); do
    url=$(sed -n 's/.*"msg":"listening".*"url":"\([^"]*\)".*/\1/p' "$log" | head -1)
    if [ -n "$url" ]; then
      echo "$url"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "mctd did not say where it listens; its log:" >&2
  cat "$log" >&2
  return 1
}
