"""The name a downloaded file goes by: what is inside, read from the filters that chose it.

``hubei-clusters-auto-2021.xlsx`` holds the clusters layer's auto entities of the 2021 plan;
``hubei-clusters-xiangyang.csv`` what the plans put in 襄阳. The name is ASCII (pinyin for places), so
that every browser, mail client and file system keeps it as it is. The server sets it (the
``Content-Disposition`` of ``/downloads``), so every client gets the same name, not only the page.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from app.admin_units import PROVINCE_ADCODE, Level
from app.query import NO_FILTERS, Filters
from app.store import schema
from app.store.published import StoreReader

# Kinds are listed in a name only while they are few: beyond this the name says "kinds" and the count.
_KINDS_IN_NAME = 3
_MAX_QUERY_SLUG = 24


def slug(text: str) -> str:
    """``text`` as lower-case ASCII words joined by hyphens (``Jiang'an`` → ``jiangan``); may be empty."""
    words = re.sub(r"[^a-z0-9 -]+", "", text.lower().replace("'", "")).replace("-", " ").split()
    return "-".join(words)


def place_slug(store: StoreReader, adcode: int) -> str:
    """A place in pinyin, a county after its prefecture (``xiangyang-xiangcheng``): county names repeat
    across Hubei, prefecture names do not. The adcode itself when the store has no such place."""
    units = schema.admin_units
    by_adcode = select(units.c.adcode, units.c.level, units.c.pinyin, units.c.parent_adcode).order_by(units.c.position)
    with store.engine().connect() as connection:
        unit = connection.execute(by_adcode.where(units.c.adcode == adcode)).first()
        if unit is None:
            return str(adcode)
        names = [slug(unit.pinyin) or str(adcode)]
        if unit.level == Level.county.value and unit.parent_adcode not in (None, adcode, PROVINCE_ADCODE):
            parent = connection.execute(by_adcode.where(units.c.adcode == unit.parent_adcode)).first()
            if parent is not None:
                names.insert(0, slug(parent.pinyin) or str(parent.adcode))
    return "-".join(names)


def download_name(
    layer: str,
    suffix: str,
    filters: Filters = NO_FILTERS,
    place: str | None = None,
    bbox: bool = False,
    gcj02: bool = False,
) -> str:
    """``hubei-LAYER[-PLACE][-SECTOR][-KINDS][-PLAN][-STATUS][-QUERY][-bbox][-gcj02].SUFFIX``, each part
    present only when its filter is: ``place`` is the place's slug (see :func:`place_slug`)."""
    parts = ["hubei", layer]
    if filters.place:
        parts.append(place or str(filters.place))
    if filters.sector:
        parts.append(filters.sector)
    if filters.kind:
        kinds = sorted({kind.value.replace("_", "-") for kind in filters.kind})
        parts.append("-".join(kinds) if len(kinds) <= _KINDS_IN_NAME else f"{len(kinds)}-kinds")
    if filters.plan:
        parts.append(str(filters.plan))
    if filters.plans:
        # Plan ids are slugs already; many are summarised, as kinds are.
        parts.append("-".join(filters.plans) if len(filters.plans) <= _KINDS_IN_NAME else f"{len(filters.plans)}-plans")
    if filters.status:
        parts.append(filters.status.value)
    if filters.q:
        # Free text: its ASCII words, shortened; text with none (e.g. 中文) is named only as a search.
        words = slug(filters.q)[:_MAX_QUERY_SLUG].strip("-")
        parts.append(f"search-{words}" if words else "search")
    if bbox:
        parts.append("bbox")
    if gcj02:
        parts.append("gcj02")
    return f"{'-'.join(parts)}.{suffix}"
