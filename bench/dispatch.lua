-- wrk script: POST one dispatch per request to the built-in sandbox provider.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("RAFFSSYNC_BENCH_KEY")
wrk.body = '{"tenant_id": "29", "provider": "sandbox", "route_key": "orders.push", "payload": {"customer": "bench", "items": [{"sku": "KOPI", "qty": 1}]}}'
