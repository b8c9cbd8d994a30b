"""Fresh queries (issue 14): every request a new URL, so that no cache can answer it; a markdown report.

A GIS client panning a map asks a new bounding box each time. For each template below, every server is run
with wrk and ``fresh.lua``, which fills the template's placeholders per request (a random 0.6° window over
Hubei, a random tile at a fixed zoom, a random zoom), from the same seeded sequence for every server. TiPg
gets its equivalent URL (``plan.tipg_equivalent``). The serving limit cannot serve unknown URLs: its row is
the same server's bytes for one fixed sample of the template (a window over central Hubei), repeated — what
uvicorn, HTTP and bytes of that size cost.

    python bench/fresh.py --schema SCHEMA --out bench/results/…-fresh.md --duration 15 --pids 1,2,3,4 \\
        --server atlas-spatialite=http://127.0.0.1:PORT --server atlas-postgis=… --server tipg=… --server limit=…

``--limit-paths FILE`` only writes the sample paths the serving limit must hold (run.sh does it first).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import measure
from measure import settle
from plan import fetch, tipg_equivalent

SAMPLE = {"{bbox}": "112.000,30.200,112.600,30.800", "{zoom}": "8", "{x}": "1690", "{y}": "849"}
# (group, atlas template). Tiles: the tiles engineer may add rows here (z 8–12, random x/y over Hubei).
TEMPLATES = [
    ("OGC items, fresh bbox", "/ogc/collections/counties/items?limit=100&bbox={bbox}"),
    ("OGC items, fresh bbox", "/ogc/collections/prefectures/items?limit=100&bbox={bbox}"),
    ("OGC items, fresh bbox", "/ogc/collections/clusters/items?limit=100&bbox={bbox}"),
    ("Page layer, random zoom (fresh only with --no-cache)", "/api/map/counties?zoom={zoom}"),
    ("Page layer, random zoom (fresh only with --no-cache)", "/api/map/clusters?zoom={zoom}"),
    # ~1,400 tiles cover Hubei at z 11: with the read cache on, most repeat within seconds (see the README).
    ("Vector tile, random x/y at z 11 (fresh only with --no-cache)", "/tiles/counties/11/{x}/{y}.mvt"),
]


def sample(template: str) -> str:
    """The template with fixed values: what the serving limit holds, and what checks the answers."""
    for placeholder, value in SAMPLE.items():
        template = template.replace(placeholder, value)
    return template


def tipg_template(atlas: str, schema: str, template: str) -> str | None:
    """TiPg's URL template for the atlas's ``template`` (its placeholders kept), or None."""
    if "{x}" in template:  # a tile: TiPg's tile URL of the sample, its x/y put back as placeholders
        path = tipg_equivalent(atlas, schema, sample(template), [])
        tile = f"/{SAMPLE['{x}']}/{SAMPLE['{y}']}?"
        return path.replace(tile, "/{x}/{y}?", 1) if path and tile in path else None
    if "{zoom}" in template:
        return None  # TiPg's geometry column would have to change with the zoom: only fixed zooms compare
    path = tipg_equivalent(atlas, schema, template.replace("{bbox}", "BBOX"), [])
    return path.replace("BBOX", "{bbox}") if path else None


def wrk(base: str, template: str, seconds: int, seed: int) -> dict:
    """One wrk run of fresh.lua (a template with placeholders; a fixed path: measure's plain run)."""
    if "{" in template:
        return measure.wrk(base + "/", seconds, "fresh.lua", (template, str(seed)))
    return measure.wrk(base + template, seconds)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit-paths", type=Path, help="only write the serving limit's sample paths here")
    parser.add_argument("--schema", help="TiPg's schema (the published build's)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--server", action="append", default=[], help="NAME=URL (tipg, limit: see above)")
    parser.add_argument("--pids", default="", help="process ids of the servers, comma-separated")
    parser.add_argument("--cache", default="on", help="the atlas's read cache (for the report)")
    parser.add_argument("--only", default="", help="measure only the templates containing this text")
    args = parser.parse_args()
    if args.limit_paths:
        args.limit_paths.write_text("".join(sample(template) + "\n" for _, template in TEMPLATES))
        return
    servers = dict(s.split("=", 1) for s in args.server)
    pids = [int(pid) for pid in args.pids.split(",") if pid]
    atlas = servers.get("atlas-postgis") or next(iter(servers.values()))
    load_start = loadavg()
    rows = []
    for seed, (group, template) in enumerate(TEMPLATES, start=1):
        if args.only not in template:
            continue
        paths = {name: template for name in servers if name.startswith("atlas")}
        if "tipg" in servers and args.schema:
            paths["tipg"] = tipg_template(atlas, args.schema, template)
        if "limit" in servers:
            paths["limit"] = sample(template)
        results = {}
        for name, path in paths.items():
            if path is None:
                continue
            status = fetch(servers[name], sample(path))[0]
            if status != 200:
                results[name] = {"status": status}
                continue
            print(f"  {name:17} {path}", file=sys.stderr, flush=True)
            settle(pids)
            wrk(servers[name], path, args.warmup, seed + 100)
            settle(pids)
            results[name] = wrk(servers[name], path, args.duration, seed) | {"status": 200, "load": loadavg()}
        rows.append((group, template, paths, results))
    write_report(args, rows, load_start)


def _ratio(rps: float, peer: float | None) -> str:
    return f"{rps / peer:.2f}" if peer else "–"


def write_report(args: argparse.Namespace, rows: list, load_start: str) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True)
    lines = [
        f"# Fresh queries: every request a new URL ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"Made by `bash bench/run.sh --fresh` (bench/fresh.py, fresh.lua). Commit {commit}"
        + (" with uncommitted changes" if dirty.stdout.strip() else "")
        + f"; {platform.machine()}, {os.cpu_count()} cores.",
        f"wrk -t{measure.THREADS} -c{measure.CONNECTIONS} -d{args.duration}s, gzip asked; "
        f"the atlas's read cache **{args.cache}**. "
        f"Load average at start {load_start}, at the end {loadavg()}.",
        "",
        "×TiPg = requests/s ÷ TiPg's in the same run (goal for fresh bbox items: ≥ 1.5 on both backends). "
        "×limit = ÷ the serving limit's, which repeats one fixed sample of the same template (same bytes size).",
        "",
    ]
    for group, template, paths, results in rows:
        lines += [f"## {group}: `{template}`", ""]
        if paths.get("tipg"):
            lines += [f"TiPg: `{paths['tipg']}`", ""]
        lines += [
            "| server | req/s | p50 ms | p99 ms | errors | ×TiPg | ×limit | load (1 5 15) |",
            "|---|--:|--:|--:|--:|--:|--:|---|",
        ]
        tipg = results.get("tipg", {}).get("rps")
        limit = results.get("limit", {}).get("rps")
        for name, result in results.items():
            if "rps" not in result:
                lines.append(f"| {name} | HTTP {result['status']} | | | | | | |")
                continue
            errors = sum(result["errors"].values())
            lines.append(
                f"| {name} | {result['rps']:.0f} | {result['p50_us'] / 1000:.1f} | {result['p99_us'] / 1000:.1f} | "
                f"{errors} | {_ratio(result['rps'], tipg)} | {_ratio(result['rps'], limit)} | {result['load']} |"
            )
        lines.append("")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"fresh: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
