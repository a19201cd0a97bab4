# Shared by the benchmark scripts: start the API (Release) on a fresh local PostgreSQL cluster
# (synchronous_commit on) and summarise wrk output. API_ROLES sets the node's roles (default all three);
# start_node starts more nodes on the same cluster. Source it; it sets $work, $PORT, $PGPORT,
# RAFFSSYNC_BENCH_KEY (an internal key) and stops everything on exit.
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PORT=${PORT:-5090}
PGPORT=$((PORT + 1000))
command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }

work=$(mktemp -d /tmp/raffssync-bench-XXXX)
chmod 755 "$work"
dotnet build src/RaffsSync.Api -c Release --nologo -v q >/dev/null

# Production by default (exception handling, code generation and logging as deployed); BENCH_ENVIRONMENT=Development to compare.
BENCH_ENVIRONMENT=${BENCH_ENVIRONMENT:-Production}
start_node() { # roles url log [extra VAR=value ...]: a node on the benchmark's cluster, in the background; $! is its pid
  local roles=$1 url=$2 log=$3; shift 3
  env ASPNETCORE_ENVIRONMENT="$BENCH_ENVIRONMENT" RaffsSync__Roles="$roles" \
    RaffsSync__LocalPostgres__Enabled=true RaffsSync__LocalPostgres__Directory="$work/postgres" RaffsSync__LocalPostgres__Port=$PGPORT \
    RaffsSync__Egress__AllowLoopback=true Logging__LogLevel__Default=Warning \
    RaffsSync__RateLimits__Customer__Limit=0 RaffsSync__RateLimits__Customer__PerSecond=0 RaffsSync__RateLimits__Internal__Limit=0 \
    "$@" dotnet src/RaffsSync.Api/bin/Release/net10.0/RaffsSync.Api.dll --urls "$url" >"$log" 2>&1 &
}

start_node "${API_ROLES:-}" "http://127.0.0.1:$PORT" "$work/api.log"
api=$!
trap 'kill $api 2>/dev/null; wait $api 2>/dev/null; rm -rf "$work"' EXIT

for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break
  sleep 0.5
done
# An internal key, made the way an operator makes the first one.
RAFFSSYNC_BENCH_KEY=$(env ASPNETCORE_ENVIRONMENT="$BENCH_ENVIRONMENT" RaffsSync__LocalPostgres__Enabled=true \
  RaffsSync__LocalPostgres__Directory="$work/postgres" RaffsSync__LocalPostgres__Port=$PGPORT \
  dotnet src/RaffsSync.Api/bin/Release/net10.0/RaffsSync.Api.dll keys create --internal --name bench 2>/dev/null | tail -1)
export RAFFSSYNC_BENCH_KEY
[ -n "$RAFFSSYNC_BENCH_KEY" ] || { echo "could not create the benchmark's key; see $work/api.log" >&2; exit 1; }

sql() { psql -h 127.0.0.1 -p $PGPORT -U raffs -d postgres -tAq "$@"; }

report() { # name, wrk output
  awk -v name="$1" '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /^ +99.900%/ {p999=$2}
    /Non-2xx or 3xx responses/ {errors=$5}
    END {printf "%-34s %10.0f req/s   p50 %-9s p99 %-9s non-2xx %s\n", name, rps, p50, p99, (errors == "" ? 0 : errors)}' <<<"$2"
}

rps() { awk '/Requests\/sec/ {print $2}' <<<"$1"; }
