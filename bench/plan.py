"""Which requests the benchmark makes: the endpoints, their TiPg equivalents, and the page's first view.

Reads the first view from the page the atlas serves (``start()`` in ``/static/atlas.js`` and the files
``/`` loads), asks the atlas's TileJSON which attributes its tiles carry, and writes ``plan.json`` (for
measure.py and report.py) and ``limit-paths.txt`` (what limit_app.py fetches and serves).

    python bench/plan.py --atlas http://127.0.0.1:8001 --schema atlas_bench --out bench/.work
"""

from __future__ import annotations

import argparse
import gzip
import json
import posixpath
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

TILE = (7, 104, 53)  # a z7 tile over Wuhan and its neighbours
FIXED = [
    ("OGC items", "/ogc/collections/prefectures/items?limit=100"),
    ("OGC items", "/ogc/collections/counties/items?limit=1000"),
    ("OGC items", "/ogc/collections/clusters/items?limit=100"),
    ("People API", "/api/clusters?sector=aerospace"),
    ("People API", "/api/search?q=xianning"),
    ("Vector tile", "/tiles/counties/{}/{}/{}.mvt".format(*TILE)),
]
# What start() requested when this harness was written; used only if atlas.js cannot be read.
FALLBACK_FIRST_VIEW = [
    "/api/sectors",
    "/ogc/collections/prefectures/items?limit=1000",
    "/ogc/collections/clusters/items?limit=1000",
    "/ogc/collections/corridors/items?limit=1000",
    "/api/places",
]

# Atlas collection -> the store table TiPg serves, its geometry column, and the rows it holds.
TIPG_SOURCES = {
    "province": ("admin_units", "geom", {"level": "province"}),
    "prefectures": ("admin_units", "geom", {"level": "prefecture"}),
    "counties": ("admin_units", "geom", {"level": "county"}),
    "clusters": ("entities", "footprint", {}),
    "corridors": ("entities", "route", {"kind": "corridor"}),
}
# Plain columns TiPg can filter on and put into tiles (the atlas's other filters go through join tables).
TABLE_COLUMNS = {
    "admin_units": ["adcode", "level", "name_zh", "short_name_zh", "name_en", "pinyin", "parent_adcode"],
    "entities": ["id", "kind", "status", "confidence", "name_zh", "name_en"],
}
DEFAULT_TILE_FIELDS = {"admin_units": ["adcode", "name_zh", "name_en"], "entities": ["id", "kind", "name_zh"]}


def fetch(base: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET with ``Accept-Encoding: gzip``; the status, headers and body exactly as sent."""
    request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def decoded(headers: dict[str, str], body: bytes) -> bytes:
    return gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body


def tile_fields(atlas: str, collection: str, table: str, notes: list[str]) -> list[str]:
    """The attributes of the atlas's tiles (from its TileJSON), so that TiPg's tiles carry the same ones."""
    status, headers, body = fetch(atlas, f"/tiles/{collection}/tilejson.json")
    if status == 200:
        layers = json.loads(decoded(headers, body)).get("vector_layers") or []
        fields = [f for layer in layers for f in (layer.get("fields") or {})]
        kept = [f for f in TABLE_COLUMNS[table] if f in fields]
        if kept:
            return kept
    notes.append(
        f"The atlas's TileJSON for `{collection}` named no attributes (HTTP {status}); "
        f"TiPg's tile carries {', '.join(DEFAULT_TILE_FIELDS[table])}."
    )
    return DEFAULT_TILE_FIELDS[table]


def tipg_equivalent(atlas: str, schema: str, path: str, notes: list[str]) -> str | None:
    """TiPg's URL for the same features as the atlas's ``path``, or None if TiPg has no equivalent."""
    parts = urlsplit(path)
    params = parse_qsl(parts.query)
    if m := re.fullmatch(r"/ogc/collections/(\w+)/items", parts.path):
        source = TIPG_SOURCES.get(m[1])
        if source is None:
            return None
        table, geometry, rows = source
        query = dict(rows)
        for key, value in params:
            if key in ("limit", "offset", "bbox") or key in ("kind", "status") and table == "entities":
                query[key] = value
            else:
                return None  # sector, place, plan and q need the atlas's join tables
        query.setdefault("limit", "10")  # TiPg's default is 10; the atlas's is larger, always pass one
        # `properties` is the store's ready-made JSON of each feature: the same attributes the atlas serves.
        query |= {"geom-column": geometry, "properties": "properties"}
        return f"/collections/{schema}.{table}/items?{urlencode(query, safe=',')}"
    if m := re.fullmatch(r"/tiles/(\w+)/(\d+)/(\d+)/(\d+)\.mvt", parts.path):
        source = TIPG_SOURCES.get(m[1])
        if source is None or params:
            return None
        table, geometry, rows = source
        fields = tile_fields(atlas, m[1], table, notes)
        query = rows | {"geom-column": geometry, "properties": ",".join(fields)}
        return f"/collections/{schema}.{table}/tiles/WebMercatorQuad/{m[2]}/{m[3]}/{m[4]}?{urlencode(query, safe=',')}"
    return None


def first_view_requests(script: str, notes: list[str]) -> list[str]:
    """The data URLs that ``start()`` in atlas.js asks for: its string literals under /api, /ogc, /tiles."""
    m = re.search(r"^(?:async\s+)?function\s+start\s*\(.*?^\}", script, re.S | re.M)
    if not m:
        notes.append("No `function start()` in atlas.js: the first view below is the list this harness was written with.")
        return FALLBACK_FIRST_VIEW
    found = []
    for literal in re.findall(r"""["'`](/(?:api|ogc|tiles)/[^"'`]*)["'`]""", m[0]):
        if "${" in literal:
            notes.append(f"start() builds `{literal}` at run time; not measured.")
            continue
        if "{z}" in literal:
            z, x, y = TILE
            notes.append(f"start() loads tiles `{literal}`; measured as the one tile {z}/{x}/{y}.")
            literal = literal.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
        if literal not in found:
            found.append(literal)
    if not found:
        notes.append("start() in atlas.js names no data URL: the first view below is the list this harness was written with.")
        return FALLBACK_FIRST_VIEW
    return found


def page_files(atlas: str) -> list[tuple[str, int]]:
    """``/`` and every same-origin file it loads (stylesheets, scripts, icon, ES-module imports), with gzip sizes."""
    sizes: dict[str, int] = {}
    queue = ["/"]
    while queue:
        path = queue.pop(0)
        if path in sizes:
            continue
        status, headers, body = fetch(atlas, path)
        if status != 200:
            raise SystemExit(f"plan: the page's file {path} answered {status}")
        sizes[path] = len(body)
        text = decoded(headers, body).decode("utf-8", "replace")
        if path == "/":
            queue += re.findall(r"""<(?:link|script)\b[^>]*?\b(?:href|src)=["'](/[^"'#?]+)""", text)
        elif path.endswith(".js") and "/vendor/" not in path:
            folder = path.rsplit("/", 1)[0]
            for target in re.findall(r"""(?:\bfrom|\bimport\s*\(?)\s*["'](\.{1,2}/[^"']+)["']""", text):
                queue.append(posixpath.normpath(posixpath.join(folder, target)))
    return list(sizes.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--atlas", required=True, help="base URL of the atlas on PostGIS")
    parser.add_argument("--schema", required=True, help="PostGIS schema of the store, as TiPg names it")
    parser.add_argument("--out", required=True, type=Path, help="directory for plan.json and limit-paths.txt")
    args = parser.parse_args()

    notes: list[str] = []
    status, headers, body = fetch(args.atlas, "/static/atlas.js")
    script = decoded(headers, body).decode() if status == 200 else ""
    first_view = first_view_requests(script, notes)
    wanted = [*FIXED, *[("First view", path) for path in first_view]]
    endpoints = [
        {"group": group, "path": path, "tipg": tipg_equivalent(args.atlas, args.schema, path, notes)}
        for group, path in wanted
    ]
    files = page_files(args.atlas)
    data_sizes = [(path, len(fetch(args.atlas, path)[2])) for path in first_view]
    plan = {
        "tile": TILE,
        "endpoints": endpoints,
        "first_view": {"files": files, "data": data_sizes},
        "notes": notes,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "plan.json").write_text(json.dumps(plan, indent=2, ensure_ascii=False))
    (args.out / "limit-paths.txt").write_text("".join(f"{e['path']}\n" for e in endpoints))
    print(f"plan: {len(endpoints)} endpoints, first view {len(first_view)} data requests + {len(files)} files")


if __name__ == "__main__":
    main()
