"""Mapbox vector tiles encoded in Python (``mapbox-vector-tile``), for backends without ``ST_AsMVT``.

Shapes arrive as WKB in degrees; they are projected to Web Mercator, repaired if invalid, cut to the
tile (with a buffer, so that neighbouring tiles join cleanly) and quantised to the tile's grid.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import mapbox_vector_tile
import numpy as np
import shapely
from pyproj import Transformer

log = logging.getLogger("atlas.tiles")
EXTENT = 4096
BUFFER = 64  # in tile units: shapes run on past the edge so that neighbouring tiles join cleanly
WEB_MERCATOR_HALF = 20037508.342789244
_TO_MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)


def mercator_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The tile's box in EPSG:3857 metres."""
    size = 2 * WEB_MERCATOR_HALF / 2**z
    west = -WEB_MERCATOR_HALF + x * size
    north = WEB_MERCATOR_HALF - y * size
    return west, north - size, west + size, north


def lonlat_bounds(z: int, x: int, y: int, margin: float = 0.0) -> tuple[float, float, float, float]:
    """The tile's box in degrees, grown by ``margin`` of its size on every side."""
    n = 2**z

    def lat(row: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    west, east = x / n * 360 - 180, (x + 1) / n * 360 - 180
    grow = (east - west) * margin
    return west - grow, max(lat(y + 1) - grow, -85.06), east + grow, min(lat(y) + grow, 85.06)


def encode_rows(layer: str, names: list[str], rows: Sequence[Sequence[Any]], z: int, x: int, y: int) -> bytes:
    """Tile z/x/y of ``layer`` from rows of (WKB geometry in degrees, *property values named ``names``*)."""
    bounds = mercator_bounds(z, x, y)
    grow = (bounds[2] - bounds[0]) * BUFFER / EXTENT
    clip = shapely.box(bounds[0] - grow, bounds[1] - grow, bounds[2] + grow, bounds[3] + grow)
    features = []
    for row in rows:
        values = dict(zip(names, row[1:], strict=True))
        clipped = _clipped(bytes(row[0]), clip, f"{layer} {values}")
        if clipped is not None and not clipped.is_empty:
            features.append({"geometry": _quantized(clipped, bounds), "properties": values})
    if not features:
        return b""
    # Quantised above, in one vectorised step: the encoder's own quantize_bounds walks every point in Python.
    return _encode(layer, features, {"extents": EXTENT})


def _quantized(shape: shapely.Geometry, bounds: tuple[float, float, float, float]) -> shapely.Geometry:
    """``shape`` on the tile's grid of EXTENT units, exactly as mapbox-vector-tile's ``quantize_bounds`` does
    it (the same float operations in the same order, rounding half to even like Python's ``round``)."""
    west, south, east, north = bounds
    xfac, yfac = EXTENT / (east - west), EXTENT / (north - south)

    def on_grid(xy: np.ndarray) -> np.ndarray:
        return np.round(np.column_stack((xfac * (xy[:, 0] - west), yfac * (xy[:, 1] - south))))

    return shapely.transform(shape, on_grid)


def _clipped(wkb: bytes, clip: shapely.Geometry, what: str) -> shapely.Geometry | None:
    """The shape in Web Mercator cut to ``clip``, repaired first if it is invalid (a self-intersecting ring
    makes GEOS's overlay fail with a TopologyException); None, logged, if it cannot be cut even so: one
    broken outline costs its feature, never the tile."""
    try:
        shape = shapely.transform(
            shapely.from_wkb(wkb), lambda xy: np.column_stack(_TO_MERCATOR.transform(xy[:, 0], xy[:, 1]))
        )
        dimension = shapely.get_dimensions(shape)
        if not shape.is_valid:
            # "structure" keeps a polygon a polygon (no stray lines) and drops collapsed parts.
            shape = shapely.make_valid(shape, method="structure", keep_collapsed=False)
        try:
            clipped = shapely.intersection(shape, clip)
        except shapely.errors.GEOSException:
            clipped = shapely.intersection(shapely.make_valid(shape), clip)  # the other repair, once
        return _of_dimension(clipped, dimension)
    except (shapely.errors.ShapelyError, ValueError) as exc:
        log.warning("left out of a tile, its geometry cannot be clipped: %s (%s)", what, exc)
        return None


def _of_dimension(shape: shapely.Geometry, dimension: int) -> shapely.Geometry:
    """Only the parts of ``shape`` of the given dimension: a cut can leave stray lines or points on the
    tile's edge in a geometry collection, which vector tiles cannot carry."""
    if shape.geom_type != "GeometryCollection":
        return shape
    parts = [part for part in shapely.get_parts(shape) if shapely.get_dimensions(part) == dimension]
    if not parts:
        return shapely.GeometryCollection()
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def _encode(layer: str, features: list[dict[str, Any]], options: dict[str, Any]) -> bytes:
    """The MVT of ``features``; should the encoder fail on some, the tile is made of the others."""
    try:
        return mapbox_vector_tile.encode([{"name": layer, "features": features}], default_options=options)
    except Exception:  # whatever the encoder trips on, the fallback below finds the feature(s)
        kept = []
        for feature in features:
            try:
                mapbox_vector_tile.encode([{"name": layer, "features": [feature]}], default_options=options)
            except Exception as exc:
                log.warning("left out of a tile, cannot encode: %s %s (%s)", layer, feature["properties"], exc)
            else:
                kept.append(feature)
        if not kept:
            return b""
        return mapbox_vector_tile.encode([{"name": layer, "features": kept}], default_options=options)
