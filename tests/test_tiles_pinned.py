"""Tiles pinned byte for byte (issue 14, point 3): whatever makes tiles faster must not change them.

The golden files were recorded by ``tests/golden_tiles/record.py`` (its docstring says how) at the commit
before the tile work of issue 14; each backend has its own (``ST_AsMVT`` and the Python encoder differ in
bytes, not in features).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import mapbox_vector_tile
import pytest
from sqlalchemy import select

from app.settings import Settings
from app.store import tile_cache, tiles
from app.store.load import load_store
from app.store.published import Store

from .golden_tiles.record import HERE, URLS, file_name

MVT = "application/vnd.mapbox-vector-tile"


def _features(tile: bytes) -> dict[str, list[str]]:
    """Each layer's decoded features (geometry coordinates and properties), in a canonical order."""
    layers = mapbox_vector_tile.decode(tile) if tile else {}
    return {name: sorted(json.dumps(f, sort_keys=True) for f in layer["features"]) for name, layer in layers.items()}


def _check(client: httpx.Client, backend: str, exact: bool = True) -> None:
    """Every pinned URL answers as recorded: byte for byte, or (``exact`` False) the same features in any order."""
    manifest = json.loads((HERE / backend / "manifest.json").read_text())
    assert list(manifest) == URLS  # the recorded set is the set asked for
    differing = []
    for url, expected in manifest.items():
        response = client.get(url)
        golden = (HERE / backend / file_name(url)).read_bytes()
        if (response.status_code, response.headers["content-type"]) != (expected["status"], expected["content_type"]):
            differing.append(f"{url}: {response.status_code} {response.headers['content-type']}")
        elif response.content != golden and (exact or _features(response.content) != _features(golden)):
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
def test_postgis_tiles_are_the_pinned_features(servers: dict[str, str]) -> None:
    """PostGIS: the same features, coordinates and properties; their order may differ. ST_AsMVT writes them in
    the order its rows come: the golden files were recorded when the tile query had no ORDER BY (the table's
    physical layout), the tiles are now in published order (app/store/postgis.py), whatever the layout."""
    with httpx.Client(base_url=servers["postgis"], timeout=30) as client:
        _check(client, "postgis", exact=False)


def test_prebuilt_tiles_are_the_drawn_tiles(spatialite_loaded: Settings) -> None:
    """The load's tiles (low zooms) are what drawing them now gives; higher zooms are not pre-built."""
    store = Store(spatialite_loaded)
    with store.engine().connect() as connection:
        table = tile_cache.prebuilt_tile_zooms
        zooms = dict(connection.execute(select(table.c.layer, table.c.max_zoom)).all())
        assert zooms["counties"] >= 7 and zooms["clusters"] >= 0 and all(z < 12 for z in zooms.values())
        assert tile_cache.lookup(connection, "counties", 12, 3347, 1697) is None  # drawn on request
        assert tile_cache.lookup(connection, "counties", 7, 0, 0) == b""  # known empty
        stored = connection.execute(select(tile_cache.prebuilt_tiles)).all()
    assert {row.layer for row in stored} == set(zooms)
    for row in stored[:: max(1, len(stored) // 20)]:  # a spread of them: drawing all takes seconds
        assert row.z <= zooms[row.layer] and row.data and tiles.draw(store, row.layer, row.z, row.x, row.y) == row.data


def test_a_reload_keeps_the_tiles_whose_inputs_are_unchanged(
    tmp_path: Path, make_data_dir: Callable[..., Path]
) -> None:
    """A reload of the same data takes every pre-built tile from the previous build; a catalogue edit redraws
    the entity layers only. Either way the stored tiles are what drawing them now gives."""
    settings = Settings(data_dir=make_data_dir(), store_path=tmp_path / "atlas.sqlite")

    def load() -> dict[str, str]:
        said: list[str] = []
        load_store(settings, progress=said.append)
        return {line.split()[3].rstrip(":"): line.rsplit(", ", 1)[1] for line in said if "pre-built tiles of" in line}

    def stored() -> dict[tuple[str, int, int, int], bytes]:
        with Store(settings).engine().connect() as connection:
            rows = connection.execute(select(tile_cache.prebuilt_tiles)).all()
        return {(row.layer, row.z, row.x, row.y): row.data for row in rows}

    layers = {"prefectures", "counties", "clusters", "corridors"}
    assert load() == dict.fromkeys(layers, "drawn")
    first = stored()
    assert load() == dict.fromkeys(layers, "kept from the previous build")
    assert stored() == first

    edited = (settings.data_dir / "clusters.yaml").read_text(encoding="utf-8")
    edited = edited.replace("name_en: Xianning Crane Industrial Cluster", "name_en: Xianning Crane Cluster")
    assert edited != (settings.data_dir / "clusters.yaml").read_text(encoding="utf-8")
    (settings.data_dir / "clusters.yaml").write_text(edited, encoding="utf-8")
    said = load()
    assert said["prefectures"] == said["counties"] == "kept from the previous build"
    assert said["clusters"] == "drawn"  # the cluster's name is in its tiles
    now, store = stored(), Store(settings)
    assert {key: data for key, data in now.items() if key[0] != "clusters"} == {
        key: data for key, data in first.items() if key[0] != "clusters"
    }
    for key in list(now)[:: max(1, len(now) // 40)]:
        assert tiles.draw(store, *key) == now[key], key
