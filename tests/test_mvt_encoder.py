"""The atlas's MVT encoder writes the very bytes mapbox-vector-tile writes (issue 14: faster, not different).

``app.store.mvt`` replaces the library's two per-point Python steps (winding order and geometry commands)
with GEOS and numpy. These tests encode the same features both ways: every tile of the shipped data over
a spread of zooms, and shapes made to trip an encoder (repeated points, rings that collapse on the grid,
self-intersections, holes, overlapping parts, lines that come to a point).
"""

from __future__ import annotations

import random
from typing import Any

import mapbox_vector_tile
import pytest
import shapely
from shapely.geometry import LinearRing, LineString, MultiLineString, MultiPolygon, Polygon

from app.settings import Settings
from app.store import mvt, tile_cache, tiles
from app.store.published import Store

OPTIONS = {"extents": mvt.EXTENT}


def library(layer: str, features: list[dict[str, Any]]) -> bytes:
    """The tile as mapbox-vector-tile itself encodes it."""
    return mapbox_vector_tile.encode([{"name": layer, "features": features}], default_options=OPTIONS)


def _features(shapes: list[shapely.Geometry]) -> list[dict[str, Any]]:
    return [
        {"geometry": shape, "properties": {"id": f"f{i}", "n": i, "ok": i % 2 == 0}} for i, shape in enumerate(shapes)
    ]


def _hostile() -> list[shapely.Geometry]:
    """Shapes on the tile grid (integer coordinates, as the atlas quantises them) that trouble encoders."""
    square = [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]
    return [
        Polygon(square),  # counter-clockwise exterior: reversed
        Polygon(square[::-1]),  # clockwise already
        Polygon([(0, 0), (0, 0), (10, 0), (10, 0), (10, 10), (0, 10), (0, 0)]),  # repeated points
        Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)]),  # bow-tie: invalid, kept as it is
        Polygon([(5, 5), (5, 5), (5, 5), (5, 5)]),  # collapsed to a point on the grid: no feature
        Polygon([(0, 0), (10, 0), (0, 0), (0, 0)]),  # a ring with no area
        Polygon(square, [[(2, 2), (4, 2), (4, 4), (2, 4), (2, 2)], [(6, 6), (6, 6), (6, 6), (6, 6)]]),  # holes
        Polygon(square, [[(2, 2), (2, 4), (4, 4), (4, 2), (2, 2)]]),  # a clockwise hole: reversed
        MultiPolygon([Polygon(square), Polygon([(5, 5), (15, 5), (15, 15), (5, 15), (5, 5)])]),  # overlapping
        MultiPolygon([Polygon([(1, 1), (1, 1), (1, 1), (1, 1)]), Polygon(square)]),  # first part collapses
        MultiPolygon([Polygon(square)]),  # one part
        Polygon([(-64, -64), (4160, -64), (4160, 4160), (-64, 4160), (-64, -64)]),  # the whole buffered tile
        LineString([(0, 0), (0, 0), (5, 5), (5, 5), (9, 1)]),
        LineString([(3, 3), (3, 3)]),  # a line come to a point: no feature
        MultiLineString([[(3, 3), (3, 3)], [(0, 0), (4, 4)], [(8, 8), (1, 1), (1, 1)]]),
    ]


def _random_polygon(rng: random.Random) -> shapely.Geometry:
    """A polygon or multipolygon of a few grid points, often invalid, often with repeats."""

    def ring() -> list[tuple[int, int]]:
        points = [(rng.randint(-70, 4170), rng.randint(-70, 4170)) for _ in range(rng.randint(3, 12))]
        points += [points[rng.randrange(len(points))] for _ in range(rng.randint(0, 2))]  # repeats
        return [*points, points[0]]

    parts = [Polygon(ring(), [ring() for _ in range(rng.randint(0, 2))]) for _ in range(rng.randint(1, 3))]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def test_hostile_shapes_encode_as_the_library_encodes_them() -> None:
    shapes = _hostile()
    for shape in shapes:  # one at a time, then all in one tile (the cursor runs on across features)
        assert mvt._tile_bytes("t", _features([shape]), OPTIONS) == library("t", _features([shape])), shape.wkt
    assert mvt._tile_bytes("t", _features(shapes), OPTIONS) == library("t", _features(shapes))


def test_random_shapes_encode_as_the_library_encodes_them() -> None:
    rng = random.Random(14)
    for _ in range(300):
        shapes = [_random_polygon(rng) for _ in range(rng.randint(1, 4))]
        assert mvt._tile_bytes("t", _features(shapes), OPTIONS) == library("t", _features(shapes)), [
            s.wkt for s in shapes
        ]
    assert isinstance(LinearRing([(0, 0), (1, 0), (1, 1)]), LinearRing)  # the shapes above were built


def test_every_tile_of_the_data_encodes_as_the_library_encodes_it(
    spatialite_loaded: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All tiles of every layer at a spread of zooms (the pre-built ones and those drawn on request)."""
    store = Store(spatialite_loaded)
    extents = store.info().extents
    rng = random.Random(6)
    asked = []
    for layer in ("prefectures", "counties", "clusters", "corridors"):
        for z in (3, 6, 9, 12):
            over = list(tile_cache.tiles_over(extents[layer], z))
            asked += [(layer, z, x, y) for x, y in rng.sample(over, min(len(over), 12))]
    ours = {key: tiles.draw(store, *key) for key in asked}
    monkeypatch.setattr(mvt, "_tile_bytes", lambda layer, features, _options: library(layer, features))
    theirs = {key: tiles.draw(store, *key) for key in asked}
    assert sum(1 for data in ours.values() if data) > len(asked) // 2  # mostly tiles with features
    differing = [key for key in asked if ours[key] != theirs[key]]
    assert not differing, differing
