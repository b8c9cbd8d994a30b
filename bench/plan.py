"""Which requests the benchmark makes: the endpoints, their TiPg equivalents, and the page's first view.

Opens the atlas's map page in Chromium and records what it loads until it is ready (the first view: the
page's files and the data requests ``start()`` in web/static/js/main.js makes), asks the atlas's TileJSON
which attributes its tiles carry, and writes ``plan.json`` (for measure.py and report.py) and
``limit-paths.txt`` (what limit_app.py fetches and serves).

    python bench/plan.py --atlas http://127.0.0.1:8001 --tipg http://127.0.0.1:8003 --schema atlas_bench \\
        --out bench/.work
"""

from __future__ import annotations

import argparse
import gzip
import json
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
# The first view: the project's browser tests' Chromium and desktop viewport.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
VIEWPORT = {"width": 1280, "height": 860}

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


# Straight to loopback, whatever *_proxy variables say.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(base: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET with ``Accept-Encoding: gzip``; the status, headers and body exactly as sent."""
    request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
    try:
        with _opener.open(request, timeout=120) as answer:
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


def generalised(geometry: str, zoom: int) -> str:
    """The atlas's pre-generalised column for ``zoom`` (what its map layers and tiles draw), if it has one."""
    try:
        from app.generalise import band_for  # the atlas's own rule, so that TiPg draws the same outlines
    except ImportError:
        return geometry
    band = band_for(zoom)
    return geometry if band is None else f"{geometry}_{band.name}"


def tipg_equivalent(atlas: str, schema: str, path: str, notes: list[str]) -> str | None:
    """TiPg's URL for the same features as the atlas's ``path``, or None if TiPg has no equivalent."""
    parts = urlsplit(path)
    params = dict(parse_qsl(parts.query))
    if m := re.fullmatch(r"/ogc/collections/(\w+)/items", parts.path):
        if m[1] not in TIPG_SOURCES:
            return None
        table, geometry, rows = TIPG_SOURCES[m[1]]
        query = dict(rows)
        for key, value in params.items():
            if key in ("limit", "offset", "bbox") or (key in ("kind", "status") and table == "entities"):
                query[key] = value
            else:
                return None  # sector, place, plan and q need the atlas's join tables
        # `properties` is the store's ready-made JSON of each feature: the same attributes the atlas serves.
        query |= {"geom-column": geometry, "properties": "properties"}
    elif m := re.fullmatch(r"/api/map/(\w+)", parts.path):
        if m[1] not in TIPG_SOURCES or set(params) - {"zoom"}:
            return None
        table, geometry, rows = TIPG_SOURCES[m[1]]
        if m[1] != "corridors":
            geometry = generalised(geometry, int(params.get("zoom", 7)))
        properties = "map_properties" if table == "entities" else "properties"  # the slim ones the page uses
        query = rows | {"limit": "10000", "geom-column": geometry, "properties": properties}
    elif m := re.fullmatch(r"/tiles/(\w+)/(\d+)/(\d+)/(\d+)\.mvt", parts.path):
        if m[1] not in TIPG_SOURCES or params:
            return None
        table, geometry, rows = TIPG_SOURCES[m[1]]
        if m[1] != "corridors":
            geometry = generalised(geometry, int(m[2]))
        fields = tile_fields(atlas, m[1], table, notes)
        query = rows | {"geom-column": geometry, "properties": ",".join(fields)}
        return f"/collections/{schema}.{table}/tiles/WebMercatorQuad/{m[2]}/{m[3]}/{m[4]}?{urlencode(query, safe=',')}"
    else:
        return None
    return f"/collections/{schema}.{table}/items?{urlencode(query, safe=',')}"


def same_features(atlas: str, tipg: str, endpoint: dict, notes: list[str]) -> str | None:
    """TiPg's path if it answers with as many features as the atlas, else None (and a note why)."""
    status, headers, body = fetch(tipg, endpoint["tipg"])
    if status != 200:
        notes.append(f"TiPg answered HTTP {status} to `{endpoint['tipg']}`: no TiPg row for `{endpoint['path']}`.")
        return None
    if "json" not in headers.get("content-type", ""):
        return endpoint["tipg"]  # a tile: same layer, geometry column and attributes by construction
    theirs = len(json.loads(decoded(headers, body))["features"])
    status, headers, body = fetch(atlas, endpoint["path"])
    ours = len(json.loads(decoded(headers, body))["features"]) if status == 200 else None
    if ours is not None and ours != theirs:
        notes.append(f"`{endpoint['path']}`: the atlas returns {ours} features, TiPg {theirs}; no TiPg row.")
        return None
    return endpoint["tipg"]


def first_view(atlas: str) -> tuple[list[str], list[str]]:
    """What the map page loads until it is ready, seen by a real browser: (page files, data requests).

    Debian's Chromium driven by Playwright, as the project's browser tests do (both come with
    ``scripts/setup.sh --test``); every request off the atlas's own origin is refused.
    """
    from playwright.sync_api import Error, sync_playwright  # the project's test dependency

    seen: list[tuple[str, str]] = []

    def guard(route, request) -> None:  # type: ignore[no-untyped-def]
        if request.url.startswith(atlas + "/"):
            seen.append((request.resource_type, request.url.removeprefix(atlas)))
            route.continue_()
        elif request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            route.abort()

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.route("**/*", guard)
            page.goto(atlas + "/")
            page.wait_for_selector("body[data-ready=true]", timeout=60_000)
        except Error as error:
            raise SystemExit(f"plan: the map page did not get ready in Chromium: {error}") from error
        finally:
            browser.close()
    files = [path for kind, path in seen if kind not in ("fetch", "xhr")]
    data = [path for kind, path in seen if kind in ("fetch", "xhr")]
    return list(dict.fromkeys(files)), list(dict.fromkeys(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--atlas", required=True, help="base URL of the atlas on PostGIS")
    parser.add_argument("--tipg", required=True, help="base URL of TiPg, to check its answers")
    parser.add_argument("--schema", required=True, help="PostGIS schema of the store, as TiPg names it")
    parser.add_argument("--out", required=True, type=Path, help="directory for plan.json and limit-paths.txt")
    args = parser.parse_args()

    notes: list[str] = []
    files, data = first_view(args.atlas)
    # Tiles: one of each layer stands for the rest (their bytes all count).
    shapes: dict[str, list[str]] = {}
    for path in data:
        shapes.setdefault(re.sub(r"/\d+/\d+/\d+", "/{z}/{x}/{y}", path), []).append(path)
    for shape, paths in shapes.items():
        if len(paths) > 1:
            notes.append(f"The first view loads {len(paths)} of `{shape}`; only `{paths[0]}` is measured.")
    wanted = [*FIXED, *[("First view", paths[0]) for paths in shapes.values()]]
    endpoints = [
        {"group": group, "path": path, "tipg": tipg_equivalent(args.atlas, args.schema, path, notes)}
        for group, path in wanted
    ]
    for endpoint in endpoints:
        if endpoint["tipg"]:
            endpoint["tipg"] = same_features(args.atlas, args.tipg, endpoint, notes)
    sizes = {path: len(fetch(args.atlas, path)[2]) for path in [*files, *data]}  # gzipped, as a browser gets them
    plan = {
        "tile": TILE,
        "endpoints": endpoints,
        "first_view": {
            "viewport": VIEWPORT,
            "files": [(path, sizes[path]) for path in files],
            "data": [(path, sizes[path]) for path in data],
        },
        "notes": notes,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "plan.json").write_text(json.dumps(plan, indent=2, ensure_ascii=False))
    (args.out / "limit-paths.txt").write_text("".join(f"{e['path']}\n" for e in endpoints))
    print(
        f"plan: {len(endpoints)} endpoints; the first view loads {len(files)} files and makes {len(data)} data requests"
    )


if __name__ == "__main__":
    main()
