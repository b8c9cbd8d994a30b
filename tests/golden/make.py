"""Record today's answers of a fixed set of URLs as golden files, for ``tests/test_fresh_answers_unchanged.py``.

Issue 14 speeds up fresh (uncached) requests; these files pin what the answers were before, byte for byte.
They were made at commit 1a0ff17 (before any issue 14 change) with::

    ATLAS_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/<db> \\
        .venv/bin/python -m tests.golden.make            # both backends (PostGIS needs that database)
    .venv/bin/python -m tests.golden.make spatialite     # one backend

Each backend's answers are loaded from the repository's ``data/`` into a throw-away store and asked of the
whole application in this process (FastAPI's TestClient, links on ``http://testserver``), without
gzip. Per URL the file ``<backend>/<nn>.body.gz`` holds the body (gzipped to keep the repository small: the
comparison is of the uncompressed bytes) and ``<backend>/index.json`` its URL, status
and content-type. One field differs per request and is normalised before writing and comparing: the OGC
pages' ``"timeStamp"`` (the time of the answer), written as ``"timeStamp": "…"``. Headers other than
content-type are not pinned (ETag names the build, which every load makes anew).

Remake them only when an answer is meant to change (a change of data in ``data/`` changes most of them):
then review the diff of ``tests/golden/`` like any other change of output.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

from api.factory import create_app
from app.runtime import prepare
from app.settings import REPO_DATA_DIR, Settings
from app.store.load import load_store

GOLDEN_DIR = Path(__file__).parent
BASE_URL = "http://testserver"
BACKENDS = ("spatialite", "postgis")
_TIMESTAMP = re.compile(rb'("timeStamp": ?)"[^"]*"')

# OGC items (bbox, limit, offset, filters, empty, beyond the end, single features), the map page's layers at
# every band and past them, and the people API's lists.
URLS = [
    "/ogc/collections/counties/items",
    "/ogc/collections/counties/items?limit=100&bbox=113.0,30.0,113.6,30.6",
    "/ogc/collections/counties/items?limit=100&bbox=110.25,31.4,110.85,32.0",
    "/ogc/collections/counties/items?limit=5&offset=10&bbox=110,29.5,114,32",
    "/ogc/collections/counties/items?limit=1000",
    "/ogc/collections/counties/items?limit=100&offset=100",
    "/ogc/collections/counties/items?bbox=120,40,121,41",
    "/ogc/collections/counties/items?limit=10&offset=5000",
    "/ogc/collections/counties/items/420102",
    "/ogc/collections/prefectures/items",
    "/ogc/collections/prefectures/items?bbox=111,30,113,31",
    "/ogc/collections/prefectures/items?limit=3&offset=2",
    "/ogc/collections/clusters/items?limit=30",
    "/ogc/collections/clusters/items?limit=100&sector=aerospace",
    "/ogc/collections/clusters/items?limit=20&bbox=113.5,29.8,115,31",
    "/ogc/collections/clusters/items?limit=10&offset=5&kind=cluster&status=existing",
    "/ogc/collections/clusters/items?place=421000",
    "/ogc/collections/clusters/items/xianning-crane-cluster",
    "/ogc/collections/corridors/items",
    *(f"/api/map/{layer}?zoom={zoom}" for layer in ("prefectures", "counties", "clusters") for zoom in (5, 8)),
    "/api/map/counties?zoom=12",
    "/api/map/corridors?zoom=7",
    "/api/clusters",
    "/api/clusters?limit=500",
    "/api/clusters?sector=aerospace",
    "/api/clusters?sector=specialty&place=421000",
    "/api/clusters?kind=cluster&status=planned",
]


def normalised(body: bytes) -> bytes:
    """``body`` with its per-request field (the OGC pages' timeStamp) replaced by a fixed text."""
    return _TIMESTAMP.sub(b'\\1"\xe2\x80\xa6"', body)


def answers(settings: Settings) -> list[tuple[str, int, str, bytes]]:
    """(url, status, content-type, normalised body) of every URL, from the application serving ``settings``."""
    app = create_app(settings.model_copy(update={"public_url": BASE_URL}))
    with TestClient(app, base_url=BASE_URL) as client:
        result = []
        for url in URLS:
            response = client.get(url, headers={"Accept-Encoding": "identity"})
            result.append((url, response.status_code, response.headers["content-type"], normalised(response.content)))
        return result


def write(backend: str, recorded: list[tuple[str, int, str, bytes]]) -> None:
    """Write ``recorded`` as ``<backend>/index.json`` and one ``.body`` file per URL."""
    directory = GOLDEN_DIR / backend
    directory.mkdir(exist_ok=True)
    for stale in directory.glob("*.body*"):
        stale.unlink()
    index = []
    for number, (url, status, content_type, body) in enumerate(recorded):
        name = f"{number:02d}.body.gz"
        # Gzipped (with a fixed mtime, so that remaking unchanged answers changes no file): ~5× smaller.
        (directory / name).write_bytes(gzip.compress(body, compresslevel=9, mtime=0))
        index.append({"url": url, "status": status, "content_type": content_type, "body": name})
    (directory / "index.json").write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def read(backend: str) -> list[tuple[str, int, str, bytes]]:
    """The recorded answers of ``backend``, as :func:`answers` gives them."""
    directory = GOLDEN_DIR / backend
    index = json.loads((directory / "index.json").read_text(encoding="utf-8"))
    return [
        (e["url"], e["status"], e["content_type"], gzip.decompress((directory / e["body"]).read_bytes())) for e in index
    ]


def main(backends: list[str]) -> None:
    """Load the shipped data into each backend and record its answers."""
    import os

    prepare()
    database_url = os.environ.get("ATLAS_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/atlas_test")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            if backend == "spatialite":
                settings = Settings(data_dir=REPO_DATA_DIR, store_path=Path(tmp) / "golden.sqlite")
            else:
                settings = Settings(data_dir=REPO_DATA_DIR, database_url=database_url, database_schema="atlas_golden")
            load_store(settings, progress=lambda _message: None)
            write(backend, answers(settings))
            print(f"wrote {len(URLS)} answers of {backend} to {GOLDEN_DIR / backend}")


if __name__ == "__main__":
    main(sys.argv[1:] or list(BACKENDS))
