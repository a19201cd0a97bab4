# Shared by the benchmark scripts. Source it: it builds the API (Release, with the handler code that
# 'codegen write' pre-generates), starts a PostgreSQL cluster of its own (synchronous_commit on) that
# outlives the nodes, and stops everything on exit. It sets $work, $PORT, $PGPORT and
# RAFFSSYNC_BENCH_KEY (an internal key on the postgres database), and defines:
#   start_node roles url log [VAR=value ...]   a node in the background ($! is its pid; DATABASE=name picks the database)
#   wait_ready url                             until /health/ready answers
#   make_key database                          an internal key, made the way an operator makes the first one
#   sql ... / sql_in database ...              psql on the benchmark's cluster
#   peak_rss_mb pid                            the process's peak resident memory so far
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PORT=${PORT:-5090}
PGPORT=$((PORT + 1000))
for tool in wrk jq; do command -v $tool >/dev/null || { apt-get update -qq && apt-get install -y -qq $tool >/dev/null; }; done

work=$(mktemp -d /tmp/raffssync-bench-XXXX)
chmod 755 "$work"
pg_bin=$(dirname "$(find /usr/lib/postgresql -name initdb -path '*/bin/*' | sort | tail -1)")
as_postgres=(); [ "$(id -u)" = 0 ] && as_postgres=(runuser -u postgres --)
node_pids=()
cleanup() {
  set +e
  for pid in "${node_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  [ -f "$work/pgdata/postmaster.pid" ] && { "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/pgdata" -m fast -w stop >/dev/null 2>&1 ||
    kill -INT "$(head -1 "$work/pgdata/postmaster.pid")" 2>/dev/null; }
  [ -n "${generated_here:-}" ] && rm -rf src/RaffsSync.Api/Internal/Generated
  [ -n "${BENCH_KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

mkdir "$work/pgdata"; [ "$(id -u)" = 0 ] && chown postgres "$work/pgdata"
# Production-like settings on a machine this size; fsync and synchronous_commit stay on.
"${as_postgres[@]}" "$pg_bin/initdb" -D "$work/pgdata" -U raffs --auth=trust -E UTF8 --no-locale >/dev/null
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/pgdata" -l "$work/pgdata/postgres.log" -w -o \
  "-p $PGPORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=400 -c shared_buffers=1GB -c synchronous_commit=on -c max_wal_size=4GB" \
  start >/dev/null
sql_in() { local db=$1; shift; psql -h 127.0.0.1 -p $PGPORT -U raffs -d "$db" -tAq "$@"; }
sql() { sql_in postgres "$@"; }
connection_string() { echo "Host=127.0.0.1;Port=$PGPORT;Username=raffs;Database=$1;Maximum Pool Size=200"; }

BENCH_ENVIRONMENT=${BENCH_ENVIRONMENT:-Production}
# Production needs the key that seals stored credentials; a benchmark's own is thrown away with its database.
export RaffsSync__Secrets__Key=${RaffsSync__Secrets__Key:-$(openssl rand -base64 32)}
api_dll=src/RaffsSync.Api/bin/Release/net10.0/RaffsSync.Api.dll
run_api() { # database, then the program's arguments: a command against that database
  local db=$1; shift
  env ASPNETCORE_ENVIRONMENT="$BENCH_ENVIRONMENT" ConnectionStrings__Postgres="$(connection_string "$db")" dotnet "$api_dll" "$@"
}

# Pre-generated handler and store code, as a deployment ships it (README: "Generated code"). Only
# Production loads it; the files go again on exit unless they were there before.
[ -d src/RaffsSync.Api/Internal/Generated ] || generated_here=1
dotnet build src/RaffsSync.Api -c Release --nologo -v q >/dev/null
if [ "$BENCH_ENVIRONMENT" = Production ]; then
  (cd src/RaffsSync.Api && api_dll=bin/Release/net10.0/RaffsSync.Api.dll run_api postgres codegen write) >"$work/codegen.log" 2>&1 || { echo "codegen write failed; see below" >&2; tail -20 "$work/codegen.log" >&2; exit 1; }
  dotnet build src/RaffsSync.Api -c Release --nologo -v q >/dev/null
fi

start_node() { # roles url log [extra VAR=value ...]
  local roles=$1 url=$2 log=$3; shift 3
  env ASPNETCORE_ENVIRONMENT="$BENCH_ENVIRONMENT" RaffsSync__Roles="$roles" \
    ConnectionStrings__Postgres="$(connection_string "${DATABASE:-postgres}")" \
    RaffsSync__Egress__AllowLoopback=true \
    RaffsSync__Webhooks__AllowLoopback=true RaffsSync__Webhooks__AllowHttp=true Logging__LogLevel__Default=Warning \
    RaffsSync__RateLimits__Customer__Limit=0 RaffsSync__RateLimits__Customer__PerSecond=0 RaffsSync__RateLimits__Internal__Limit=0 \
    "$@" dotnet "$api_dll" --urls "$url" >"$log" 2>&1 &
  node_pids+=($!)
}
stop_node() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
wait_ready() {
  for _ in $(seq 1 240); do curl -sf "$1/health/ready" >/dev/null && return; sleep 0.5; done
  echo "$1 did not become ready" >&2; exit 1
}
make_key() { run_api "$1" keys create --internal --name bench 2>/dev/null | tail -1; }
peak_rss_mb() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

start_node "${API_ROLES:-api,worker,projections}" "http://127.0.0.1:$PORT" "$work/api.log"
api=$!
wait_ready "http://127.0.0.1:$PORT"
RAFFSSYNC_BENCH_KEY=$(make_key postgres)
export RAFFSSYNC_BENCH_KEY
[ -n "$RAFFSSYNC_BENCH_KEY" ] || { echo "could not create the benchmark's key; see $work/api.log" >&2; exit 1; }

report() { # name, wrk output
  awk -v name="$1" '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /^ +99.900%/ {p999=$2}
    /Non-2xx or 3xx responses/ {errors=$5}
    END {printf "%-34s %10.0f req/s   p50 %-9s p99 %-9s non-2xx %s\n", name, rps, p50, p99, (errors == "" ? 0 : errors)}' <<<"$2"
}

rps() { awk '/Requests\/sec/ {print $2}' <<<"$1"; }
