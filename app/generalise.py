"""Generalised geometry for drawing at small scales (the page), never for data (OGC, downloads).

Boundaries are simplified as a coverage (GEOS CoverageSimplifier via shapely.coverage_simplify), so
neighbours keep one shared border: no slivers, no gaps. Entity footprints are then dissolved from the
simplified units, so they line up with the boundaries drawn under them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from app.admin_units import AdminUnits, Level


@dataclass(frozen=True)
class Band:
    """Geometry for web-map zooms up to ``max_zoom``: simplified by ``tolerance`` degrees (about a pixel
    there), with ``decimals`` coordinate decimals."""

    name: str
    max_zoom: int
    tolerance: float
    decimals: int


# Below zoom 8 a pixel is ≥ 0.005° in Hubei; at 8–9 ≥ 0.0014°. From zoom 10 the page uses full detail.
BANDS = (Band("z7", 7, 0.01, 3), Band("z9", 9, 0.0025, 4))
FULL_DECIMALS = 6


def band_for(zoom: int) -> Band | None:
    """The band to draw at ``zoom``; None means full resolution."""
    return next((band for band in BANDS if zoom <= band.max_zoom), None)


def simplify_units(units: AdminUnits, band: Band) -> dict[str, BaseGeometry]:
    """Every unit's outline simplified as part of its level's coverage, keyed like the units."""
    simplified: dict[str, BaseGeometry] = {}
    for level in Level:
        members = units.at_level(level)
        outlines = shapely.coverage_simplify(
            np.array([unit.geometry for unit in members], dtype=object), band.tolerance
        )
        for unit, outline in zip(members, outlines, strict=True):
            simplified[unit.key] = _multipolygon(shapely.set_precision(outline, 10**-band.decimals))
    return simplified


def _multipolygon(geometry: BaseGeometry) -> MultiPolygon:
    geometry = shapely.make_valid(geometry)
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    polygons = [part for part in getattr(geometry, "geoms", []) if isinstance(part, Polygon)]
    return MultiPolygon(polygons)


def dissolve(outlines: list[BaseGeometry], band: Band) -> MultiPolygon:
    """The union of already simplified outlines, at the band's precision."""
    return _multipolygon(shapely.set_precision(shapely.union_all(outlines), 10**-band.decimals))


# A label point within ~100 m of the best is as good on any map the atlas draws.
LABEL_TOLERANCE_DEGREES = 0.001


def label_point(geometry: BaseGeometry) -> tuple[float, float]:
    """Where a unit's name goes on the map: the point of its largest part farthest from the outline
    (polylabel), measured with longitude squashed by cos(latitude) so that it is roughly metric. Computed
    once at load; the page only places the names."""
    parts = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    largest = max(parts, key=lambda part: part.area)
    squash = float(np.cos(np.radians(largest.centroid.y)))
    squashed = shapely.transform(largest, lambda coordinates: coordinates * [squash, 1.0])
    point = polylabel(squashed, tolerance=LABEL_TOLERANCE_DEGREES)
    return round(point.x / squash, 5), round(point.y, 5)
