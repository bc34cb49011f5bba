#!/usr/bin/env bash
# The load benchmark of mctd over loopback, beside the alternative most teams would pick: a
# PostgreSQL events table (one row per event, UNIQUE (stream_id, version), the next version
# computed in the insert) appended by pgbench with the same numbers of clients, over TCP on
# loopback as mct_load_bench drives mctd (and over its Unix socket, for comparison). Both durable:
# mctd syncs its WAL before answering, PostgreSQL runs with fsync and synchronous_commit on.
#   ops/load-bench.sh [WORK_DIR] [SECONDS]       (defaults /tmp/mct-load, 10)
# Prints Markdown tables on stdout (each load's rate and latency; the ratio to PostgreSQL; each
# side's CPU per command at saturation, the load generators' shown apart; at 64 connections, the
# HTTP library's floor: mct_http_floor_bench's canned answers from cpp-httplib, as mctd serves,
# and from libevent's evhttp; and mctd's command path behind an event loop, mct_event_loop_server);
# progress on stderr.
# WORK_DIR is emptied first.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/mct-load}
seconds=${2:-10}
build_dir=${MCT_BENCH_BUILD:-build-release}
port=${MCT_LOAD_PORT:-18181}
pg_port=${MCT_PG_PORT:-55432}
rates=(1000 2500 5000 7500)
clients=(16 64)

bash ops/install-deps.sh postgresql python3 >&2
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMCT_BUILD_BENCH=ON >&2
fi
cmake --build "$build_dir" -j"${MCT_JOBS:-2}" --target mctd mctctl mct_load_bench mct_http_floor_bench \
  mct_event_loop_server >&2
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

rm -rf "$work"
mkdir -p "$work/pg"
mctd_pid=""
floor_pid=""
cleanup() {
  for pid in "$mctd_pid" "$floor_pid"; do
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  if [ -f "$work/pg/data/postmaster.pid" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# --- mctd -----------------------------------------------------------------------------------
token=$("$build_dir/admin/mctctl" --data "$work/data" token add --role support --id load-bench | tail -1 | awk '{print $NF}')
"$build_dir/admin/mctd" --data "$work/data" --listen "127.0.0.1:$port" --rate-limit 0 \
  --log-level warn 2>"$work/mctd.log" &
mctd_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { echo "load-bench: mctd did not start" >&2; cat "$work/mctd.log" >&2; exit 1; }

# CPU seconds, so that each side's cost per command can be set beside its rate: both sides share
# the machine's cores with their load generators.
clock_ticks=$(getconf CLK_TCK)
cpu_seconds() {  # cpu_seconds PID...: user + system time of the processes and their reaped children
  local ticks=0 pid
  for pid in "$@"; do
    ticks=$((ticks + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$ticks $clock_ticks" | awk '{printf "%.3f", $1 / $2}'
}
children_seconds() {  # the second line of bash's `times` (children's user and system) in seconds
  sed -n 2p | awk '{ total = 0
    for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); total += t[1] * 60 + t[2] }
    printf "%.3f", total }'
}

run=0
results=()
server_cpu=()
generator_cpu=()
events=()  # events each row appended (the log's head from /metrics): a command appends one or more
log_head() { curl -fs "http://127.0.0.1:$port/metrics" | awk '$1 == "mct_log_events" {printf "%d", $2}'; }
load() {  # load CONNECTIONS RATE (0: saturation)
  run=$((run + 1))
  echo "load-bench: mctd, $1 connections, rate ${2/#0/saturation}, ${seconds}s" >&2
  local args=(--port "$port" --token "$token" --connections "$1" --seconds "$seconds"
              --first-mcid $((1000000000 + run * 100000000)))
  [ "$2" != 0 ] && args+=(--rate "$2")
  local before out head
  head=$(log_head)
  before=$(cpu_seconds "$mctd_pid")
  out=$({ "$build_dir/bench/mct_load_bench" "${args[@]}" || true; times; })
  server_cpu+=("$(echo "$(cpu_seconds "$mctd_pid") $before" | awk '{printf "%.3f", $1 - $2}')")
  events+=("$(( $(log_head) - head ))")
  results+=("$(echo "$out" | head -1 | grep '^{' || true)")  # none when the generator failed
  generator_cpu+=("$(echo "$out" | tail -2 | children_seconds)")
}
for rate in "${rates[@]}"; do load 64 "$rate"; done
for count in "${clients[@]}"; do load "$count" 0; done
kill "$mctd_pid"; wait "$mctd_pid" || true; mctd_pid=""

# --- the HTTP library's floor: the front door alone, a canned answer per command ----------------
source bench/floor_server.sh
floors=()
for library in httplib evhttp; do
  echo "load-bench: $library's floor, 64 connections, saturation, ${seconds}s" >&2
  # floor_pid is stopped by cleanup if the run fails.
  start_floor_server "$build_dir/bench/mct_http_floor_bench" "$library" "$work/floor.out" || exit 1
  before=$(cpu_seconds "$floor_pid")
  out=$({ "$build_dir/bench/mct_load_bench" --port "$floor_port" --token floor --connections 64 \
            --seconds "$seconds" || true; times; })
  after=$(cpu_seconds "$floor_pid")
  kill "$floor_pid"; wait "$floor_pid" || true; floor_pid=""
  server_seconds=$(echo "$after $before" | awk '{printf "%.3f", $1 - $2}')
  generator_seconds=$(echo "$out" | tail -2 | children_seconds)
  floors+=("$library $server_seconds $generator_seconds $(echo "$out" | head -1 | grep '^{' || echo '{}')")
done

# --- mctd's command path behind an event loop (mct_event_loop_server) -------------------------
# The same work per command as mctd's commands route, on libevent's evhttp and the store's
# callbacks instead of a thread per connection: what the front door's design is worth.
echo "load-bench: mctd's command path on an event loop, 64 connections, saturation, ${seconds}s" >&2
loop_token=$("$build_dir/admin/mctctl" --data "$work/loop-data" token add --role support \
               --id load-bench | tail -1 | awk '{print $NF}')
start_event_loop_server "$build_dir/bench/mct_event_loop_server" "$work/loop-data" \
  "$work/loop.out" || exit 1
before=$(cpu_seconds "$floor_pid")
out=$({ "$build_dir/bench/mct_load_bench" --port "$floor_port" --token "$loop_token" \
          --connections 64 --seconds "$seconds" --first-mcid 9000000000 || true; times; })
after=$(cpu_seconds "$floor_pid")
kill "$floor_pid"; wait "$floor_pid" || true; floor_pid=""
server_seconds=$(echo "$after $before" | awk '{printf "%.3f", $1 - $2}')
generator_seconds=$(echo "$out" | tail -2 | children_seconds)
floors+=("evloop $server_seconds $generator_seconds $(echo "$out" | head -1 | grep '^{' || echo '{}')")

# --- PostgreSQL -----------------------------------------------------------------------------
chown -R postgres "$work/pg"
runuser -u postgres -- "$pg_bin/initdb" -D "$work/pg/data" -U postgres --auth=trust >/dev/null
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
  -o "-p $pg_port -k $work/pg -c listen_addresses='127.0.0.1' -c fsync=on -c synchronous_commit=on -c max_connections=200 -c shared_buffers=256MB" start >&2
psql=(psql -h "$work/pg" -p "$pg_port" -U postgres -q -v ON_ERROR_STOP=1)
"${psql[@]}" -c "CREATE TABLE events (
  position bigserial PRIMARY KEY, stream_id bigint NOT NULL, version integer NOT NULL,
  type text NOT NULL, data jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_id, version))"
# Each client appends to streams of its own (no two clients race for one version), each insert
# computing the stream's next version, as an event store on PostgreSQL does.
cat > "$work/pg/append.sql" <<'SQL'
\set stream :client_id + :clients * random(0, 99999)
INSERT INTO events (stream_id, version, type, data)
SELECT :stream, COALESCE(MAX(version), 0) + 1, 'MtmSurveyRecorded',
       '{"course_name": "AZ-104T00 Microsoft Azure Administrator", "course_date": "2026-11-15", "average_score": 8.5, "actor": {"role": "support", "id": "load-bench"}}'
FROM events WHERE stream_id = :stream;
SQL
pg_tps=()
pg_appends=()
pg_cpu=()
pgbench_cpu=()
postmaster=$(head -1 "$work/pg/data/postmaster.pid")
pg_cpu_seconds() {  # the postmaster, its live children, and the backends it has reaped
  local children
  children=$(awk -v parent="$postmaster" '$4 == parent {print $1}' /proc/[0-9]*/stat 2>/dev/null)
  cpu_seconds "$postmaster" $children
}
# pgbench connects over TCP on loopback, as mct_load_bench connects to mctd; the same clients over
# PostgreSQL's Unix socket follow, for comparison (a shorter path through the kernel).
pg_tps_unix=()
for count in "${clients[@]}"; do
  # Each run starts from an empty table, so that no run inherits a larger index from the one before.
  "${psql[@]}" -c "TRUNCATE events"
  echo "load-bench: PostgreSQL pgbench, $count clients over TCP, ${seconds}s" >&2
  before=$(pg_cpu_seconds)
  out=$({ pgbench -h 127.0.0.1 -p "$pg_port" -U postgres -n -c "$count" -j 2 -T "$seconds" \
          -D clients="$count" -f "$work/pg/append.sql" postgres 2>&1; times; })
  sleep 0.5  # the backends of pgbench's connections exit; the postmaster reaps them
  pg_cpu+=("$(echo "$(pg_cpu_seconds) $before" | awk '{printf "%.3f", $1 - $2}')")
  pgbench_cpu+=("$(echo "$out" | tail -2 | children_seconds)")
  pg_tps+=("$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)")
  pg_appends+=("$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' | head -1)")
  "${psql[@]}" -c "TRUNCATE events"
  echo "load-bench: PostgreSQL pgbench, $count clients over its Unix socket, ${seconds}s" >&2
  out=$(pgbench -h "$work/pg" -p "$pg_port" -U postgres -n -c "$count" -j 2 -T "$seconds" \
          -D clients="$count" -f "$work/pg/append.sql" postgres 2>&1)
  pg_tps_unix+=("$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)")
done

# --- the table ------------------------------------------------------------------------------
MCT_FLOORS=$(printf '%s\n' "${floors[@]}") \
MCT_CPU="${server_cpu[*]};${generator_cpu[*]};${pg_cpu[*]};${pgbench_cpu[*]};${pg_appends[*]}" \
MCT_EVENTS="${events[*]}" \
python3 - "$seconds" "${#rates[@]}" "${clients[*]}" "${pg_tps[*]}" "${pg_tps_unix[*]}" "${results[@]}" <<'PY'
import json, os, sys
seconds, nrates, clients, pg, pg_unix = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split(), sys.argv[5].split()
runs = [json.loads(line) if line.strip() else None for line in sys.argv[6:]]
server_cpu, generator_cpu, pg_cpu, pgbench_cpu, pg_appends = (
    [float(x) for x in part.split()] for part in os.environ["MCT_CPU"].split(";"))
print(f"mctd load over loopback, {seconds} s per row, durable (WAL synced before each answer)\n")
print("| load | commands/s | p50 ms | p99 ms | p99.9 ms | 2xx | 4xx | 5xx | transport failures |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for run in runs:
    if run is None:
        print("| (run failed) | | | | | | | | |"); continue
    load = f"{run['connections']} connections, " + (f"{run['rate_asked']:,.0f}/s asked" if run['rate_asked'] else "saturation")
    print(f"| {load} | {run['commands_per_second']:,.0f} | {run['p50_ms']:.2f} | {run['p99_ms']:.2f} | {run['p999_ms']:.2f} | "
          f"{run['answers_2xx']:,} | {run['answers_4xx']:,} | {run['answers_5xx']:,} | {run['transport_failures']:,} |")
print("\nBoth sides over TCP on loopback; PostgreSQL over its Unix socket beside it, for comparison:\n")
events = [int(x) for x in os.environ["MCT_EVENTS"].split()]
print("| clients | mctd commands/s (saturation) | PostgreSQL appends/s (pgbench, TCP) | ratio | target | PostgreSQL, Unix socket | ratio | mctd events appended/s | ratio to PostgreSQL's appends (TCP) |")
print("|---:|---:|---:|---:|---|---:|---:|---:|---:|")
def rate(rates, index):
    return float(rates[index]) if index < len(rates) and rates[index] else 0
for index, count in enumerate(clients):
    run = runs[nrates + index]
    ours = run['commands_per_second'] if run else 0
    theirs, theirs_unix = rate(pg, index), rate(pg_unix, index)
    ratio = ours / theirs if theirs else 0
    ratio_unix = ours / theirs_unix if theirs_unix else 0
    appended = events[nrates + index] / float(seconds) if run else 0
    print(f"| {count} | {ours:,.0f} | {theirs:,.0f} | {ratio:.2f}× | ≥ 2×: {'met' if ratio >= 2 else 'MISSED'} | "
          f"{theirs_unix:,.0f} | {ratio_unix:.2f}× | {appended:,.0f} | {appended / theirs if theirs else 0:.2f}× |")
def per_command(cpu, count):
    return f"{cpu * 1e6 / count:.0f}" if count else "-"
print("\nCPU per command at saturation, in µs (each side shares the cores with its load generator):\n")
print("| clients | mctd | mct_load_bench | both | PostgreSQL | pgbench | both |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for index, count in enumerate(clients):
    run = runs[nrates + index]
    answered = run['answers_2xx'] + run['answers_4xx'] if run else 0
    ours, generator = server_cpu[nrates + index], generator_cpu[nrates + index]
    appends = pg_appends[index] if index < len(pg_appends) else 0
    theirs, bench = (pg_cpu[index], pgbench_cpu[index]) if index < len(pg_cpu) else (0, 0)
    print(f"| {count} | {per_command(ours, answered)} | {per_command(generator, answered)} | "
          f"{per_command(ours + generator, answered)} | {per_command(theirs, appends)} | "
          f"{per_command(bench, appends)} | {per_command(theirs + bench, appends)} |")
cores = os.cpu_count() or 1
pg64 = float(pg[clients.index("64")]) if "64" in clients and clients.index("64") < len(pg) and pg[clients.index("64")] else 0
def ceiling(both_cpu, count):
    # The rate if the server and its generator kept every core busy at this CPU per command.
    if not count or not both_cpu:
        return "- | -"
    rate = cores * count / both_cpu
    return f"{rate:,.0f} | {rate / pg64:.2f}×" if pg64 else f"{rate:,.0f} | -"
print("\nThe front door at 64 connections, CPU per command in µs. The HTTP library's floor: a canned answer per command (about 600 bytes, as mctd's to an "
      "enrolment), nothing parsed, decided or written (mct_http_floor_bench). mctd's command path on an event loop: all of mctd's work per command "
      f"behind libevent's evhttp (mct_event_loop_server). The ceiling: the rate at which this CPU per command would keep all {cores} cores busy, and its "
      "ratio to PostgreSQL's 64-client rate:\n")
print("| front door | commands/s | server | mct_load_bench | both | ceiling/s | ceiling ÷ PostgreSQL |")
print("|---|---:|---:|---:|---:|---:|---:|")
run64 = runs[nrates + clients.index("64")] if "64" in clients else None
if run64:
    answered = run64['answers_2xx'] + run64['answers_4xx']
    index = nrates + clients.index("64")
    print(f"| mctd (all of its work) | {run64['commands_per_second']:,.0f} | {per_command(server_cpu[index], answered)} | "
          f"{per_command(generator_cpu[index], answered)} | {per_command(server_cpu[index] + generator_cpu[index], answered)} | "
          f"{ceiling(server_cpu[index] + generator_cpu[index], answered)} |")
for line in os.environ.get("MCT_FLOORS", "").splitlines():
    library, server, generator, result = line.split(" ", 3)
    floor = json.loads(result)
    answered = floor.get('answers_2xx', 0) + floor.get('answers_4xx', 0)
    name = {"httplib": "floor: cpp-httplib with mctd's connection loop, 64 threads",
            "evhttp": "floor: libevent evhttp, one event loop",
            "evloop": "mctd's command path on an event loop (evhttp)"}.get(library, library)
    print(f"| {name} | {floor.get('commands_per_second', 0):,.0f} | {per_command(float(server), answered)} | "
          f"{per_command(float(generator), answered)} | {per_command(float(server) + float(generator), answered)} | "
          f"{ceiling(float(server) + float(generator), answered)} |")
at5000 = next((r for r in runs[:nrates] if r and r['rate_asked'] == 5000), None)
if at5000:
    print(f"\np99 at 5,000 commands/s: {at5000['p99_ms']:.2f} ms (target < 10 ms: {'met' if at5000['p99_ms'] < 10 else 'MISSED'}); "
          f"5xx over all rows: {sum(r['answers_5xx'] for r in runs if r)}")
PY
