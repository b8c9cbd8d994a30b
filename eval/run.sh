#!/usr/bin/env bash
# Evaluate `atlas propose` on both shipped plans against the curated catalogue (eval/README.md).
#
#   bash eval/run.sh [RESULTS_DIR]     (default: eval/results)
#
# The plans are proposed into temporary copies of data/ (propose archives the plan it reads, and the
# repository's data/ must not change): from their text, and from a DOCX and a PDF made from it
# (eval/documents.py). The proposals are compared with data/clusters.yaml and data/targets.yaml, and the
# figures written to RESULTS_DIR/propose-shipped-plans.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS="${1:-eval/results}"
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$PYTHON" eval/evaluate.py plans > "$WORK/plans.tsv"
for format in txt docx pdf; do
  cp -r data "$WORK/data-$format"
  mkdir -p "$WORK/proposals-$format"
done
while IFS=$'\t' read -r plan_id file; do
  "$PYTHON" eval/documents.py "data/$file" "$WORK/documents"
  stem="$(basename "$file" .txt)"
  for format in txt docx pdf; do
    document="$WORK/documents/$stem.$format"
    [ "$format" = txt ] && document="data/$file"
    echo "== atlas propose $document --plan-id $plan_id" >&2
    "$PYTHON" -m app propose "$document" --plan-id "$plan_id" \
      --data-dir "$WORK/data-$format" --out "$WORK/proposals-$format/$plan_id.yaml" >&2
  done
done < "$WORK/plans.tsv"
"$PYTHON" eval/evaluate.py compare --proposals "$WORK/proposals-txt" --data-dir "$WORK/data-txt" \
  --format docx "$WORK/proposals-docx" "$WORK/data-docx" \
  --format pdf "$WORK/proposals-pdf" "$WORK/data-pdf" \
  --results "$RESULTS"
