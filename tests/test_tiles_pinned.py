"""Tiles pinned byte for byte (issue 14, point 3): whatever makes tiles faster must not change them.

The golden files were recorded by ``tests/golden_tiles/record.py`` (its docstring says how) at the commit
before the tile work of issue 14; each backend has its own (``ST_AsMVT`` and the Python encoder differ in
bytes, not in features).
"""

from __future__ import annotations

import json

import httpx
import mapbox_vector_tile
import pytest

from .golden_tiles.record import HERE, URLS, file_name

MVT = "application/vnd.mapbox-vector-tile"


def _check(client: httpx.Client, backend: str) -> None:
    manifest = json.loads((HERE / backend / "manifest.json").read_text())
    assert list(manifest) == URLS  # the recorded set is the set asked for
    differing = []
    for url, expected in manifest.items():
        response = client.get(url)
        golden = (HERE / backend / file_name(url)).read_bytes()
        if (response.status_code, response.headers["content-type"]) != (expected["status"], expected["content_type"]):
            differing.append(f"{url}: {response.status_code} {response.headers['content-type']}")
        elif response.content != golden:
            # Say what changed, decoded, so that a failure is readable.
            now = mapbox_vector_tile.decode(response.content) if response.content else {}
            then = mapbox_vector_tile.decode(golden) if golden else {}
            differing.append(
                f"{url}: {len(response.content)} bytes, golden {len(golden)}; features equal: {now == then}"
            )
    assert not differing, "\n".join(differing)
    assert any(entry["size"] == 0 for entry in manifest.values()) and any(e["size"] for e in manifest.values())


def test_spatialite_tiles_are_the_pinned_bytes(in_process: httpx.Client) -> None:
    _check(in_process, "spatialite")


@pytest.mark.slow  # a PostGIS store and a live server
def test_postgis_tiles_are_the_pinned_bytes(servers: dict[str, str]) -> None:
    with httpx.Client(base_url=servers["postgis"], timeout=30) as client:
        _check(client, "postgis")
