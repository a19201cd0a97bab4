#!/usr/bin/env bash
# Dispatch acceptance throughput, as a ratio against GET /health/live in the same run.
# Starts the API (Release) on a fresh local PostgreSQL cluster (synchronous_commit on), runs wrk
# against both endpoints for DURATION each, waits for the accepted dispatches to finish, and
# prints requests/s, latency percentiles, errors and the ratio. Loopback only.
#   bash bench/run.sh                 # 30 s per endpoint, 2 threads, 16 connections
#   DURATION=60s CONNECTIONS=32 bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PORT=${PORT:-5090}
command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }

work=$(mktemp -d /tmp/raffssync-bench-XXXX)
chmod 755 "$work"
dotnet build src/RaffsSync.Api -c Release --nologo -v q >/dev/null

ASPNETCORE_ENVIRONMENT=Development \
RaffsSync__LocalPostgres__Directory="$work/postgres" \
RaffsSync__LocalPostgres__Port=$((PORT + 1000)) \
Logging__LogLevel__Default=Warning \
RaffsSync__RateLimits__Limit=100000000 RaffsSync__RateLimits__PerSecond=100000000 \
  dotnet src/RaffsSync.Api/bin/Release/net10.0/RaffsSync.Api.dll --urls "http://127.0.0.1:$PORT" >"$work/api.log" 2>&1 &
api=$!
trap 'kill $api 2>/dev/null; wait $api 2>/dev/null; rm -rf "$work"' EXIT

for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && [ -s "$work/demo-key.txt" ] && break
  sleep 0.5
done
export RAFFSSYNC_BENCH_KEY=$(cat "$work/demo-key.txt")
psql_count() {
  psql -h 127.0.0.1 -p $((PORT + 1000)) -U raffs -d postgres -tAc \
    "select count(*) from raffssync.mt_doc_dispatch where data->>'status' $1" 2>/dev/null || echo "?"
}

# PostgreSQL's own ceiling on this machine, same cluster and settings: single-row insert + commit.
pgbench_bin="$(dirname "$(find /usr/lib/postgresql -name initdb -path '*/bin/*' | sort | tail -1)")/pgbench"
pgbench_tps="n/a"
if [ -x "$pgbench_bin" ]; then
  psql -h 127.0.0.1 -p $((PORT + 1000)) -U raffs -d postgres -qc "create table if not exists bench_insert (id bigserial primary key, body text)" >/dev/null
  echo "insert into bench_insert (body) values ('x');" > "$work/insert.sql"
  pgbench_tps=$("$pgbench_bin" -h 127.0.0.1 -p $((PORT + 1000)) -U raffs -n -c "$CONNECTIONS" -j "$THREADS" -T 10 -f "$work/insert.sql" postgres 2>/dev/null \
    | awk '/^tps/ {printf "%.0f", $3; exit}')
fi

echo "warm-up (5 s each, not reported)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "http://127.0.0.1:$PORT/health/live" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s bench/dispatch.lua "http://127.0.0.1:$PORT/api/v1/dispatches" >/dev/null

report() { # name, wrk output
  awk -v name="$1" '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /^ +99.900%/ {p999=$2}
    /Non-2xx or 3xx responses/ {errors=$5}
    END {printf "%-22s %10.0f req/s   p50 %-9s p99 %-9s non-2xx %s\n", name, rps, p50, p99, (errors == "" ? 0 : errors)}' <<<"$2"
}

baseline=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT/health/live")
dispatch=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/dispatch.lua "http://127.0.0.1:$PORT/api/v1/dispatches")

echo "waiting for accepted dispatches to finish..."
for _ in $(seq 1 600); do
  [ "$(psql_count "in ('Accepted','InProgress','RetryScheduled')")" = "0" ] && break
  sleep 1
done

echo
echo "$(nproc) cores, synchronous_commit on, $THREADS threads x $CONNECTIONS connections, $DURATION per endpoint"
report "GET /health/live" "$baseline"
report "POST /api/v1/dispatches" "$dispatch"
awk -v b="$(awk '/Requests\/sec/ {print $2}' <<<"$baseline")" -v d="$(awk '/Requests\/sec/ {print $2}' <<<"$dispatch")" \
  'BEGIN {printf "ratio (dispatch / baseline): %.3f\n", d / b}'
echo "pgbench single-row insert + commit, $CONNECTIONS clients, 10 s: $pgbench_tps tps"
echo "dispatches succeeded: $(psql_count "= 'Succeeded'"), not succeeded: $(psql_count "<> 'Succeeded'")"
