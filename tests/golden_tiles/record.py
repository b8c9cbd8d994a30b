"""Record the golden vector tiles that ``tests/test_tiles_pinned.py`` compares against (issue 14, point 3).

Run once, at the commit whose tiles are to be kept, from the repository root (PostgreSQL with PostGIS in
the database named):

    ATLAS_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/DB \\
        .venv/bin/python -m tests.golden_tiles.record [spatialite] [postgis]

It loads the shipped ``data/`` into a throw-away store of each backend named (both by default), asks the
application in this process for every URL of :data:`URLS` and writes each body to
``tests/golden_tiles/<backend>/<layer>-<z>-<x>-<y>.mvt`` with ``manifest.json`` (status, content type,
SHA-256 and size per URL). The two backends have golden files of their own: PostGIS encodes with
``ST_AsMVT`` and the other backend in Python, so their bytes legitimately differ (their features agree:
``test_both_backends_tile_the_same_features``).
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

HERE = Path(__file__).parent
LAYERS = ("prefectures", "counties", "clusters", "corridors")
# Wuhan (dense), Shiyan (north-west), Xianning (south-east), Enshi (south-west, near the province's edge).
PLACES = ((114.30, 30.59), (110.80, 32.63), (114.32, 29.84), (109.49, 30.28))
ZOOMS = range(3, 15)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The x/y of the Web Mercator tile holding the point at zoom ``z``."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def urls() -> list[str]:
    """The pinned tile URLs: every layer at zooms 3–14 over four places, plus tiles with nothing in them."""
    found: list[str] = []
    for layer in LAYERS:
        for z in ZOOMS:
            # Two places per zoom, alternating, so that every place is seen at low and high zooms alike.
            for lon, lat in (PLACES[z % 2], PLACES[2 + z % 2]):
                x, y = tile_of(lon, lat, z)
                found.append(f"/tiles/{layer}/{z}/{x}/{y}.mvt")
        found.append(f"/tiles/{layer}/7/0/0.mvt")  # the far north-west of the grid: empty
        x, y = tile_of(104.0, 25.0, 8)  # Yunnan: outside the Hubei scope, empty
        found.append(f"/tiles/{layer}/8/{x}/{y}.mvt")
    return list(dict.fromkeys(found))


URLS = urls()


def file_name(url: str) -> str:
    """``/tiles/counties/7/104/53.mvt`` → ``counties-7-104-53.mvt``."""
    return "-".join(url.removeprefix("/tiles/").removesuffix(".mvt").split("/")) + ".mvt"


def record(backend: str) -> None:
    """Write the golden files of ``backend`` from a fresh store of the shipped data."""
    from api.factory import create_app
    from app.store.load import load_store
    from tests.conftest import backend_settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = backend_settings(backend, Path(tmp), "golden_tiles")
        load_store(settings, progress=lambda _message: None)
        out = HERE / backend
        out.mkdir(exist_ok=True)
        manifest = {}
        with TestClient(create_app(settings.model_copy(update={"response_cache_mb": 0}))) as client:
            for url in URLS:
                response = client.get(url)
                manifest[url] = {
                    "status": response.status_code,
                    "content_type": response.headers["content-type"],
                    "sha256": hashlib.sha256(response.content).hexdigest(),
                    "size": len(response.content),
                }
                (out / file_name(url)).write_bytes(response.content)
        (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
        print(f"{backend}: {len(manifest)} tiles, {sum(e['size'] for e in manifest.values())} bytes")


if __name__ == "__main__":
    for name in sys.argv[1:] or ("spatialite", "postgis"):
        record(name)
