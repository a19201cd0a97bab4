-- wrk script: POST one dispatch per request. BENCH_PROVIDER and BENCH_TENANT pick the route's provider and the
package.path = "bench/?.lua;" .. package.path
-- location (default: the built-in sandbox, location 29). At the end it prints one "bench:" line for run.sh.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("RAFFSSYNC_BENCH_KEY")
wrk.body = string.format(
  '{"tenant_id": "%s", "provider": "%s", "route_key": "orders.push", "payload": {"customer": "bench", "items": [{"sku": "KOPI", "qty": 1}]}}',
  os.getenv("BENCH_TENANT") or "29", os.getenv("BENCH_PROVIDER") or "sandbox")

done = require("summary").done
