"""Feature queries: filtering (bbox, properties) and GeoJSON in the database, one code path for both
backends; only the spatial-index probe differs (PostGIS plans its GiST index itself, SpatiaLite's
R*Tree must be joined explicitly)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select

from app.catalogue import Kind, Status
from app.store import schema
from app.store.collections import COLLECTIONS, Collection, FilterName
from app.store.store import InvalidParameter, NotFound, StoreInfo, StoreReader
from app.text_search import did_you_mean, fold

# GeoJSON coordinates keep 6 decimals (~0.1 m): the boundary data has no more.
COORDINATE_DECIMALS = 6

BBox = tuple[float, float, float, float]

# A decimal number in ASCII: float() also reads "1_0", " 1", "nan" and other scripts' digits ("٤", "４").
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


@dataclass(frozen=True)
class Filters:
    """Validated property filters (see :func:`parse_filters`)."""

    sector: str | None = None
    kind: tuple[Kind, ...] | None = None  # any of these kinds
    plan: int | None = None
    status: Status | None = None
    place: int | None = None
    q: str | None = None

    def given(self) -> dict[str, object]:
        """The filters that are set."""
        return {name: value for name, value in self.__dict__.items() if value is not None}


@dataclass(frozen=True)
class FeaturePage:
    """A page of features as ready GeoJSON Feature texts, and how many match in all."""

    number_matched: int
    features: list[str] = field(default_factory=list)


def collection(collection_id: str) -> Collection:
    """The collection with this id, or :class:`NotFound`."""
    try:
        return COLLECTIONS[collection_id]
    except KeyError:
        raise NotFound(f"No collection {collection_id!r}; collections: {', '.join(COLLECTIONS)}.") from None


def parse_bbox(text: str) -> list[BBox]:
    """``minlon,minlat,maxlon,maxlat`` (or 6 numbers with heights) as one or two boxes: a box whose
    west edge lies east of its east edge crosses the antimeridian and is split there."""
    if len(text) > 200:
        raise InvalidParameter("bbox", "at most 200 characters")
    parts = text.split(",")
    if not all(_NUMBER.fullmatch(part) for part in parts):
        raise InvalidParameter("bbox", f"{text!r} is not 4 or 6 comma-separated numbers (ASCII digits)")
    numbers = [float(part) for part in parts]
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(math.isfinite(number) for number in numbers):
        raise InvalidParameter("bbox", f"{text!r} is not 4 or 6 comma-separated numbers")
    west, south, east, north = numbers
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise InvalidParameter(
            "bbox", "expected minlon,minlat,maxlon,maxlat in degrees with -90 ≤ minlat ≤ maxlat ≤ 90"
        )
    if west > east:
        return [(west, south, 180.0, north), (-180.0, south, east, north)]
    return [(west, south, east, north)]


def parse_filters(info: StoreInfo, target: Collection | None = None, **values: str | None) -> Filters:
    """Check raw filter values against the store's vocabulary; raise :class:`InvalidParameter`."""
    parsed: dict[str, object] = {}
    for name, raw in values.items():
        if raw is None or raw == "":
            continue
        if target is not None and FilterName(name) not in target.filters:
            raise InvalidParameter(name, f"collection {target.id!r} has no {name!r} property to filter on")
        parsed[name] = _parse_filter(info, FilterName(name), raw)
    return Filters(**parsed)  # type: ignore[arg-type]


def parse_collection_query(
    info: StoreInfo, target: Collection, params: Mapping[str, str], also: Iterable[str], who_takes: str
) -> Filters:
    """Refuse parameters that are neither ``also`` nor one of ``target``'s filters (the message says
    "unknown parameter; <who_takes> <the allowed ones>"), then parse the filters."""
    allowed = set(also) | {name.value for name in target.filters}
    for name in params:
        if name not in allowed:
            raise InvalidParameter(name, f"unknown parameter; {who_takes} {', '.join(sorted(allowed))}")
    return parse_filters(info, target, **{name.value: params.get(name.value) for name in target.filters})


def _parse_filter(info: StoreInfo, name: FilterName, raw: str) -> object:
    if name is FilterName.sector:
        if raw not in info.sector_ids:
            raise InvalidParameter("sector", f"unknown sector {raw!r}{did_you_mean(raw, info.sector_ids, 60)}")
        return raw
    if name is FilterName.kind:
        return tuple(_member(Kind, name, part.strip()) for part in raw.split(","))
    if name is FilterName.status:
        return _member(Status, name, raw)
    if name in (FilterName.plan, FilterName.place):
        allowed_numbers: frozenset[int] = info.plan_years if name is FilterName.plan else info.adcodes
        what = "plan year" if name is FilterName.plan else "adcode"
        if not (raw.isascii() and raw.isdigit()) or int(raw) not in allowed_numbers:
            hint = f"; plans: {', '.join(map(str, sorted(allowed_numbers)))}" if name is FilterName.plan else ""
            raise InvalidParameter(name.value, f"{raw!r} is not a known {what}{hint}")
        return int(raw)
    if len(raw) > 100:
        raise InvalidParameter("q", "at most 100 characters")
    return raw


def _member(enum: type[Kind] | type[Status], name: FilterName, raw: str) -> Kind | Status:
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidParameter(name.value, f"{raw!r} is not one of {allowed}") from None


def entity_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """SQL conditions on ``entities`` for the given filters (all bound parameters)."""
    entities = schema.entities
    conditions: list[ColumnElement[bool]] = []
    if filters.sector:
        tagged = (
            select(schema.entity_sectors.c.entity_id)
            .join(
                schema.sector_ancestors,
                schema.sector_ancestors.c.sector_id == schema.entity_sectors.c.sector_id,
            )
            .where(schema.sector_ancestors.c.ancestor_id == filters.sector)
        )
        conditions.append(entities.c.id.in_(tagged))
    if filters.kind:
        conditions.append(entities.c.kind.in_([kind.value for kind in filters.kind]))
    if filters.status:
        conditions.append(entities.c.status == filters.status.value)
    if filters.plan:
        cited = select(schema.plan_refs.c.subject_id).where(
            schema.plan_refs.c.subject == "entity", schema.plan_refs.c.year == filters.plan
        )
        conditions.append(entities.c.id.in_(cited))
    if filters.place:
        there = select(schema.entity_places.c.entity_id).where(schema.entity_places.c.adcode == filters.place)
        conditions.append(entities.c.id.in_(there))
    if filters.q:
        conditions.append(contains(entities.c[schema.TERMS], filters.q))
    return conditions


def contains(column: ColumnElement[str], query: str) -> ColumnElement[bool]:
    """``column`` (folded text) contains the folded ``query``; LIKE wildcards in it are escaped."""
    needle = fold(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{needle}%", escape="\\")


def bbox_condition(
    store: StoreReader, target: Collection, boxes: Sequence[BBox], geometry: ColumnElement[Any] | None = None
) -> ColumnElement[bool]:
    """Features intersecting any of ``boxes``, through the spatial index of either backend (the index is
    on the collection's full geometry; ``geometry``, e.g. a generalised one, is what is tested)."""
    indexed = target.table.c[target.geometry]
    geometry = indexed if geometry is None else geometry
    parts = []
    for west, south, east, north in boxes:
        if store.backend == "postgis":
            parts.append(func.ST_Intersects(geometry, func.ST_MakeEnvelope(west, south, east, north, 4326)))
            continue
        rtree = sa.table(
            f"idx_{target.table.name}_{indexed.name}",
            *(sa.column(name) for name in ("pkid", "xmin", "xmax", "ymin", "ymax")),
        )
        candidates = select(rtree.c.pkid).where(
            rtree.c.xmin <= east, rtree.c.xmax >= west, rtree.c.ymin <= north, rtree.c.ymax >= south
        )
        rowid = literal_column(f"{target.table.name}.rowid")
        envelope = func.BuildMbr(west, south, east, north, 4326)
        parts.append(and_(rowid.in_(candidates), func.ST_Intersects(geometry, envelope) == 1))
    return or_(*parts)


def conditions(
    store: StoreReader, target: Collection, filters: Filters, boxes: Sequence[BBox] | None
) -> list[ColumnElement[bool]]:
    """Every condition a feature of ``target`` must meet: membership, geometry, filters, bbox."""
    found: list[ColumnElement[bool]] = [target.table.c[target.geometry].is_not(None)]
    if (where := target.where()) is not None:
        found.append(where)
    if target.table is schema.entities:
        found += entity_conditions(filters)
    if boxes:
        found.append(bbox_condition(store, target, boxes))
    return found


def feature_json(identifier: object, geometry: str | None, properties: str) -> str:
    """One GeoJSON Feature from its parts, without parsing them again. Ids are strings (adcodes too):
    clients build item URLs from them, and some read numbers back as floats."""
    head = f'{{"type":"Feature","id":{json.dumps(str(identifier))},'
    return f'{head}"geometry":{geometry or "null"},"properties":{properties}}}'


def _geojson(target: Collection) -> ColumnElement[str]:
    return func.ST_AsGeoJSON(target.table.c[target.geometry], COORDINATE_DECIMALS)


def items(
    store: StoreReader,
    target: Collection,
    filters: Filters = Filters(),
    boxes: Sequence[BBox] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> FeaturePage:
    """A page of ``target``'s features in their published order, and the number that match."""
    table, where = target.table, conditions(store, target, filters, boxes)
    page = (
        select(table.c[target.id_column], _geojson(target), table.c.properties)
        .where(*where)
        .order_by(table.c.position)
        .offset(offset)
        .limit(limit)
    )
    with store.engine().connect() as connection:
        matched = connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
        rows = connection.execute(page).all()
    return FeaturePage(matched, [feature_json(*row) for row in rows])


_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def is_plausible_id(text: str, numeric: bool = False) -> bool:
    """Whether ``text`` could be an id at all (adcode or catalogue id); others need no query."""
    if numeric:
        return text.isascii() and text.isdigit() and len(text) <= 6
    return len(text) <= 80 and bool(_ID.match(text))


def item(store: StoreReader, target: Collection, feature_id: str) -> str:
    """One feature of ``target`` as GeoJSON text, or :class:`NotFound`."""
    table = target.table
    key = table.c[target.id_column]
    if not is_plausible_id(feature_id, numeric=key.type.python_type is int):
        raise NotFound(f"No feature {feature_id!r} in {target.id}.")
    value: object = int(feature_id) if key.type.python_type is int else feature_id
    query = select(key, _geojson(target), table.c.properties).where(key == value)
    if (where := target.where()) is not None:
        query = query.where(where)
    with store.engine().connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        raise NotFound(f"No feature {feature_id!r} in {target.id}.")
    return feature_json(*row)
