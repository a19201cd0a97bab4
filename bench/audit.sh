#!/usr/bin/env bash
# Audit log reads at depth: cursor pages cost the same anywhere in the log (they walk the primary
# key), so the deep/shallow ratio should stay near 1; page style is capped at 10,000 entries deep
# and pays a count(*) per request. Starts the API (Release) on a fresh local cluster, appends
# ENTRIES synthetic entries to the audit table (far above the real sequences; their hashes are not
# a chain, this measures reads only), then runs wrk for DURATION per query. Loopback only.
#   bash bench/audit.sh                        # 1,000,000 entries, 10 s per query
#   ENTRIES=200000 DURATION=30s bash bench/audit.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
ENTRIES=${ENTRIES:-1000000}
source bench/lib.sh

first=10000001
last=$((first + ENTRIES - 1))
echo "appending $ENTRIES audit entries (100 locations)..."
seed_started=$(date +%s)
sql -c "insert into raffssync.audit_log (sequence, occurred_at, scope, tenant_id, customer_id, stream_id, event_type, actor,
          caller_class, request_id, causation_id, summary, data, previous_hash, hash)
        select s, now() - make_interval(secs => $last - s), 'location', 'bench-' || (s % 100), null, md5(s::text),
               'dispatch_succeeded', 'bench-key', 'system', 'req-' || s, null, 'Dispatch succeeded on attempt 1',
               '{\"attempt\":1,\"dispatch_id\":\"' || md5(s::text) || '\"}', repeat('0', 64), repeat('0', 64)
        from generate_series($first, $last) s"
sql -c "vacuum analyze raffssync.audit_log"  # as autovacuum would leave it
sql -c "checkpoint"                        # so the seed's writes do not land in the measurements
echo "seeded in $(( $(date +%s) - seed_started )) s"

cursor() { printf 'a%s' "$1" | base64 | tr '+/' '-_' | tr -d '='; }
url="http://127.0.0.1:$PORT/api/v1/audit"
auth="Authorization: Bearer $RAFFSSYNC_BENCH_KEY"
deep=$((last - 20000))  # a full page even for one location (1 entry in 100)
declare -A queries=(
  ["1 cursor, first page"]="$url?limit=100&cursor=$(cursor $first)"
  ["2 cursor, 98% deep"]="$url?limit=100&cursor=$(cursor $deep)"
  ["3 cursor, one location, first"]="$url?limit=100&tenant_id=bench-7&cursor=$(cursor $first)"
  ["4 cursor, one location, deep"]="$url?limit=100&tenant_id=bench-7&cursor=$(cursor $deep)"
  ["5 page 1 (with total)"]="$url?page=1&per_page=100"
  ["6 page 100 (deepest allowed)"]="$url?page=100&per_page=100"
)

for name in $(printf '%s\n' "${!queries[@]}" | sort | tr ' ' '~'); do
  name=${name//\~/ }
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "${queries[$name]}")
  [ "$status" = 200 ] || { echo "$name answered $status"; exit 1; }
  wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -H "$auth" "${queries[$name]}" >/dev/null  # warm-up
  results[${name%% *}]=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$auth" "${queries[$name]}")
  report "${name#* }" "${results[${name%% *}]}"
done

awk -v s="$(rps "${results[1]}")" -v d="$(rps "${results[2]}")" -v ls="$(rps "${results[3]}")" -v ld="$(rps "${results[4]}")" \
  'BEGIN {printf "ratio deep / first, whole log: %.2f; one location: %.2f\n", d / s, ld / ls}'
echo "$(nproc) cores, $THREADS threads x $CONNECTIONS connections, $DURATION per query, $ENTRIES entries"
