#!/usr/bin/env bash
# The benchmark: every figure as a ratio to what PostgreSQL itself commits on the same cluster in the same run.
# One machine, Release build with pre-generated code, Production environment, logging at warning,
# synchronous_commit on, a loopback provider and webhook receiver (bench/Loopback) that answer at once.
# Writes bench/results/latest.json and bench/results/latest.md (BENCHMARKS.md explains the figures).
#   bash bench/run.sh
#   ACCEPT_DURATION=30s E2E_DURATION=120s EVENTS=2000000 bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ACCEPT_DURATION=${ACCEPT_DURATION:-15s}
E2E_DURATION=${E2E_DURATION:-60s}
E2E_CONNECTIONS=${E2E_CONNECTIONS:-8}
WEBHOOK_DURATION=${WEBHOOK_DURATION:-15s}
READ_DURATION=${READ_DURATION:-10s}
EVENTS=${EVENTS:-1000000}
started_at=$(date +%s)
source bench/lib.sh
loopback_port=$((PORT + 7))
loopback="http://127.0.0.1:$loopback_port"
accept_url="http://127.0.0.1:$((PORT + 1))"
base="http://127.0.0.1:$PORT"
auth="Authorization: Bearer $RAFFSSYNC_BENCH_KEY"
final_statuses="'Succeeded','Failed','DeadLettered','OutcomeUnknown','Cancelled'"
say() { printf '[%3ds] %s\n' $(( $(date +%s) - started_at )) "$*"; }
field() { awk -v n="$2" '/^bench:/ {print $(n + 1)}' <<<"$1"; } # wrk summary line, field n (1: requests ... 6: errors)
threads_for() { [ "$1" -lt "$THREADS" ] && echo "$1" || echo "$THREADS"; }
json_post() { curl -sf -H "$auth" -H "Content-Type: application/json" "$@"; }

dotnet build bench/Loopback -c Release --nologo -v q >/dev/null
dotnet bench/Loopback/bin/Release/net10.0/Loopback.dll --urls "$loopback" >"$work/loopback.log" 2>&1 &
node_pids+=($!)
for _ in $(seq 1 60); do curl -sf "$loopback/deliveries" >/dev/null && break; sleep 0.5; done

# 1. The ceiling: pgbench, single-row insert + commit, at each client count the service is measured at.
say "ceiling: pgbench at 1, 8, 32, 128 clients"
sql -c "create table bench_insert (id bigserial primary key, body text)"
echo "insert into bench_insert (body) values ('x');" >"$work/insert.sql"
declare -A ceiling
for clients in 1 8 32 128; do
  ceiling[$clients]=$("$pg_bin/pgbench" -h 127.0.0.1 -p $PGPORT -U raffs -n -c "$clients" -j "$(threads_for "$clients")" -T 10 \
    -f "$work/insert.sql" postgres 2>/dev/null | awk '/^tps/ {printf "%.0f", $3; exit}')
done
sql -c "drop table bench_insert"

# 2. Accepting: an api-only node on a database of its own, so the backlog it leaves (no worker runs) stays there.
say "accept: api-only node at 1, 8, 32, 128 connections, $ACCEPT_DURATION each"
sql -c "create database accept"
DATABASE=accept start_node api "$accept_url" "$work/accept.log"
accept_node=$!
wait_ready "$accept_url"
accept_key=$(make_key accept)
RAFFSSYNC_BENCH_KEY=$accept_key wrk -t"$THREADS" -c32 -d5s -s bench/dispatch.lua "$accept_url/api/v1/dispatches" >/dev/null
declare -A accept
for connections in 1 8 32 128; do
  accept[$connections]=$(RAFFSSYNC_BENCH_KEY=$accept_key wrk -t"$(threads_for "$connections")" -c"$connections" -d"$ACCEPT_DURATION" \
    -s bench/dispatch.lua "$accept_url/api/v1/dispatches")
  say "  $connections: $(field "${accept[$connections]}" 2) req/s, p99 $(field "${accept[$connections]}" 4) ms"
done
rss_accept=$(peak_rss_mb "$accept_node")
stop_node "$accept_node"

# 3. End to end on the all-roles node: accepted -> called -> succeeded, through the loopback provider.
say "end to end: $E2E_CONNECTIONS connections for $E2E_DURATION"
json_post "$base/api/v1/providers" -d "{\"key\": \"bench\", \"name\": \"Benchmark loopback\", \"auth_kind\": \"none\",
  \"base_urls\": {\"sandbox\": \"$loopback/provider\", \"production\": \"$loopback/provider\"}}" >/dev/null
json_post -X PUT "$base/api/v1/providers/bench/routes/orders.push" -d \
  '{"kind": "http", "request": {"method": "POST", "path": "/orders/{{dispatch.id}}", "body": "payload"}, "success": [201]}' >/dev/null
export BENCH_PROVIDER=bench
wrk -t"$THREADS" -c"$E2E_CONNECTIONS" -d5s -s bench/dispatch.lua "$base/api/v1/dispatches" >/dev/null  # warm-up
waiting() { sql -c "select count(*) from raffssync.mt_doc_dispatch where data->>'status' not in ($final_statuses)"; }
drain() { for _ in $(seq 1 6000); do [ "$(waiting)" = 0 ] && return; sleep 0.1; done; }
drain
curl -sf -X POST "$loopback/reset" >/dev/null
before=$(sql -c "select count(*) from raffssync.mt_doc_dispatch")
e2e_started=$(date +%s%3N)
e2e=$(wrk -t"$THREADS" -c"$E2E_CONNECTIONS" -d"$E2E_DURATION" -s bench/dispatch.lua "$base/api/v1/dispatches")
load_ended=$(date +%s%3N)
drain
drained=$(date +%s%3N)
e2e_accepted=$(( $(field "$e2e" 1) - $(field "$e2e" 6) ))
e2e_final=$(sql -c "select count(*) from raffssync.mt_doc_dispatch where data->>'status' in ($final_statuses)")
e2e_final=$(( e2e_final - before ))
e2e_succeeded_total=$(sql -c "select count(*) from raffssync.mt_doc_dispatch where data->>'status' = 'Succeeded'")
curl -sf "$loopback/calls" >"$work/calls.csv"
over_policy=$(sql <<SQL
create temp table calls (dispatch_id uuid, calls int);
\copy calls from '$work/calls.csv' with (format csv)
select coalesce(sum(greatest(0, c.calls - coalesce((d.data->>'attempts')::int, 0))), 0)
from calls c left join raffssync.mt_doc_dispatch d on d.id = c.dispatch_id;
SQL
)
lost=$(( e2e_accepted > e2e_final ? e2e_accepted - e2e_final : 0 ))
lost=$(( lost + $(waiting) ))
e2e_seconds=$(awk -v a="$e2e_started" -v b="$drained" 'BEGIN {printf "%.1f", (b - a) / 1000}')
drain_s=$(awk -v a="$load_ended" -v b="$drained" 'BEGIN {printf "%.1f", (b - a) / 1000}')
e2e_dps=$(awk -v n="$e2e_final" -v s="$e2e_seconds" 'BEGIN {printf "%.1f", n / s}')
say "  $e2e_final dispatches final in $e2e_seconds s ($e2e_dps/s), drained $drain_s s after the load, lost $lost, over policy $over_policy"

# 4. Webhooks: test messages to an endpoint of a customer, delivered to the loopback receiver.
say "webhooks: test messages for $WEBHOOK_DURATION"
customer=$(json_post "$base/api/v1/customers" -d '{"name": "Benchmark"}' | sed 's/.*"id":"\([^"]*\)".*/\1/')
endpoint=$(json_post "$base/api/v1/webhooks/endpoints" -d "{\"url\": \"$loopback/hooks\", \"customer_id\": \"$customer\",
  \"event_types\": [\"dispatch.failed\"]}" | sed 's/.*"id":"\([^"]*\)".*/\1/')
curl -sf -X POST "$loopback/reset" >/dev/null
cat >"$work/webhook.lua" <<'LUA'
package.path = "bench/?.lua;" .. package.path
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("RAFFSSYNC_BENCH_KEY")
done = require("summary").done
LUA
hooks=$(wrk -t"$THREADS" -c8 -d"$WEBHOOK_DURATION" -s "$work/webhook.lua" "$base/api/v1/webhooks/endpoints/$endpoint/test")
hooks_sent=$(( $(field "$hooks" 1) - $(field "$hooks" 6) ))
delivered() { curl -sf "$loopback/deliveries" | sed 's/.*"messages":\([0-9]*\).*/\1/'; }
for _ in $(seq 1 1200); do [ "$(delivered)" -ge "$hooks_sent" ] && break; sleep 0.1; done
webhook_stats=$(curl -sf "$loopback/deliveries")
webhook_dps=$(sed 's/.*"messages":\([0-9]*\).*"span_ms":\([0-9]*\).*/\1 \2/' <<<"$webhook_stats" | awk '{printf "%.1f", ($2 > 0 ? $1 / ($2 / 1000) : 0)}')
say "  $hooks_sent test messages, $webhook_stats, $webhook_dps deliveries/s"
rss_e2e=$(peak_rss_mb "$api")
stop_node "$api"

# 5. A store of EVENTS events: the finished dispatches cloned by SQL (new ids, same event shapes, spread over 30
#    days). They count as published and reported, so only the audit rebuild reads them.
say "seeding the store to $EVENTS events"
seed_started=$(date +%s)
sql <<SQL
create temp table template as
  select id, tenant_id from raffssync.mt_doc_dispatch where data->>'status' = 'Succeeded' and data->>'provider' = 'bench' limit 100;
create temp table copies as
  select t.id as template_id, t.tenant_id, md5(t.id::text || '/' || c)::uuid as id, c
  from template t, generate_series(1, greatest(1, ($EVENTS - (select count(*) from raffssync.mt_events))
    / (select count(*) from raffssync.mt_events e join template t on e.stream_id = t.id))) c;
insert into raffssync.mt_streams (tenant_id, id, type, version, timestamp, created)
  select s.tenant_id, k.id, s.type, s.version, s.timestamp - make_interval(secs => k.c * 2), s.created - make_interval(secs => k.c * 2)
  from copies k join raffssync.mt_streams s on s.id = k.template_id and s.tenant_id = k.tenant_id;
insert into raffssync.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type,
                                 correlation_id, causation_id, headers, user_name)
  select nextval('raffssync.mt_events_sequence'), gen_random_uuid(), id, version, data, type, timestamp, tenant_id, mt_dotnet_type,
         correlation_id, causation_id, headers, user_name
  from (select k.id, e.version, replace(e.data::text, k.template_id::text, k.id::text)::jsonb as data, e.type,
               e.timestamp - make_interval(secs => k.c * 2) as timestamp, e.tenant_id, e.mt_dotnet_type,
               e.correlation_id || '-' || k.c as correlation_id, e.causation_id, e.headers, e.user_name
        from copies k join raffssync.mt_events e on e.stream_id = k.template_id and e.tenant_id = k.tenant_id
        order by k.c, k.template_id, e.version) cloned;
insert into raffssync.mt_doc_dispatch (tenant_id, id, data, mt_last_modified, mt_dotnet_type, mt_version)
  select d.tenant_id, k.id,
         jsonb_set(jsonb_set(replace(d.data::text, k.template_id::text, k.id::text)::jsonb, '{created_at}',
           to_jsonb((d.data->>'created_at')::timestamptz - make_interval(secs => k.c * 2))), '{updated_at}',
           to_jsonb((d.data->>'updated_at')::timestamptz - make_interval(secs => k.c * 2))),
         d.mt_last_modified, d.mt_dotnet_type, d.mt_version
  from copies k join raffssync.mt_doc_dispatch d on d.id = k.template_id and d.tenant_id = k.tenant_id;
update raffssync.mt_event_progression set last_seq_id = (select max(seq_id) from raffssync.mt_events)
  where name not like 'AuditLog:%';
update raffssync.mt_event_progression set last_seq_id = (select max(seq_id) from raffssync.mt_events)
  where name = 'HighWaterMark';
vacuum analyze;
checkpoint;
SQL
events_total=$(sql -c "select count(*) from raffssync.mt_events")
say "  $events_total events in $(( $(date +%s) - seed_started )) s"

# 6. Rebuilding the audit log over all of them (the command reports its own rate, start-up excluded).
say "audit rebuild over $events_total events"
rebuild=$(run_api postgres audit rebuild --timeout-minutes 20 2>&1 | tail -1)
audit_rebuild_eps=$(sed -n 's/.*(\([0-9.]*\) events\/s).*/\1/p' <<<"$rebuild")
say "  $rebuild"

# 7. Reads with the store at that size: one dispatch, a filtered list page, an audit cursor page.
say "reads: $READ_DURATION per query"
start_node api,worker,projections "$base" "$work/reads.log"
api=$!
wait_ready "$base"
sql -c "select '/api/v1/dispatches/' || id from raffssync.mt_doc_dispatch order by md5(id::text) limit 1000" >"$work/one.txt"
sql -c "select '/api/v1/dispatches?tenant_id=29&provider=bench&status=succeeded&per_page=50&created_at%5Blt%5D=' ||
               to_char((now() - make_interval(days => d)) at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
        from generate_series(0, 29) d" >"$work/list.txt"
cursor() { printf 'a%s' "$1" | base64 | tr '+/' '-_' | tr -d '='; }
for s in $(sql -c "select (random() * m)::bigint from (select max(sequence) m from raffssync.audit_log) x, generate_series(1, 100)"); do
  echo "/api/v1/audit?limit=100&cursor=$(cursor "$s")"
done >"$work/audit.txt"
declare -A reads
for query in one list audit; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$base$(head -1 "$work/$query.txt")")
  [ "$status" = 200 ] || { echo "read '$query' answered $status: $(head -1 "$work/$query.txt")" >&2; exit 1; }
  BENCH_PATHS="$work/$query.txt" wrk -t"$THREADS" -c8 -d3s -s bench/get.lua "$base" >/dev/null
  reads[$query]=$(BENCH_PATHS="$work/$query.txt" wrk -t"$THREADS" -c8 -d"$READ_DURATION" -s bench/get.lua "$base")
  say "  $query: $(field "${reads[$query]}" 2) req/s, p99 $(field "${reads[$query]}" 4) ms"
done
stop_node "$api"

# 8. The results.
mkdir -p bench/results
rss_mb=$(( rss_accept > rss_e2e ? rss_accept : rss_e2e ))
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.4f", (b > 0 ? a / b : 0)}'; }
accept_json() {
  local c=$1 r=${accept[$1]}
  printf '"%s": {"rps": %s, "p50_ms": %s, "p99_ms": %s, "p999_ms": %s, "errors": %s, "ceiling_tps": %s, "ratio": %s}' \
    "$c" "$(field "$r" 2)" "$(field "$r" 3)" "$(field "$r" 4)" "$(field "$r" 5)" "$(field "$r" 6)" "${ceiling[$c]}" \
    "$(ratio "$(field "$r" 2)" "${ceiling[$c]}")"
}
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
cat >bench/results/latest.json <<JSON
{
  "machine": {"cpu": "$cpu", "cores": $(nproc), "memory_gb": $(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo),
              "postgres": "$("$pg_bin/postgres" --version | awk '{print $3}')", "dotnet": "$(dotnet --version)",
              "commit": "$(git rev-parse --short HEAD)", "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "environment": "$BENCH_ENVIRONMENT"},
  "ceiling_tps": ${ceiling[32]},
  "ceiling_tps_by_clients": {"1": ${ceiling[1]}, "8": ${ceiling[8]}, "32": ${ceiling[32]}, "128": ${ceiling[128]}},
  "accept": {$(accept_json 1), $(accept_json 8), $(accept_json 32), $(accept_json 128)},
  "end_to_end": {"dps": $e2e_dps, "ratio": $(ratio "$e2e_dps" "${ceiling[32]}"), "drain_s": $drain_s, "lost": $lost,
                 "over_policy": $over_policy, "dispatches": $e2e_final, "connections": $E2E_CONNECTIONS, "load": "$E2E_DURATION"},
  "webhooks": {"dps": $webhook_dps, "ratio": $(ratio "$webhook_dps" "${ceiling[32]}"), "messages": $hooks_sent},
  "reads": {"events": $events_total,
            "dispatch_p50_ms": $(field "${reads[one]}" 3), "dispatch_p99_ms": $(field "${reads[one]}" 4),
            "list_p50_ms": $(field "${reads[list]}" 3), "list_p99_ms": $(field "${reads[list]}" 4),
            "audit_cursor_p50_ms": $(field "${reads[audit]}" 3), "audit_cursor_p99_ms": $(field "${reads[audit]}" 4)},
  "audit_rebuild_eps": ${audit_rebuild_eps:-0},
  "audit_rebuild_ratio": $(ratio "${audit_rebuild_eps:-0}" "${ceiling[32]}"),
  "rss_mb": $rss_mb,
  "duration_s": $(( $(date +%s) - started_at ))
}
JSON
bash bench/table.sh bench/results/latest.json >bench/results/latest.md
cat bench/results/latest.md
say "done: bench/results/latest.json, bench/results/latest.md"
