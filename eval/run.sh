#!/usr/bin/env bash
# Evaluate `atlas propose` on both shipped plans against the curated catalogue (eval/README.md).
#
#   bash eval/run.sh [RESULTS_DIR]     (default: eval/results)
#
# The plans are proposed into a temporary copy of data/ (propose archives the plan it reads, and the
# repository's data/ must not change); the proposals are then compared with data/clusters.yaml and
# data/targets.yaml, and the figures written to RESULTS_DIR/propose-shipped-plans.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS="${1:-eval/results}"
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp -r data "$WORK/data"
mkdir -p "$WORK/proposals"
"$PYTHON" eval/evaluate.py plans > "$WORK/plans.tsv"
while IFS=$'\t' read -r plan_id file; do
  echo "== atlas propose data/$file --plan-id $plan_id" >&2
  "$PYTHON" -m app propose "data/$file" --plan-id "$plan_id" \
    --data-dir "$WORK/data" --out "$WORK/proposals/$plan_id.yaml" >&2
done < "$WORK/plans.tsv"
"$PYTHON" eval/evaluate.py compare --proposals "$WORK/proposals" --data-dir "$WORK/data" --results "$RESULTS"
