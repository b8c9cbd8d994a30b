#!/usr/bin/env bash
# The benchmark, in one command: the atlas on SpatiaLite and on PostGIS, TiPg on the same PostGIS, and the
# serving limit (the atlas's own gzipped bytes from memory), measured side by side with wrk on loopback.
# Writes bench/results/<UTC date>-spatialite-postgis[-nocache][-quick].md and a copy in bench/results/latest.md.
#   bash bench/run.sh                  # 15 s per measurement (about 12 minutes)
#   bash bench/run.sh --duration 30    # longer measurements
#   bash bench/run.sh --quick          # 3 s per measurement: a smoke test, not for conclusions
#   bash bench/run.sh --no-cache       # the atlas with its read cache off (ATLAS_RESPONSE_CACHE_MB=0)
#   bash bench/run.sh --no-scale       # skip the Hubei → China growth measurement (bench/scale.py)
#   bash bench/run.sh --fresh          # fresh queries only: a new URL per request (bench/fresh.py), no scale
# Needs what `bash scripts/setup.sh --test` installs (it runs it if the project or PostgreSQL is missing),
# installs wrk (Debian) and TiPg (bench/.venv) if missing, and works in bench/.work. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

say() { echo "==> $*" >&2; }
die() { echo "bench/run.sh: $*" >&2; exit 1; }

duration=15 warmup=2 quick=false cache=on scale=true fresh=false
while (($#)); do
    case "$1" in
        --duration) duration=${2:-}; shift 2 || die "--duration needs a number of seconds" ;;
        --duration=*) duration=${1#*=}; shift ;;
        --quick) quick=true duration=3 warmup=1; shift ;;
        --no-cache) cache=off; shift ;;
        --no-scale) scale=false; shift ;;
        --fresh) fresh=true scale=false; shift ;;
        -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' bench/run.sh; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
done
[[ $duration =~ ^[1-9][0-9]*$ ]] || die "--duration takes whole seconds, not '$duration'"

read -r load1 load5 load15 _ </proc/loadavg # before this script adds its own
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
    say "WARNING: the machine is busy (load $load1 on $(nproc) cores): expect noisy numbers, or run it later"
fi

# Only what this script sets reaches the servers (an inherited ATLAS_DATABASE_URL would turn the
# SpatiaLite server into a second PostGIS one; TiPg also reads TIPG_*, POSTGRES_* and DATABASE_URL).
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(ATLAS_|TIPG_|POSTGRES_|DATABASE_URL$)' || true)

sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

# --- what it needs --------------------------------------------------------------------------------------
if [ ! -x .venv/bin/atlas ] || ! command -v psql >/dev/null || ! pg_isready -q -h 127.0.0.1 -p 5432; then
    say "Setting up the project and PostgreSQL (bash scripts/setup.sh --test)"
    bash scripts/setup.sh --test
fi
if ! command -v wrk >/dev/null; then
    say "Installing wrk (Debian)"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq wrk
fi
requirements=bench/requirements-tipg.txt
stamp=bench/.venv/.requirements.sha256
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    say "Installing TiPg into bench/.venv (from $requirements)"
    [ -x bench/.venv/bin/python ] || .venv/bin/python -m venv bench/.venv # same Python as the atlas
    bench/.venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
    echo "$wanted" >"$stamp"
fi

work=bench/.work
mkdir -p "$work/logs" bench/results
rm -f "$work"/*.json "$work/limit-paths.txt" "$work"/logs/*.log

# --- the stores -----------------------------------------------------------------------------------------
db=atlas_bench schema=atlas_bench
pg() { PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
pg -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 || pg -d postgres -c "CREATE DATABASE $db"
pg -d "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis"
sqlite_env=(ATLAS_STORE_PATH="$repo/$work/atlas.sqlite")
postgis_env=(ATLAS_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/$db" ATLAS_DATABASE_SCHEMA="$schema")
load() { # BACKEND ENV...
    local backend=$1 log=$work/logs/load-$1.log
    shift
    say "Loading the store into $backend (atlas load)"
    env "$@" .venv/bin/atlas load >"$log" 2>&1 || { tail -n 20 "$log" >&2; die "atlas load into $backend failed (log: $log)"; }
}
load spatialite "${sqlite_env[@]}"
load postgis "${postgis_env[@]}"
# The published build is a schema of its own, named by the pointer table in $schema: TiPg reads that one.
store_schema=$(psql -h 127.0.0.1 -U postgres -d "$db" -tAc "SELECT schema_name FROM $schema.current_store")
[ -n "$store_schema" ] || die "no published store in PostGIS schema $schema"

# --- the servers (always stopped at the end) ------------------------------------------------------------
pids=()
stop_servers() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

read -r port_sqlite port_postgis port_tipg port_limit < <(.venv/bin/python -c '
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')

uvicorn_args=(--host 127.0.0.1 --workers 1 --no-access-log)
start() { # NAME PORT READY COMMAND...: start a server; wait until path READY answers 200 ("-": / answers at all)
    local name=$1 port=$2 ready=$3 path=$3 code=000
    [ "$ready" = - ] && path=/
    shift 3
    "$@" >"$work/logs/$name.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 240); do
        kill -0 "${pids[-1]}" 2>/dev/null ||
            { tail -n 20 "$work/logs/$name.log" >&2; die "$name stopped while starting (log: $work/logs/$name.log)"; }
        code=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path" || true)
        if [ "$ready" = - ] && [ "$code" != 000 ] || [ "$code" = 200 ]; then
            say "$name is up on 127.0.0.1:$port"
            return
        fi
        sleep 0.5
    done
    tail -n 20 "$work/logs/$name.log" >&2
    die "$name did not answer $ready within 2 minutes (last HTTP status $code)"
}
atlas_app=(.venv/bin/python -m uvicorn api.factory:create_app --factory "${uvicorn_args[@]}")
cache_env=()
[ "$cache" = off ] && cache_env=(ATLAS_RESPONSE_CACHE_MB=0)
# Links in answers (TileJSON, /ogc) point at each server's own address.
start atlas-spatialite "$port_sqlite" /healthz env "${sqlite_env[@]}" "${cache_env[@]}" \
    ATLAS_PUBLIC_URL="http://127.0.0.1:$port_sqlite" "${atlas_app[@]}" --port "$port_sqlite"
start atlas-postgis "$port_postgis" /healthz env "${postgis_env[@]}" "${cache_env[@]}" \
    ATLAS_PUBLIC_URL="http://127.0.0.1:$port_postgis" "${atlas_app[@]}" --port "$port_postgis"
# TiPg runs in bench/.work so that it reads no .env; admin_units' key contains "/", which TiPg's item links
# cannot carry, so its id is the adcode (unique within a level). See bench/README.md.
start tipg "$port_tipg" /healthz env -C "$work" \
    DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$db" TIPG_DB_SCHEMAS="[\"$store_schema\"]" \
    TIPG_TABLE_CONFIG__${store_schema}_admin_units__pk=adcode \
    TIPG_TABLE_CONFIG__${store_schema}_admin_units__geomcol=geom \
    TIPG_TABLE_CONFIG__${store_schema}_entities__geomcol=footprint \
    "$repo/bench/.venv/bin/python" -m uvicorn tipg.main:app "${uvicorn_args[@]}" --port "$port_tipg"

if $fresh; then # the serving limit holds one fixed sample of each fresh URL template
    .venv/bin/python bench/fresh.py --limit-paths "$work/limit-paths.txt"
else
    say "Planning the requests (the first view: the map page in Chromium)"
    .venv/bin/python bench/plan.py --atlas "http://127.0.0.1:$port_postgis" --tipg "http://127.0.0.1:$port_tipg" \
        --schema "$store_schema" --out "$work"
fi
start limit "$port_limit" - env BENCH_LIMIT_UPSTREAM="http://127.0.0.1:$port_postgis" \
    BENCH_LIMIT_PATHS="$work/limit-paths.txt" \
    .venv/bin/python -m uvicorn --app-dir bench limit_app:app "${uvicorn_args[@]}" --port "$port_limit"

# --- measure and report ---------------------------------------------------------------------------------
if $fresh; then
    suffix=-fresh
    [ "$cache" = off ] && suffix+=-nocache
    $quick && suffix+=-quick
    result="bench/results/$(date -u +%F)-spatialite-postgis$suffix.md"
    say "Measuring fresh queries: wrk -t2 -c16, ${duration} s per measurement, a new URL per request"
    .venv/bin/python bench/fresh.py --schema "$store_schema" --out "$result" --duration "$duration" \
        --warmup "$warmup" --cache "$cache" --pids "$(IFS=,; echo "${pids[*]}")" \
        --server atlas-spatialite="http://127.0.0.1:$port_sqlite" --server atlas-postgis="http://127.0.0.1:$port_postgis" \
        --server tipg="http://127.0.0.1:$port_tipg" --server limit="http://127.0.0.1:$port_limit"
    say "Wrote $result"
    exit 0
fi
say "Measuring: wrk -t2 -c16, ${duration} s per measurement after a ${warmup} s warm-up"
.venv/bin/python bench/measure.py --plan "$work/plan.json" --out "$work/measurements.json" \
    --duration "$duration" --warmup "$warmup" \
    --server atlas-spatialite="http://127.0.0.1:$port_sqlite" --server atlas-postgis="http://127.0.0.1:$port_postgis" \
    --server tipg="http://127.0.0.1:$port_tipg" --server limit="http://127.0.0.1:$port_limit" \
    --pids "$(IFS=,; echo "${pids[*]}")"

suffix=""
[ "$cache" = off ] && suffix+=-nocache
$quick && suffix+=-quick
result="bench/results/$(date -u +%F)-spatialite-postgis$suffix.md"
quick_flag=()
$quick && quick_flag=(--quick)
.venv/bin/python bench/report.py --plan "$work/plan.json" --measurements "$work/measurements.json" \
    --out "$result" --database "$db" --load-start "$load1 $load5 $load15" --atlas-cache "$cache" "${quick_flag[@]}"
cp "$result" bench/results/latest.md
say "Wrote $result (and bench/results/latest.md)"

# --- from Hubei to China (bench/scale.py): its own servers, so stop these first ---------------------------
if $scale; then
    stop_servers
    pids=()
    scale_result="bench/results/$(date -u +%F)-scale$($quick && echo -quick || true).md"
    say "Measuring growth from Hubei to China (atlas load --scope china; response cache off)"
    .venv/bin/python bench/scale.py --duration "$duration" --warmup "$warmup" --out "$scale_result"
    say "Wrote $scale_result"
fi
