#!/usr/bin/env bash
# Dispatch acceptance throughput, as a ratio against GET /health/live in the same run.
# Starts the API (Release) on a fresh local PostgreSQL cluster (synchronous_commit on), runs wrk
# against both endpoints for DURATION each, waits for the accepted dispatches to finish, and
# prints requests/s, latency percentiles, errors and the ratio. Loopback only.
#   bash bench/run.sh                 # 30 s per endpoint, 2 threads, 16 connections
#   DURATION=60s CONNECTIONS=32 bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/lib.sh
psql_count() {
  sql -c "select count(*) from raffssync.mt_doc_dispatch where data->>'status' $1" 2>/dev/null || echo "?"
}

# PostgreSQL's own ceiling on this machine, same cluster and settings: single-row insert + commit.
pgbench_bin="$(dirname "$(find /usr/lib/postgresql -name initdb -path '*/bin/*' | sort | tail -1)")/pgbench"
pgbench_tps="n/a"
if [ -x "$pgbench_bin" ]; then
  sql -c "create table if not exists bench_insert (id bigserial primary key, body text)" >/dev/null
  echo "insert into bench_insert (body) values ('x');" > "$work/insert.sql"
  pgbench_tps=$("$pgbench_bin" -h 127.0.0.1 -p $PGPORT -U raffs -n -c "$CONNECTIONS" -j "$THREADS" -T 10 -f "$work/insert.sql" postgres 2>/dev/null \
    | awk '/^tps/ {printf "%.0f", $3; exit}')
fi

echo "warm-up (5 s each, not reported)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "http://127.0.0.1:$PORT/health/live" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s bench/dispatch.lua "http://127.0.0.1:$PORT/api/v1/dispatches" >/dev/null

baseline=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT/health/live")
dispatch=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/dispatch.lua "http://127.0.0.1:$PORT/api/v1/dispatches")

echo "waiting for accepted dispatches to finish..."
for _ in $(seq 1 600); do
  [ "$(psql_count "in ('Accepted','InProgress','RetryScheduled')")" = "0" ] && break
  sleep 1
done

# The async daemon writes the audit log and the daily reports behind the dispatches: how long until it has caught up?
caught_up_started=$(date +%s)
for _ in $(seq 1 600); do
  [ "$(sql -c "select count(*) from raffssync.mt_events e where not exists (select 1 from raffssync.audit_log a where a.sequence = e.seq_id)")" = "0" ] && break
  sleep 1
done
caught_up_after=$(( $(date +%s) - caught_up_started ))

echo
echo "$(nproc) cores, synchronous_commit on, $THREADS threads x $CONNECTIONS connections, $DURATION per endpoint"
report "GET /health/live" "$baseline"
report "POST /api/v1/dispatches" "$dispatch"
awk -v b="$(rps "$baseline")" -v d="$(rps "$dispatch")" \
  'BEGIN {printf "ratio (dispatch / baseline): %.3f\n", d / b}'
echo "pgbench single-row insert + commit, $CONNECTIONS clients, 10 s: $pgbench_tps tps"
echo "dispatches succeeded: $(psql_count "= 'Succeeded'"), not succeeded: $(psql_count "<> 'Succeeded'")"
echo "audit log: $(sql -c "select count(*) from raffssync.audit_log") entries for $(sql -c "select count(*) from raffssync.mt_events") events, caught up ${caught_up_after} s after the last dispatch finished"
