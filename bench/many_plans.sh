#!/usr/bin/env bash
# Many plans, one atlas (issue 13, point 5): today's data against a generated catalogue of 30 more plans ×
# 60 entities over China, both loaded with `atlas load --scope china`, measured in the same run: load time,
# first-view bytes (Chromium) and search / filtered-list p50 with the response cache off.
# Writes bench/results/<UTC date>-many-plans[-quick].md. See bench/README.md.
#   bash bench/many_plans.sh             # 10 s per wrk measurement (about 5 minutes)
#   bash bench/many_plans.sh --quick     # 3 s per measurement: a smoke test, not for conclusions
set -euo pipefail
cd "$(dirname "$0")/.."

duration=10 warmup=2 suffix=""
case "${1:-}" in
    --quick) duration=3 warmup=1 suffix=-quick ;;
    "") ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' bench/many_plans.sh; exit 0 ;;
    *) echo "bench/many_plans.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac
if [ ! -x .venv/bin/atlas ] || [ ! -x /usr/bin/chromium ]; then
    echo "==> Setting up the project, Chromium and its test tools (bash scripts/setup.sh --test)" >&2
    bash scripts/setup.sh --test
fi
if ! command -v wrk >/dev/null; then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq wrk
fi
# Only what the script sets reaches the servers (an inherited ATLAS_DATABASE_URL would move the stores).
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^ATLAS_' || true)
mkdir -p bench/results
.venv/bin/python bench/many_plans.py --duration "$duration" --warmup "$warmup" \
    --out "bench/results/$(date -u +%F)-many-plans$suffix.md"
