#!/usr/bin/env bash
# End-to-end dispatch throughput as workers are added: one api node (api,projections) and N worker processes
# (RaffsSync__Roles=worker) on one database; after a warm-up, wrk posts dispatches to the sandbox provider for
# DURATION and the clock runs from its first request until the last accepted dispatch has succeeded; for each N in
# WORKERS. The sandbox provider answers from the api node, so it is part of what is measured. Loopback only.
#   bash bench/workers.sh                      # 30 s of load, 1 then 2 workers
#   DURATION=60s WORKERS="1 2 3" bash bench/workers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WORKERS=${WORKERS:-"1 2"}
export API_ROLES=api,projections
source bench/lib.sh

body='{"tenant_id": "29", "provider": "sandbox", "route_key": "orders.push", "payload": {"customer": "bench", "items": [{"sku": "KOPI", "qty": 1}]}}'
succeeded() { sql -c "select count(*) from raffssync.mt_doc_dispatch where data->>'status' = 'Succeeded'"; }
waiting() { sql -c "select count(*) from raffssync.mt_doc_dispatch where data->>'status' in ('Accepted','InProgress','RetryScheduled')"; }
now_ms() { date +%s%3N; }

worker_pids=()
stop_workers() { for pid in "${worker_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done; worker_pids=(); }

post() { # count: accept that many dispatches, 16 requests at a time
  seq 1 "$1" | xargs -P 16 -I{} curl -sf -o /dev/null -X POST "http://127.0.0.1:$PORT/api/v1/dispatches" \
    -H "Authorization: Bearer $RAFFSSYNC_BENCH_KEY" -H "Content-Type: application/json" -d "$body"
}
drained() { for _ in $(seq 1 3000); do [ "$(waiting)" = "0" ] && return; sleep 0.1; done; echo "not drained: $(waiting) waiting" >&2; exit 1; }

echo "$(nproc) cores, one api node (api,projections); wrk $THREADS threads x $CONNECTIONS connections for $DURATION per run while the workers run"
for count in $WORKERS; do
  for i in $(seq 1 "$count"); do
    start_node worker "http://127.0.0.1:$((PORT + 10 + i))" "$work/worker-$count-$i.log" RaffsSync__SelfUrl="http://127.0.0.1:$PORT"
    worker_pids+=($!)
  done
  for i in $(seq 1 "$count"); do
    for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$((PORT + 10 + i))/health/live" >/dev/null && break; sleep 0.5; done
  done
  # Warm-up, not reported: every worker compiles its handlers and fills its pools.
  post 200; drained

  before=$(succeeded)
  started=$(now_ms)
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s bench/dispatch.lua "http://127.0.0.1:$PORT/api/v1/dispatches" >"$work/wrk-$count.txt"
  drained
  elapsed=$(( $(now_ms) - started ))
  awk -v n="$count" -v d="$(( $(succeeded) - before ))" -v ms="$elapsed" -v accept="$(rps "$(cat "$work/wrk-$count.txt")")" \
    'BEGIN {printf "%d worker(s): %d dispatches accepted (%.0f/s while posting) and succeeded in %.1f s = %.0f dispatches/s end to end\n", n, d, accept, ms / 1000, d / (ms / 1000)}'
  stop_workers
done
echo "succeeded: $(sql -c "select count(*) from raffssync.mt_doc_dispatch where data->>'status' = 'Succeeded'"), other: $(sql -c "select count(*) from raffssync.mt_doc_dispatch where data->>'status' <> 'Succeeded'")"
