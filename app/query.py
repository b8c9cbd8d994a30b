"""What a request for features may ask, as plain values: filters, bounding boxes, paging, datetime.

Parsing raw text into these values, and the messages for text that is not one, live here and nowhere
else; the SQL they become is in ``app.store.conditions``. Nothing here knows of HTTP or of a database.
Numbers are ASCII digits only: Python's ``int()`` and ``float()`` also read ``1_0``, `` 1``, ``nan`` and
other scripts' digits (``٤``, ``４``), each one more spelling of the same request.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from app.catalogue import Kind, Status
from app.errors import InvalidParameter
from app.text_search import did_you_mean

BBox = tuple[float, float, float, float]

ASCII_INTEGER = re.compile(r"-?[0-9]+")
_ASCII_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_INSTANT = re.compile(rf"{_DATE}([Tt][0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}(\.[0-9]+)?([Zz]|[+-][0-9]{{2}}:[0-9]{{2}}))?")
_DURATION = re.compile(
    r"P(?!$)([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?"
)
MAX_QUERY_TEXT = 100


class FilterName(StrEnum):
    """Property filters of the entity collections (the same on OGC items, /api and downloads)."""

    sector = "sector"
    kind = "kind"
    plan = "plan"
    plans = "plans"
    status = "status"
    place = "place"
    q = "q"


class Vocabulary(Protocol):
    """The values filters may name (the published store's: see ``app.store.published.StoreInfo``)."""

    sector_ids: frozenset[str]
    adcodes: frozenset[int]
    plan_years: frozenset[int]
    plan_ids: frozenset[str]


@dataclass(frozen=True)
class Filters:
    """Validated property filters (see :func:`parse_filters`)."""

    sector: str | None = None
    kind: tuple[Kind, ...] | None = None  # any of these kinds
    plan: int | None = None
    # Any of these plans (ids): with tens of plans a year no longer names one, and the page loads only the
    # plans a reader chose (issue 13).
    plans: tuple[str, ...] | None = None
    status: Status | None = None
    place: int | None = None
    q: str | None = None


NO_FILTERS = Filters()


def parse_integer(name: str, raw: str | None, default: int, minimum: int, maximum: int | None = None) -> int:
    """``raw`` (ASCII digits) as an integer within bounds, ``default`` when absent."""
    if raw is None or raw == "":
        return default
    if len(raw) > 12:
        raise InvalidParameter(name, f"{raw[:12]!r}… is too long for a number")
    if not ASCII_INTEGER.fullmatch(raw):
        raise InvalidParameter(name, f"{raw!r} is not an integer (ASCII digits 0-9)")
    value = int(raw)
    if value < minimum:
        raise InvalidParameter(name, f"must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise InvalidParameter(name, f"must be at most {maximum}")
    return value


def parse_bbox(text: str) -> list[BBox]:
    """``minlon,minlat,maxlon,maxlat`` (or 6 numbers with heights) as one or two boxes: a box whose
    west edge lies east of its east edge crosses the antimeridian and is split there."""
    if len(text) > 200:
        raise InvalidParameter("bbox", "at most 200 characters")
    parts = text.split(",")
    if not all(_ASCII_DECIMAL.fullmatch(part) for part in parts):
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


def check_datetime(raw: str) -> None:
    """Refuse anything but an RFC 3339 instant or interval (the features carry no time: it filters nothing)."""
    parts = raw.split("/")
    valid = len(parts) in (1, 2) and all(
        part in ("", "..") or _INSTANT.fullmatch(part) or (index == 1 and _DURATION.fullmatch(part))
        for index, part in enumerate(parts)
    )
    if not valid or parts == [""] or parts == ["..", ".."]:
        raise InvalidParameter("datetime", f"{raw!r} is not an RFC 3339 instant or interval")


def parse_filters(vocabulary: Vocabulary, **values: str | None) -> Filters:
    """Check raw filter values against the vocabulary; raise :class:`InvalidParameter`."""
    parsed: dict[str, object] = {}
    for name, raw in values.items():
        if raw is None or raw == "":
            continue
        parsed[name] = _parse_filter(vocabulary, FilterName(name), raw)
    return Filters(**parsed)  # type: ignore[arg-type]


def parse_collection_query(
    vocabulary: Vocabulary,
    filters: frozenset[FilterName],
    params: Mapping[str, str],
    also: Iterable[str],
    who_takes: str,
) -> Filters:
    """Refuse parameters that are neither ``also`` nor one of ``filters`` (the message says "unknown
    parameter; <who_takes> <the allowed ones>"), then parse the filters."""
    allowed = set(also) | {name.value for name in filters}
    for name in params:
        if name not in allowed:
            raise InvalidParameter(name, f"unknown parameter; {who_takes} {', '.join(sorted(allowed))}")
    return parse_filters(vocabulary, **{name.value: params.get(name.value) for name in filters})


def is_plausible_id(text: str, numeric: bool = False) -> bool:
    """Whether ``text`` could be an id at all (adcode or catalogue id); others need no query."""
    if numeric:
        return text.isascii() and text.isdigit() and len(text) <= 6
    return len(text) <= 80 and bool(_ID.match(text))


_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _parse_filter(vocabulary: Vocabulary, name: FilterName, raw: str) -> object:
    if name is FilterName.sector:
        if raw not in vocabulary.sector_ids:
            hint = did_you_mean(raw, vocabulary.sector_ids, 60)
            raise InvalidParameter("sector", f"unknown sector {raw!r}{hint}")
        return raw
    if name is FilterName.kind:
        return tuple(_member(Kind, name, part.strip()) for part in raw.split(","))
    if name is FilterName.status:
        return _member(Status, name, raw)
    if name is FilterName.plans:
        return _plan_ids(vocabulary, raw)
    if name in (FilterName.plan, FilterName.place):
        allowed_numbers = vocabulary.plan_years if name is FilterName.plan else vocabulary.adcodes
        what = "plan year" if name is FilterName.plan else "adcode"
        if not (raw.isascii() and raw.isdigit()) or int(raw) not in allowed_numbers:
            hint = f"; plans: {', '.join(map(str, sorted(allowed_numbers)))}" if name is FilterName.plan else ""
            raise InvalidParameter(name.value, f"{raw!r} is not a known {what}{hint}")
        return int(raw)
    if len(raw) > MAX_QUERY_TEXT:
        raise InvalidParameter("q", f"at most {MAX_QUERY_TEXT} characters")
    return raw


MAX_PLANS = 100
MAX_PROVINCES = 40


def parse_provinces(vocabulary: Vocabulary, raw: str | None) -> tuple[int, ...] | None:
    """Comma-separated adcodes of province-level units (``420000,430000``), each known, sorted and once; None
    when absent. The map page asks for the boundaries of its chosen plans' provinces only: a China-scope
    store's every prefecture is half a megabyte (bench/many_plans.py)."""
    if raw is None or raw == "":
        return None
    parts = [part.strip() for part in raw.split(",")]
    if len(parts) > MAX_PROVINCES:
        raise InvalidParameter("provinces", f"at most {MAX_PROVINCES} provinces")
    for part in parts:
        if not (part.isascii() and part.isdigit() and len(part) == 6 and part.endswith("0000")):
            raise InvalidParameter("provinces", f"{part[:12]!r} is not a province's adcode (e.g. 420000)")
        if int(part) not in vocabulary.adcodes:
            raise InvalidParameter("provinces", f"{part!r} is not a known province")
    return tuple(sorted({int(part) for part in parts}))


def _plan_ids(vocabulary: Vocabulary, raw: str) -> tuple[str, ...]:
    """Comma-separated plan ids, each known, each once, in a canonical (sorted) order: two spellings of one
    choice are one request, so one cache entry and one file name."""
    parts = [part.strip() for part in raw.split(",")]
    if len(parts) > MAX_PLANS:
        raise InvalidParameter("plans", f"at most {MAX_PLANS} plans")
    for part in parts:
        if part not in vocabulary.plan_ids:
            hint = did_you_mean(part, vocabulary.plan_ids, 60) if len(part) <= 80 else ""
            raise InvalidParameter("plans", f"unknown plan {part[:80]!r}{hint}")
    return tuple(sorted(set(parts)))


def _member(enum: type[Kind] | type[Status], name: FilterName, raw: str) -> Kind | Status:
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidParameter(name.value, f"{raw!r} is not one of {allowed}") from None
