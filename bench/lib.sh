# Shared by the benchmark scripts: start the API (Release) on a fresh local PostgreSQL cluster
# (synchronous_commit on) and summarise wrk output. API_ROLES sets the node's roles (default all three).
# Source it; it sets $work, $PORT, $PGPORT,
# RAFFSSYNC_BENCH_KEY (the development demo key, internal) and stops everything on exit.
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PORT=${PORT:-5090}
PGPORT=$((PORT + 1000))
command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }

work=$(mktemp -d /tmp/raffssync-bench-XXXX)
chmod 755 "$work"
dotnet build src/RaffsSync.Api -c Release --nologo -v q >/dev/null

ASPNETCORE_ENVIRONMENT=Development \
RaffsSync__Roles="${API_ROLES:-}" \
RaffsSync__LocalPostgres__Directory="$work/postgres" \
RaffsSync__LocalPostgres__Port=$PGPORT \
Logging__LogLevel__Default=Warning \
RaffsSync__RateLimits__Customer__Limit=0 RaffsSync__RateLimits__Customer__PerSecond=0 RaffsSync__RateLimits__Internal__Limit=0 \
  dotnet src/RaffsSync.Api/bin/Release/net10.0/RaffsSync.Api.dll --urls "http://127.0.0.1:$PORT" >"$work/api.log" 2>&1 &
api=$!
trap 'kill $api 2>/dev/null; wait $api 2>/dev/null; rm -rf "$work"' EXIT

for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && [ -s "$work/postgres/demo-key.txt" ] && break
  sleep 0.5
done
export RAFFSSYNC_BENCH_KEY=$(cat "$work/postgres/demo-key.txt")

sql() { psql -h 127.0.0.1 -p $PGPORT -U raffs -d postgres -tAq "$@"; }

report() { # name, wrk output
  awk -v name="$1" '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /^ +99.900%/ {p999=$2}
    /Non-2xx or 3xx responses/ {errors=$5}
    END {printf "%-34s %10.0f req/s   p50 %-9s p99 %-9s non-2xx %s\n", name, rps, p50, p99, (errors == "" ? 0 : errors)}' <<<"$2"
}

rps() { awk '/Requests\/sec/ {print $2}' <<<"$1"; }
