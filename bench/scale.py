"""From Hubei to China: how bbox, items and search latency grow when the store holds every unit of China
(`atlas load --scope china`) instead of Hubei's. The atlas runs with its response cache off, so that
every request does its query; each backend is measured at both scopes in the same run.

    .venv/bin/python bench/scale.py --duration 10 --out bench/results/<date>-scale.md
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import measure

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "bench" / ".work" / "scale"
DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/atlas_bench"
ENDPOINTS = {
    "bbox (Wuhan area, counties)": "/ogc/collections/counties/items?bbox=113.9,30.3,114.7,30.9&limit=100",
    "items (first 100 counties)": "/ogc/collections/counties/items?limit=100",
    "search (xianning)": "/api/search?q=xianning",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(backend: str, scope: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ATLAS_")}
    env["ATLAS_RESPONSE_CACHE_MB"] = "0"
    if backend == "spatialite":
        env["ATLAS_STORE_PATH"] = str(WORK / f"{scope}.sqlite")
    else:
        env |= {"ATLAS_DATABASE_URL": DATABASE, "ATLAS_DATABASE_SCHEMA": f"atlas_scale_{scope}"}
    return env


def start(backend: str, scope: str) -> tuple[subprocess.Popen, str]:  # type: ignore[type-arg]
    env = environment(backend, scope)
    subprocess.run([str(REPO / ".venv/bin/atlas"), "load", "--scope", scope], env=env, check=True, capture_output=True)
    port = free_port()
    command = [
        str(REPO / ".venv/bin/python"),
        "-m",
        "uvicorn",
        "api.factory:create_app",
        "--factory",
        "--no-access-log",
    ]
    process = subprocess.Popen(
        [*command, "--port", str(port)], env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.5)
    raise SystemExit(f"scale: the {backend} {scope} server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []
    for backend in ("spatialite", "postgis"):
        servers = {scope: start(backend, scope) for scope in ("hubei", "china")}
        try:
            pids = [process.pid for process, _ in servers.values()]
            for label, path in ENDPOINTS.items():
                found = {}
                for scope, (_, base) in servers.items():
                    print(f"  {backend:10} {scope:5} {path}", file=sys.stderr, flush=True)
                    found[scope] = measure(base, path, args.duration, args.warmup, pids)["wrk"]
                rows.append((backend, label, path, found["hubei"], found["china"]))
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait(timeout=15)
    lines = [
        f"# From Hubei to China — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        "The same endpoints on a store of Hubei's 121 units and on one of China's 3,300 (`atlas load --scope "
        "china`), on each backend, with the response cache off (`ATLAS_RESPONSE_CACHE_MB=0`) so that every "
        f"request runs its query. wrk -t2 -c16, {args.duration} s per measurement after {args.warmup} s of "
        f"warm-up, gzip; {platform.node()}, {os.cpu_count()} cores, shared with wrk and PostgreSQL.",
        "",
        "| backend | endpoint | Hubei req/s | Hubei p50 / p99 ms | China req/s | China p50 / p99 ms | p50 growth |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for backend, label, path, hubei, china in rows:
        before = f"{hubei['rps']:,.0f} | {hubei['p50_us'] / 1000:.1f} / {hubei['p99_us'] / 1000:.1f}"
        after = f"{china['rps']:,.0f} | {china['p50_us'] / 1000:.1f} / {china['p99_us'] / 1000:.1f}"
        growth = china["p50_us"] / hubei["p50_us"]
        lines.append(f"| {backend} | {label}<br>`{path}` | {before} | {after} | {growth:.2f}× |")
    lines += ["", "Growth is China's median latency over Hubei's on the same backend, in the same run."]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"scale: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
