#!/usr/bin/env bash
# Set up and start the atlas on http://127.0.0.1:8000/ (SpatiaLite store; built first if missing or stale).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/atlas serve "$@"
