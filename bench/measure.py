"""Runs wrk against every endpoint of plan.json on every server and writes measurements.json.

Endpoint by endpoint, the servers take turns (so that a noisy neighbour hits all of them alike). Each
measurement is one GET to check the answer (status, gzip size), a short warm-up, then the timed run;
before each run every server has finished its previous work.

    python bench/measure.py --plan bench/.work/plan.json --duration 15 --out bench/.work/measurements.json \
        --server atlas-spatialite=http://127.0.0.1:8001 --server atlas-postgis=... --server tipg=... \\
        --server limit=... --pids 1201,1202,1203,1204
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from plan import fetch

HERE = Path(__file__).resolve().parent
THREADS, CONNECTIONS, TIMEOUT = 2, 16, "30s"


def wrk(url: str, seconds: int, script: str = "wrk_report.lua", args: tuple[str, ...] = ()) -> dict:
    """One wrk run with ``script`` (bench/, given ``args``); the numbers the script prints (microseconds,
    wrk_report.lua's line) plus requests per second."""
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        f"--timeout={TIMEOUT}",
        "-H",
        "Accept-Encoding: gzip",
        "-s",
        str(HERE / script),
        url,
        *(["--", *args] if args else []),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH_RESULT ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"measure: wrk failed on {url} {' '.join(args)}:\n{done.stdout}{done.stderr}")
    result = json.loads(lines[-1].removeprefix("BENCH_RESULT "))
    # Only answers that were not errors count (wrk counts 4xx/5xx answers as requests too).
    result["rps"] = (result["requests"] - result["errors"]["status"]) / (result["duration_us"] / 1e6)
    return result


def cpu_ticks(pid: int) -> int:
    """User + system CPU time of a process (all its threads), in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def settle(pids: list[int], limit: float = 120) -> None:
    """Wait until no server is still working off requests that wrk has given up on.

    When wrk stops, the responses in flight are still being computed (seconds of work on the slow
    endpoints); without this they would eat into the next measurement, often another server's.
    """
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = [cpu_ticks(pid) for pid in pids]
        time.sleep(0.3)
        if all(cpu_ticks(pid) - b <= 1 for pid, b in zip(pids, before, strict=True)):
            return
    print(f"measure: servers still busy after {limit:.0f} s; measuring anyway", file=sys.stderr)


def measure(base: str, path: str, seconds: int, warmup: int, pids: list[int]) -> dict:
    status, headers, body = fetch(base, path)
    row = {"status": status, "encoding": headers.get("content-encoding", ""), "body_bytes": len(body)}
    if status != 200:
        return row | {"available": False}
    settle(pids)
    wrk(base + path, warmup)
    settle(pids)
    result = wrk(base + path, seconds)
    settle(pids)
    return row | {"available": True, "wrk": result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--duration", type=int, default=15, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each measurement")
    parser.add_argument("--server", action="append", required=True, help="NAME=URL; NAME tipg gets TiPg's paths")
    parser.add_argument("--pids", required=True, help="process ids of the servers, comma-separated")
    args = parser.parse_args()

    servers = dict(s.split("=", 1) for s in args.server)
    pids = [int(pid) for pid in args.pids.split(",")]
    plan = json.loads(args.plan.read_text())
    done: dict[tuple[str, str], dict] = {}
    results = []
    started = time.monotonic()
    for endpoint in plan["endpoints"]:
        for name, base in servers.items():
            path = endpoint["tipg"] if name == "tipg" else endpoint["path"]
            if path is None:
                continue
            if (name, path) not in done:
                print(f"  {name:17} {path}", file=sys.stderr, flush=True)
                done[name, path] = measure(base, path, args.duration, args.warmup, pids)
            results.append({"server": name, "endpoint": endpoint["path"], "path": path, **done[name, path]})
    parameters = {
        "threads": THREADS,
        "connections": CONNECTIONS,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "timeout": TIMEOUT,
        "elapsed_s": round(time.monotonic() - started),
    }
    args.out.write_text(json.dumps({"parameters": parameters, "results": results}, indent=2))


if __name__ == "__main__":
    main()
