"""Fresh vector tiles, the atlas on SpatiaLite against TiPg on PostGIS, in one run (issue 14, point 2).

    .venv/bin/python bench/tiles_fresh.py [--duration 15] [--rounds 3] [--layers counties,clusters] [--label L]

Builds both stores from ``data/`` (``atlas load``; SpatiaLite in ``bench/.work/tiles/``, PostGIS in the
database ``atlas_tiles_bench``), starts the atlas on SpatiaLite with its read cache off
(``ATLAS_RESPONSE_CACHE_MB=0``) and TiPg (``bench/.venv``, as ``bench/run.sh`` installs it) on the PostGIS
store, each ``uvicorn --workers 1`` on a free loopback port, and asks both for the same random tiles: zooms
6–12 over Hubei, every request another tile (``tiles_paths.lua``), the TiPg URL of each made by
``plan.tipg_equivalent`` (same layer, pre-generalised column and attributes). The servers take turns, round
after round; the report gives requests/s per round, the ratio atlas ÷ TiPg and the load average, and goes to
``bench/results/<UTC date>-tiles-fresh[-LABEL].md``. Only the same-run ratios are claims.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "bench" / ".work" / "tiles"  # bench/.work is git-ignored
DB = "atlas_tiles_bench"
sys.path.insert(0, str(REPO / "bench"))
from plan import tipg_equivalent  # noqa: E402  (bench/plan.py: TiPg's URL for the atlas's tile)

HUBEI = (108.36, 29.03, 116.13, 33.28)
ZOOMS = range(6, 13)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """x/y of the Web Mercator tile holding the point."""
    import math

    n = 2**z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def random_tiles(layers: list[str], count: int, seed: int = 14) -> list[str]:
    """``count`` atlas tile paths: a layer, a zoom 6–12 and a tile over Hubei, each drawn at random."""
    rng = random.Random(seed)
    paths = []
    for _ in range(count):
        z = rng.choice(ZOOMS)
        (x0, y0), (x1, y1) = tile_of(HUBEI[0], HUBEI[3], z), tile_of(HUBEI[2], HUBEI[1], z)
        paths.append(f"/tiles/{rng.choice(layers)}/{z}/{rng.randint(x0, x1)}/{rng.randint(y0, y1)}.mvt")
    return paths


def free_port() -> int:
    """A free loopback port outside 8000–8999 (others' servers live there)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if not 8000 <= port <= 8999:
            return port


def clean_env(**extra: str) -> dict[str, str]:
    drop = ("ATLAS_", "TIPG_", "POSTGRES_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop) and k != "DATABASE_URL"}
    return env | extra


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qtAc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def start(stack: ExitStack, name: str, command: list[str], env: dict[str, str], port: int, cwd: Path) -> str:
    log = (WORK / f"{name}.log").open("wb")
    process = subprocess.Popen([*command, "--port", str(port)], env=env, cwd=cwd, stdout=log, stderr=log)
    stack.callback(lambda: (process.terminate(), process.wait(10)))
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(base + "/healthz", timeout=1)
            return base
        except httpx.TransportError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not start: {(WORK / f'{name}.log').read_text()[-2000:]}")


def wrk(base: str, paths_file: Path, duration: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{duration}s", "--timeout", "30s", "-s", str(REPO / "bench/tiles_paths.lua"), base],
        env=os.environ | {"TILE_PATHS": str(paths_file)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("TILES_RESULT "))
    result = json.loads(line.removeprefix("TILES_RESULT "))
    # Answers only: a 503 (the atlas's tile queue full, "try again") is not a tile served.
    result["rps"] = (result["requests"] - result["status_errors"]) / (result["duration_us"] / 1e6)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--layers", default="counties")
    parser.add_argument("--label", default="")
    parser.add_argument("--before", help="a tree holding app/ and api/ of earlier code, measured as a third server")
    args = parser.parse_args()
    layers = args.layers.split(",")
    WORK.mkdir(parents=True, exist_ok=True)
    venv = REPO / ".venv" / "bin"
    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'"):
        psql(f"CREATE DATABASE {DB}")
    psql("CREATE EXTENSION IF NOT EXISTS postgis", DB)
    sqlite_env = clean_env(ATLAS_STORE_PATH=str(WORK / "atlas.sqlite"), ATLAS_RESPONSE_CACHE_MB="0")
    postgis_env = clean_env(
        ATLAS_DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB}", ATLAS_DATABASE_SCHEMA="atlas_bench"
    )
    for env in (sqlite_env, postgis_env):
        subprocess.run([str(venv / "atlas"), "load"], env=env, cwd=REPO, check=True, capture_output=True)
    schema = psql("SELECT schema_name FROM atlas_bench.current_store", DB)
    uvicorn = ["-m", "uvicorn", "--host", "127.0.0.1", "--workers", "1", "--no-access-log"]
    with ExitStack() as stack:
        atlas = start(
            stack, "atlas", [str(venv / "python"), *uvicorn, "api.factory:create_app", "--factory"], sqlite_env,
            free_port(), REPO,
        )  # fmt: skip
        tipg_env = clean_env(
            DATABASE_URL=f"postgresql://postgres@127.0.0.1:5432/{DB}",
            TIPG_DB_SCHEMAS=json.dumps([schema]),
            **{f"TIPG_TABLE_CONFIG__{schema}_admin_units__pk": "adcode"},
            **{f"TIPG_TABLE_CONFIG__{schema}_admin_units__geomcol": "geom"},
            **{f"TIPG_TABLE_CONFIG__{schema}_entities__geomcol": "footprint"},
        )
        tipg_command = [str(REPO / "bench/.venv/bin/python"), *uvicorn, "tipg.main:app"]
        tipg = start(stack, "tipg", tipg_command, tipg_env, free_port(), WORK)
        servers = {"atlas": atlas, "tipg": tipg}
        if args.before:  # the atlas's code of another tree (e.g. before a change) on the same store
            before_env = sqlite_env | {"ATLAS_DATA_DIR": str(REPO / "data")}
            atlas_command = [str(venv / "python"), *uvicorn, "api.factory:create_app", "--factory"]
            servers["before"] = start(stack, "before", atlas_command, before_env, free_port(), Path(args.before))
        notes: list[str] = []
        atlas_paths = random_tiles(layers, 20000)
        tipg_paths = [tipg_equivalent(atlas, schema, path, notes) for path in atlas_paths]
        for path, other in list(zip(atlas_paths, tipg_paths, strict=True))[:5]:  # both answer, same features
            a, t = httpx.get(atlas + path), httpx.get(tipg + other)
            assert a.status_code == 200 and t.status_code == 200, (path, a.status_code, other, t.status_code)
        files = {}
        for name, paths in (("atlas", atlas_paths), ("tipg", tipg_paths)):
            files[name] = WORK / f"paths-{name}.txt"
            files[name].write_text("\n".join(paths) + "\n")
        files["before"] = files["atlas"]
        rounds = []
        for _ in range(args.rounds):
            row = {"load": Path("/proc/loadavg").read_text().split()[:3]}
            for name, base in servers.items():
                time.sleep(3)  # the previous server's abandoned requests finish first, not on this one's time
                wrk(base, files[name], 2)  # warm-up
                row[name] = wrk(base, files[name], args.duration)
            rounds.append(row)
            print(", ".join(f"{name} {row[name]['rps']:.0f}/s" for name in servers), "load", *row["load"])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "app", "api"], cwd=REPO, capture_output=True, text=True
    )
    lines = [
        "# Fresh vector tiles: atlas · SpatiaLite (cache off) vs TiPg · PostGIS"
        + (f" — {args.label}" * bool(args.label)),
        "",
        f"`bench/tiles_fresh.py --duration {args.duration} --rounds {args.rounds} --layers {args.layers}`, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit.strip()}"
        f"{' (app/ or api/ uncommitted changes)' if dirty.stdout.strip() else ''}, {os.cpu_count()} cores, "
        "wrk -t2 -c16, every request another random tile of zooms 6–12 over Hubei (20 000 paths, seed 14).",
        "",
        "| round | load average (1/5/15 min) | server | req/s | p50 ms | p99 ms | × TiPg |",
        "|--:|---|---|--:|--:|--:|--:|",
    ]
    for number, row in enumerate(rounds, 1):
        for name in servers:
            r = row[name]
            errors = f" † {r['errors']} errors" if r["errors"] else ""
            lines.append(
                f"| {number} | {' '.join(row['load'])} | {name} | {r['rps']:.0f} | {r['p50_us'] / 1e3:.1f} "
                f"| {r['p99_us'] / 1e3:.1f} | {r['rps'] / row['tipg']['rps']:.2f}{errors} |"
            )
    total = sum(r["atlas"]["rps"] for r in rounds) / sum(r["tipg"]["rps"] for r in rounds)
    lines += [
        "",
        f"Over all rounds: atlas (this tree) **{total:.2f}× TiPg**. req/s counts answered tiles only; † the server "
        "also answered errors (503: its tile queue was full) or failed requests, which are not counted.",
    ]
    if args.before:
        before = sum(r["before"]["rps"] for r in rounds) / sum(r["tipg"]["rps"] for r in rounds)
        lines += [f"The atlas of `{args.before}` (before): {before:.2f}× TiPg, same store, same tiles."]
    if notes:
        lines += ["", "Notes from plan.py:", *(f"- {note}" for note in dict.fromkeys(notes))]
    name = f"{datetime.now(UTC):%Y-%m-%d}-tiles-fresh{'-' + args.label if args.label else ''}.md"
    (REPO / "bench" / "results" / name).write_text("\n".join(lines) + "\n")
    print(f"bench/results/{name}: {total:.2f}× TiPg")


if __name__ == "__main__":
    main()
