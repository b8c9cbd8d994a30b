"""Writes the benchmark's markdown report: machine, parameters, one table per endpoint, goals and ratios.

    python bench/report.py --plan bench/.work/plan.json --measurements bench/.work/measurements.json \
        --out bench/results/2026-01-01-spatialite-postgis.md --load-start "0.50 0.40 0.30"
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ATLAS_PY = REPO / ".venv" / "bin" / "python"
BENCH_PY = REPO / "bench" / ".venv" / "bin" / "python"
SERVERS = {
    "atlas-spatialite": "atlas · SpatiaLite",
    "atlas-postgis": "atlas · PostGIS",
    "tipg": "TiPg · PostGIS",
    "limit": "serving limit",
}
ATLAS = ("atlas-spatialite", "atlas-postgis")
GROUPS = ["OGC items", "People API", "Vector tile", "First view"]
TIPG_GOAL, LIMIT_GOAL = 1.0, 0.5
ITEMS = re.compile(r"^/ogc/collections/[^/]+/items\b")


def run(*command: str | Path, any_status: bool = False) -> str:
    """A command's first line of output, or '?' if it fails (the report never stops for a version)."""
    try:
        done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return "?"
    if done.returncode != 0 and not any_status:
        return "?"
    return ((done.stdout or done.stderr).strip().splitlines() or ["?"])[0]


def machine(database: str, load_start: str) -> list[tuple[str, str]]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    cpu = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    memory_kib = int(re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(), re.M)[1])
    pg_versions = "SELECT current_setting('server_version') || ' / ' || postgis_lib_version()"
    pg = run("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", pg_versions)
    sqlite = run(
        ATLAS_PY,
        "-c",
        "import sqlean; c = sqlean.connect(':memory:'); c.enable_load_extension(True); "
        "c.load_extension('mod_spatialite'); print(*c.execute('SELECT sqlite_version(), spatialite_version()')"
        ".fetchone(), sep=' / ')",
    )
    versions = (
        "import importlib.metadata as m, sys; print(sys.version.split()[0], *(m.version(p) for p in sys.argv[1:]))"
    )
    atlas = run(ATLAS_PY, "-c", versions, "uvicorn", "fastapi", "starlette").split()
    bench = run(BENCH_PY, "-c", versions, "tipg", "uvicorn", "fastapi", "starlette").split()
    atlas += ["?"] * (4 - len(atlas))
    bench += ["?"] * (5 - len(bench))
    commit = run("git", "-C", REPO, "log", "-1", "--format=%h (%cd)", "--date=short")
    changed = len(
        subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.splitlines()
    )
    return [
        ("CPU", f"{cpu[1] if cpu else '?'}, {len(os.sched_getaffinity(0))} usable cores (nproc)"),
        ("Memory", f"{memory_kib / 1024**2:.1f} GiB"),
        ("Kernel", run("uname", "-sr")),
        (
            "Load average (1, 5, 15 min)",
            f"{load_start} at start, {' '.join(f'{x:.2f}' for x in os.getloadavg())} at end",
        ),
        ("Python", f"{atlas[0]} (atlas, limit), {bench[0]} (TiPg)"),
        ("PostgreSQL / PostGIS", pg),
        ("SQLite / SpatiaLite", sqlite),
        ("uvicorn", f"{atlas[1]} (atlas, limit), {bench[2]} (TiPg)" + (" — differ!" if atlas[1] != bench[2] else "")),
        ("FastAPI / Starlette", f"{atlas[2]} / {atlas[3]} (atlas), {bench[3]} / {bench[4]} (TiPg)"),
        ("tipg", bench[1]),
        ("wrk", run("wrk", "-v", any_status=True).split(" Copyright")[0]),
        ("atlas commit", f"{commit}" + (f", plus uncommitted changes in {changed} files" if changed else "")),
    ]


def ms(us: float) -> str:
    return f"{us / 1000:.1f}" if us >= 10_000 else f"{us / 1000:.2f}"


def rate(rps: float) -> str:
    return f"{rps:,.0f}" if rps >= 100 else f"{rps:.1f}"


def ratio(a: dict | None, b: dict | None) -> float | None:
    if a and b and a.get("available") and b.get("available"):
        return a["wrk"]["rps"] / b["wrk"]["rps"]
    return None


def fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}×" if value >= 0.1 else f"{value:.2g}×"


def verdict(value: float | None, goal: float) -> str:
    if value is None:
        return "not measured"
    return f"{fmt(value)} met" if value >= goal else f"{fmt(value)} **not met**"


def endpoint_table(path: str, tipg_path: str | None, rows: dict[str, dict]) -> list[str]:
    out = [f"#### `{path}`", ""]
    if tipg_path:
        out += [f"TiPg: `{tipg_path}`", ""]
    out += [
        "| server | requests/s | p50 ms | p99 ms | bytes/response | ×TiPg | ×limit |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    problems = []
    for server, label in SERVERS.items():
        row = rows.get(server)
        if row is None:
            continue
        if not row["available"]:
            out.append(f"| {label} | not available (HTTP {row['status']}) | — | — | — | — | — |")
            continue
        w = row["wrk"]
        size = f"{row['body_bytes']:,}" + (
            "" if row["encoding"] == "gzip" else f" ({row['encoding'] or 'not gzipped'})"
        )
        to_tipg = fmt(ratio(row, rows.get("tipg"))) if server in ATLAS else "—"
        to_limit = fmt(ratio(row, rows.get("limit"))) if server != "limit" else "—"
        out.append(
            f"| {label} | {rate(w['rps'])} | {ms(w['p50_us'])} | {ms(w['p99_us'])} | {size} | {to_tipg} | {to_limit} |"
        )
        errors = {k: v for k, v in w["errors"].items() if v}
        if errors:
            problems.append(f"{label}: " + ", ".join(f"{v} {k} errors" for k, v in errors.items()))
    out.append("")
    if problems:
        out += [f"Errors during the run — {'; '.join(problems)}.", ""]
    return out


def had_errors(row: dict | None) -> bool:
    return bool(row and row.get("available") and any(row["wrk"]["errors"].values()))


def goals(endpoints: list[dict], by_endpoint: dict[str, dict[str, dict]]) -> list[str]:
    """The goals, plainly met or not per backend, then every ratio they rest on."""
    wanted = [
        ("At least TiPg's requests/s on every endpoint TiPg can answer", "≥ 1× TiPg", "tipg", TIPG_GOAL),
        (
            "At least half the serving limit's requests/s on the OGC items endpoints",
            "≥ 0.5× limit",
            "limit",
            LIMIT_GOAL,
        ),
    ]
    summary, table, flagged = [], [], False
    for title, short, peer, goal in wanted:
        verdicts = {server: [0, 0, []] for server in ATLAS}  # met, measured, not measured
        for endpoint in endpoints:
            if (peer == "tipg" and not endpoint["tipg"]) or (peer == "limit" and not ITEMS.match(endpoint["path"])):
                continue
            rows = by_endpoint.get(endpoint["path"], {})
            cells = []
            for server in ATLAS:
                value = ratio(rows.get(server), rows.get(peer))
                cell = verdict(value, goal)
                if had_errors(rows.get(server)) or had_errors(rows.get(peer)):
                    cell, flagged = cell + " †", True
                cells.append(cell)
                if value is None:
                    verdicts[server][2].append(f"`{endpoint['path']}`")
                else:
                    verdicts[server][1] += 1
                    verdicts[server][0] += value >= goal
            table.append(f"| {short} | {endpoint['group']} | `{endpoint['path']}` | {cells[0]} | {cells[1]} |")
        parts = []
        for server, (met, measured, missing) in verdicts.items():
            state = "met" if met == measured and not missing else "**not met**"
            text = f"{SERVERS[server]} {state} (met on {met} of {measured} endpoints"
            parts.append(text + (f"; not measured: {', '.join(missing)})" if missing else ")"))
        summary.append(f"- {title} ({short}): " + "; ".join(parts) + ".")
    out = ["## Goals", "", *summary, ""]
    out += ["| goal | group | endpoint | atlas · SpatiaLite | atlas · PostGIS |", "|---|---|---|---|---|", *table, ""]
    if flagged:
        out += [
            "† a server answered errors during one of these measurements (see its table): do not trust the ratio.",
            "",
        ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", required=True, type=Path)
    parser.add_argument("--measurements", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--database", default="atlas_bench")
    parser.add_argument("--load-start", default="?")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--atlas-cache", choices=["on", "off"], default="on")
    args = parser.parse_args()

    plan = json.loads(args.plan.read_text())
    measured = json.loads(args.measurements.read_text())
    p = measured["parameters"]
    by_endpoint: dict[str, dict[str, dict]] = {}
    for result in measured["results"]:
        by_endpoint.setdefault(result["endpoint"], {})[result["server"]] = result

    now = dt.datetime.now(dt.UTC)
    out = [
        f"# Benchmark: Hubei Cluster Atlas vs TiPg and the serving limit — {now:%Y-%m-%d %H:%M} UTC"
        + (" (atlas read cache off)" if args.atlas_cache == "off" else "")
        + (" (quick run)" if args.quick else ""),
        "",
        "Throughput (requests/s) and latency (p50, p99) of the atlas on SpatiaLite and on PostGIS, side by side in "
        "one run with TiPg serving the same tables from the same PostGIS, and with the serving limit (the atlas's "
        "own gzipped response bytes served from memory by the same uvicorn). Only the ratios between servers "
        "measured in this run mean anything; absolute numbers depend on the machine and its neighbours.",
        "",
    ]
    if args.quick:
        out += [
            f"**Quick run ({p['duration_s']} s per measurement): a smoke test, too short for the ratios to be "
            "trusted. Run `bash bench/run.sh` for the real numbers.**",
            "",
        ]
    out += goals(plan["endpoints"], by_endpoint)
    out += ["## Machine", "", "| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in machine(args.database, args.load_start)] + [""]
    out += [
        "## Parameters",
        "",
        f"- `wrk -t{p['threads']} -c{p['connections']} -d{p['duration_s']}s --timeout {p['timeout']} "
        "-H 'Accept-Encoding: gzip'` per endpoint and server, after a "
        f"{p['warmup_s']} s warm-up; p50 / p99 from wrk's latency histogram (bench/wrk_report.lua). "
        f"The measurements took {p['elapsed_s']} s.",
        "- Endpoint by endpoint, the servers take turns; before every run the harness waits until no server uses "
        "CPU (a slow endpoint's abandoned requests go on being computed after wrk stops). requests/s counts "
        "answers without an error status. All on loopback (127.0.0.1), wrk on the same machine: wrk, the "
        "servers and PostgreSQL share the cores.",
        "- Every server is `python -m uvicorn … --workers 1 --no-access-log` (uvicorn with uvloop and httptools): "
        "the atlas (`api.factory:create_app --factory`) on a SpatiaLite file and on PostGIS schema `atlas_bench`, "
        "TiPg (`tipg.main:app`, own venv bench/.venv) on the same schema, and the limit (bench/limit_app.py, the "
        "atlas's venv) holding the atlas-on-PostGIS responses.",
        (
            "- The atlas's read cache: **on** (its default). Each measurement repeats one URL, so after the first "
            "request the atlas replays the response from memory (as it does in production for repeated reads); "
            "TiPg has no such cache. `bash bench/run.sh --no-cache` measures the atlas with it off."
            if args.atlas_cache == "on"
            else "- The atlas's read cache: **off** (`ATLAS_RESPONSE_CACHE_MB=0`): every request runs its queries "
            "and compresses its response, as TiPg does."
        ),
        "- bytes/response: the gzipped body as one GET with `Accept-Encoding: gzip` received it (headers not "
        "counted). ×TiPg and ×limit: requests/s of the row divided by requests/s of TiPg / of the limit.",
        "",
    ]

    for group in GROUPS:
        endpoints = [e for e in plan["endpoints"] if e["group"] == group]
        if not endpoints:
            continue
        out += [f"## {group}", ""]
        if group == "First view":
            size = plan["first_view"]["viewport"]
            out += [
                "The data requests the map page makes until it is ready (`start()` in web/static/js/main.js), "
                f"recorded by opening it in Chromium at {size['width']}×{size['height']}.",
                "",
            ]
        for endpoint in endpoints:
            out += endpoint_table(endpoint["path"], endpoint["tipg"], by_endpoint.get(endpoint["path"], {}))

    files, data = plan["first_view"]["files"], plan["first_view"]["data"]
    files_total, data_total = sum(n for _, n in files), sum(n for _, n in data)
    out += [
        "### First view: bytes over the wire",
        "",
        "Everything the page loaded until it was ready, as gzipped bodies from the atlas (PostGIS).",
        "",
        "| request | bytes |",
        "|---|--:|",
        *[f"| `{path}` | {n:,} |" for path, n in [*files, *data]],
        f"| **page files ({len(files)})** | **{files_total:,}** |",
        f"| **data ({len(data)})** | **{data_total:,}** |",
        f"| **first view total** | **{files_total + data_total:,}** |",
        "",
        "## How TiPg's answers differ",
        "",
        "- TiPg serves the store's tables, not the atlas's collections: prefectures and counties are "
        "`atlas_bench.admin_units` filtered with `level=…`, clusters `atlas_bench.entities`, corridors "
        "`atlas_bench.entities` with `kind=corridor`; `geom-column` picks the atlas's geometry column. Before "
        "measuring, plan.py checks that TiPg returns as many features as the atlas (else no TiPg row, and a note "
        "below).",
        "- OGC items: the same full-resolution geometries. Map layers (`/api/map/…?zoom=`) and the tile: TiPg "
        "reads the same pre-generalised column the atlas draws at that zoom (e.g. `geom_z7`), so both simplify "
        "nothing per request; the atlas also rounds those coordinates to the zoom's precision, TiPg writes them "
        "in full, so its bodies are larger.",
        "- Properties: `properties=properties` (`map_properties` for the entities' map layer) returns the "
        "store's ready-made JSON of each feature, what the atlas puts into `properties`, as one escaped JSON "
        "*string* instead of an object; without it TiPg returns every column (search text, sort keys). TiPg adds "
        "two links to every feature and paging links. Tiles carry the attributes the atlas's TileJSON names.",
        "- `admin_units`' primary key (`key`, e.g. `county/420102`) contains a `/`, on which TiPg's item links "
        'fail (HTTP 500 "May not contain path separators"); run.sh sets '
        "`TIPG_TABLE_CONFIG__atlas_bench_admin_units__pk=adcode` (unique within one level).",
        "- TiPg's `limit` default is 10 and its maximum 10 000 (`TIPG_MAX_FEATURES_PER_QUERY`): every URL passes "
        "the atlas's `limit` (10 000 for the map layers, which have none). TiPg compresses everything, tiles "
        "included, with starlette-cramjam at gzip level 6; its tiles use its defaults (extent 4096, buffer 256).",
        "- The atlas's `sector`, `place`, `plan` and `q` filters, `/api/sectors`, `/api/places`, `/api/clusters`, "
        "`/api/search` and TileJSON have no TiPg equivalent (they need the atlas's join tables or are not "
        "features); those tables have no TiPg row.",
        *[f"- {note}" for note in plan["notes"]],
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(out))
    print(f"report: {args.out}")


if __name__ == "__main__":
    main()
