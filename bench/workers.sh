#!/usr/bin/env bash
# Execution throughput as workers are added: one api node (api,projections) accepts a backlog of BACKLOG dispatches
# to the sandbox provider while no worker runs, then N worker processes (RaffsSync__Roles=worker) on the same
# database drain it; reported as dispatches per second for each N in WORKERS, the clock running from the first
# finished dispatch to the last (start-up left out). The sandbox provider answers from the api node, so it is part
# of what is measured. Loopback only.
#   bash bench/workers.sh                      # 2000 dispatches, 1 then 2 workers
#   BACKLOG=5000 WORKERS="1 2 3" bash bench/workers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BACKLOG=${BACKLOG:-2000}
WORKERS=${WORKERS:-"1 2"}
export API_ROLES=api,projections
source bench/lib.sh

body='{"tenant_id": "29", "provider": "sandbox", "route_key": "orders.push", "payload": {"customer": "bench", "items": [{"sku": "KOPI", "qty": 1}]}}'
waiting() { sql -c "select count(*) from raffssync.mt_doc_dispatch where data->>'status' in ('Accepted','InProgress','RetryScheduled')"; }
now_ms() { date +%s%3N; }

worker_pids=()
stop_workers() { for pid in "${worker_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done; worker_pids=(); }
trap 'stop_workers; kill $api 2>/dev/null; wait $api 2>/dev/null; rm -rf "$work"' EXIT

echo "$(nproc) cores, one api node, backlog of $BACKLOG dispatches per run"
for count in $WORKERS; do
  # The backlog, accepted while no worker runs (16 requests at a time).
  seq 1 "$BACKLOG" | xargs -P 16 -I{} curl -sf -o /dev/null -X POST "http://127.0.0.1:$PORT/api/v1/dispatches" \
    -H "Authorization: Bearer $RAFFSSYNC_BENCH_KEY" -H "Content-Type: application/json" -d "$body"
  [ "$(waiting)" -ge "$BACKLOG" ] || { echo "backlog not accepted: $(waiting) waiting" >&2; exit 1; }

  for i in $(seq 1 "$count"); do
    ASPNETCORE_ENVIRONMENT=Development RaffsSync__Roles=worker \
    RaffsSync__LocalPostgres__Directory="$work/postgres" RaffsSync__LocalPostgres__Port=$PGPORT \
    RaffsSync__SelfUrl="http://127.0.0.1:$PORT" Logging__LogLevel__Default=Warning \
      dotnet src/RaffsSync.Api/bin/Release/net10.0/RaffsSync.Api.dll --urls "http://127.0.0.1:$((PORT + 10 + i))" \
      >"$work/worker-$count-$i.log" 2>&1 &
    worker_pids+=($!)
  done
  # The clock starts when the workers have begun (start-up is not throughput): from the first finished dispatch.
  for _ in $(seq 1 1200); do [ "$(waiting)" -lt "$BACKLOG" ] && break; sleep 0.1; done
  started=$(now_ms); left=$(waiting)
  for _ in $(seq 1 2400); do [ "$(waiting)" = "0" ] && break; sleep 0.1; done
  elapsed=$(( $(now_ms) - started ))
  awk -v n="$count" -v b="$left" -v ms="$elapsed" \
    'BEGIN {printf "%d worker(s): %d dispatches in %.1f s = %.0f dispatches/s\n", n, b, ms / 1000, b / (ms / 1000)}'
  stop_workers
done
echo "succeeded: $(sql -c "select count(*) from raffssync.mt_doc_dispatch where data->>'status' = 'Succeeded'"), other: $(sql -c "select count(*) from raffssync.mt_doc_dispatch where data->>'status' <> 'Succeeded'")"
