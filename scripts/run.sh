#!/usr/bin/env bash
# Set up and start the atlas. Until the server arrives this validates the data and prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/atlas validate
