"""A one-page brief of a place, for a leader's desk: ``/briefs/places/{adcode}.pdf`` and ``atlas brief``.

The brief holds the place on a small map with what the plans put there, every entry with the plan's own
words, plan, section and document number, the city groups and corridors the place belongs to, their
sectors, the data's date, the sources and the 审图号 line. It is made here from the store alone, through
the same queries as the page's place profile (:func:`app.store.browse.place_profile`), and knows nothing
of HTTP.

Why WeasyPrint (HTML and CSS to PDF) rather than Typst or ReportLab:

* It is well kept (a release every few months for a decade, BSD licence) and installs as a pure-Python
  wheel from PyPI; its one native need, Pango (with HarfBuzz and fontconfig), is a Debian package that
  ``scripts/setup.sh`` installs, beside the CJK fonts (``fonts-noto-cjk``).
* Chinese is typeset by Pango and HarfBuzz: proper shaping, line breaking between any two ideographs but
  not before closing punctuation (。，、）”), fonts found by fontconfig and embedded as subsets; the text
  stays text (``pdftotext`` reads it back, which the tests rely on).
* The brief is HTML and CSS like the rest of the atlas's presentation: a Jinja2 template
  (``web/templates/brief.html``, the same engine the page uses), ``@page`` rules for A4 with page numbers,
  and the map as inline SVG, which WeasyPrint draws itself — no browser, no network.
* Typst (the ``typst`` wheel) would also work, but brings a second template language and escaping rules
  of its own for the catalogue's text, and a ~30 MB compiler binary; ReportLab leaves line breaking of
  CJK text and layout to us.

The date on the brief is the data's (数据日期: when the store was loaded), not the day it was printed: a
brief is then the same bytes for the whole life of a build, which is what the read cache replays and the
ETag names (the web service keys both on the build), and the day of printing is the reader's to write.

The map is drawn here as SVG from the store's generalised outlines (shapely, an equirectangular
projection true at the frame's middle latitude, which at Hubei's size distorts less than the line width).
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from shapely.geometry.base import BaseGeometry

from app.catalogue import Kind
from app.citation import plan_citation
from app.errors import AtlasError, NotFound
from app.query import BBox
from app.store import browse
from app.store.place_map import EntityShape, Outline, entity_shapes, unit_outlines
from app.store.plans import plans as cited_plans
from app.store.published import StoreReader
from app.tables import WORDS

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"
TEMPLATE = "brief.html"
GROUP_KINDS = (Kind.city_group.value, Kind.corridor.value)  # listed apart, as the place profile does

# The same words as the tables' (app/tables.py): one vocabulary for files and briefs.
KIND_WORDS, STATUS_WORDS, LEVEL_WORDS = WORDS["kind"], WORDS["status"], WORDS["level"]

# The map's box on paper, in SVG user units (the template scales it to its column's width).
MAP_WIDTH = 1000.0
MAP_ASPECT = (0.62, 0.86)  # height / width, lowest and highest: Hubei is wider than tall
FRAME_MARGIN = 0.07  # of the frame's span, around what is drawn
MIN_SPAN_DEGREES = 0.4  # a county alone is framed with some of its neighbours
SIMPLIFY_UNITS = 1.5  # drawing units; the map is 84 mm wide, so 0.13 mm: below the thinnest line
KM_PER_DEGREE = 111.32
PLACE_INK = "#1b1b1b"
# Paul Tol's "muted" scheme and its grey, as the page's palette.js has them.
TOL_MUTED = ("#332288", "#882255", "#117733", "#AA4499", "#CC6677", "#44AA99", "#999933", "#88CCEE", "#DDCC77")
GREY = "#BBBBBB"
# A document number the curators' note says the plan implements (the 2014 plan bears none of its own).
_IMPLEMENTS = re.compile(r"implements.*?（([^（）]*?〔\d{4}〕\d+号)）")


class BriefError(AtlasError):
    """A brief cannot be made on this machine (no CJK font); the message says what to install."""


@dataclass(frozen=True)
class Brief:
    """A rendered brief: its PDF bytes, the name to save it under, and its number of pages."""

    content: bytes
    filename: str
    pages: int


def place_brief(store: StoreReader, adcode: int, *, approval_number: str = "", public_url: str = "") -> Brief:
    """The brief of the place ``adcode`` as PDF: :class:`NotFound` (bilingual) for an unknown adcode,
    :class:`BriefError` when the machine has no font for Chinese."""
    html = brief_html(store, adcode, approval_number=approval_number, public_url=public_url)
    import weasyprint  # here, not at import: Pango is loaded only by the processes that make briefs

    _check_cjk_font()
    document = weasyprint.HTML(string=html, url_fetcher=_refuse_fetch).render()
    content = document.write_pdf()
    return Brief(content, f"hubei-atlas-brief-{adcode}.pdf", len(document.pages))


def brief_html(store: StoreReader, adcode: int, *, approval_number: str = "", public_url: str = "") -> str:
    """The brief of ``adcode`` as the HTML WeasyPrint lays out (self-contained: styles and map inline)."""
    try:
        profile = browse.place_profile(store, adcode)
    except NotFound:
        raise NotFound(f"找不到行政区划代码为 {adcode} 的地区。No place with adcode {adcode}.") from None
    context = _context(store, profile, approval_number, public_url)
    return _environment().get_template(TEMPLATE).render(context)


def _context(store: StoreReader, profile: dict[str, Any], approval_number: str, public_url: str) -> dict[str, Any]:
    sectors = {sector["id"]: sector for sector in _flatten(browse.sector_tree(store))}
    places = {}
    for place in browse.places(store):
        places.setdefault(place["adcode"], place)  # the higher level first for the four shared adcodes
    plans = cited_plans(store)
    by_plan = {plan["id"]: plan for plan in plans}
    # Coloured as the page colours what it draws (web/static/js/palette.js): by top-level sector, in Paul
    # Tol's muted hues, which stay apart for colour-blind readers and in greyscale print.
    colours = colour_scheme([*profile["entities"], *profile["groups"]], list(sectors))

    def coloured(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [entry | {"colour": colours.get(entry.get("top_sector"), GREY)} for entry in entries]

    entities, groups = coloured(profile["entities"]), coloured(profile["groups"])
    numbered = [*entities, *groups]
    shapes = entity_shapes(store, [entity["id"] for entity in numbered])
    info = store.info()
    level_zh, level_en = LEVEL_WORDS.get(profile["level"], (profile["level"], profile["level"]))
    return {
        "place": profile,
        "level": {"zh": level_zh, "en": level_en},
        "entities": [_entry(entity, number, sectors, places, by_plan) for number, entity in enumerate(entities, 1)],
        "groups": [
            _entry(group, number, sectors, places, by_plan) for number, group in enumerate(groups, len(entities) + 1)
        ],
        "quote_count": sum(len(entity["plan_refs"]) for entity in numbered),
        "sectors": _sector_groups(profile["sectors"], sectors, colours),
        "map": Markup(_map_svg(store, profile, numbered, shapes)),
        "legend": _legend(profile, numbered, shapes),
        "sources": [_source(plan) for plan in plans],
        "approval_number": approval_number,
        "data_date": info.loaded_at[:10],
        "data_version": info.version,
        "link": f"{public_url.rstrip('/')}/#sel=p:{profile['adcode']}" if public_url else "",
    }


def _flatten(tree: Iterable[dict[str, Any]], top: str | None = None) -> Iterable[dict[str, Any]]:
    """Every sector of the tree, each with the id of its top-level sector (``top``)."""
    for node in tree:
        yield node | {"top": top or node["id"]}
        yield from _flatten(node["children"], top or node["id"])


def colour_scheme(entries: Sequence[dict[str, Any]], order: Sequence[str]) -> dict[str, str]:
    """The colour of each top-level sector among ``entries``' (``top_sector``), by the page's rule
    (``colourScheme`` in web/static/js/palette.js, with no sector chosen): the most frequent get the hues
    that read best, ties in the tree's ``order``; past nine categories, the eight most frequent keep a hue
    and the rest share the grey."""
    counts: dict[str, int] = {}
    for entry in entries:
        if entry.get("top_sector"):
            counts[entry["top_sector"]] = counts.get(entry["top_sector"], 0) + 1

    def rank(sector: str) -> int:
        return order.index(sector) if sector in order else len(order)

    by_count = sorted(counts, key=lambda sector: (-counts[sector], rank(sector)))
    kept = by_count if len(by_count) <= len(TOL_MUTED) else by_count[: len(TOL_MUTED) - 1]
    return dict(zip(kept, TOL_MUTED, strict=False))


def _sector_groups(
    carried: Sequence[dict[str, Any]], sectors: dict[str, dict[str, Any]], colours: dict[str, str]
) -> list[dict[str, Any]]:
    """The place's sectors under their top-level sectors: each top-level sector (in both languages) with
    the sub-sectors named there (in the plan's words), and its colour where the map has one for it."""
    groups: dict[str, dict[str, Any]] = {}
    for sector in carried:
        known = sectors.get(sector["id"])
        if known is None:
            continue
        top = sectors[known["top"]]
        group = groups.setdefault(
            top["id"],
            {"name_zh": top["name_zh"], "name_en": top["name_en"], "colour": colours.get(top["id"]), "subs": []},
        )
        if known["id"] != top["id"]:
            group["subs"].append(known["name_zh"])
    return list(groups.values())


def _entry(
    entity: dict[str, Any],
    number: int,
    sectors: dict[str, dict[str, Any]],
    places: dict[int, dict[str, Any]],
    plans: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """One entity as the brief lists it: names, facts in words and its quotes with their citations."""
    kind_zh, kind_en = KIND_WORDS.get(entity["kind"], (entity["kind"], entity["kind"]))
    status_zh, status_en = STATUS_WORDS.get(entity["status"], (entity["status"], entity["status"]))
    members = [places[adcode]["short_name_zh"] for adcode in entity["members"] if adcode in places]
    return {
        "number": number,
        "name_zh": entity["name_zh"],
        "name_en": entity["name_en"],
        "colour": entity["colour"],
        "kind": f"{kind_zh} {kind_en}",
        "status": f"{status_zh} {status_en}",
        "inferred": entity.get("confidence") == "inferred",
        "province_wide": bool(entity.get("province_wide")),
        "sectors": "、".join(sectors[s]["name_zh"] for s in entity["sectors"] if s in sectors) or "—",
        "members": "、".join(members) or "—",
        "quotes": [
            {"text": ref["quote"], "citation": _citation(plans.get(ref["plan"]), ref), "section": ref["section"]}
            for ref in entity["plan_refs"]
        ],
    }


def _citation(plan: dict[str, Any] | None, ref: dict[str, Any]) -> str:
    """《title》 with its document number — or the year and the fact that the text bears none."""
    if plan is None:
        return f"{ref['plan']}（{ref['year']}）"
    if plan["number"]:
        return f"《{plan['title_zh']}》（{plan['number']}）"
    return f"《{plan['title_zh']}》（{plan['year']}年；原文未载文号 no document number）"


def _source(plan: dict[str, Any]) -> dict[str, str]:
    """A plan as the sources list gives it: the one citation of every quote (app.citation), its Chinese and
    English halves apart, and what a plan without a number of its own implements, where the note says."""
    text_zh, text_en = plan_citation(plan).split(" / ", 1)
    if not plan["number"]:
        implemented = _IMPLEMENTS.search(plan["note"] or "")
        if implemented:
            text_zh += f"（系落实{implemented[1]}）"
            text_en += f" (it implements {implemented[1]})"
    return {"zh": text_zh, "en": text_en}


# --- the small map -------------------------------------------------------------------------------------


class _Projection:
    """Longitude and latitude to SVG units: equirectangular, true to scale at the frame's middle latitude."""

    def __init__(self, frame: BBox) -> None:
        min_lon, min_lat, max_lon, max_lat = frame
        self.shrink = math.cos(math.radians((min_lat + max_lat) / 2))
        self.scale = MAP_WIDTH / ((max_lon - min_lon) * self.shrink)
        self.min_lon, self.max_lat = min_lon, max_lat
        self.height = (max_lat - min_lat) * self.scale

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.min_lon) * self.shrink * self.scale, (self.max_lat - lat) * self.scale

    def shape(self, geometry: BaseGeometry, simplify: bool = True) -> BaseGeometry:
        """``geometry`` in drawing units, simplified below what the line width shows (a route keeps every
        stop)."""

        def move(coords: np.ndarray) -> np.ndarray:
            return np.column_stack(
                ((coords[:, 0] - self.min_lon) * self.shrink * self.scale, (self.max_lat - coords[:, 1]) * self.scale)
            )

        moved = shapely.transform(geometry, move)
        return moved.simplify(SIMPLIFY_UNITS, preserve_topology=True) if simplify else moved

    def units_per_km(self) -> float:
        return self.scale / KM_PER_DEGREE


def _frame(shapes: Sequence[BaseGeometry]) -> BBox:
    """A box around ``shapes`` with a margin, widened or heightened to the map's proportions."""
    min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(list(shapes))
    mid_lon, mid_lat = (min_lon + max_lon) / 2, (min_lat + max_lat) / 2
    shrink = math.cos(math.radians(mid_lat))
    width = max((max_lon - min_lon) * shrink, MIN_SPAN_DEGREES) * (1 + 2 * FRAME_MARGIN)  # in degrees of latitude
    height = max(max_lat - min_lat, MIN_SPAN_DEGREES) * (1 + 2 * FRAME_MARGIN)
    low, high = MAP_ASPECT
    height = max(height, width * low)  # too wide: more of the land above and below
    width = max(width, height / high)  # too tall: more of the land either side
    return (mid_lon - width / shrink / 2, mid_lat - height / 2, mid_lon + width / shrink / 2, mid_lat + height / 2)


def _path(geometry: BaseGeometry) -> str:
    """SVG path data of a (multi)polygon's rings, or of a (multi)line."""
    parts = []
    for part in getattr(geometry, "geoms", [geometry]):
        rings = [part.exterior, *part.interiors] if part.geom_type == "Polygon" else [part]
        for ring in rings:
            coords = np.asarray(ring.coords)
            if len(coords) < 2:
                continue
            points = " ".join(f"{x:.0f},{y:.0f}" for x, y in coords)  # a unit is 0.08 mm
            parts.append(f"M{points}" + ("Z" if part.geom_type == "Polygon" else ""))
    return "".join(parts)


def _is_group(entity: dict[str, Any]) -> bool:
    return entity["kind"] in GROUP_KINDS


def _drawn(entity: dict[str, Any], shapes: dict[str, EntityShape]) -> bool:
    """Whether the map draws ``entity``: a province-wide one would only tint the whole map."""
    return entity["id"] in shapes and not entity.get("province_wide")


def _tag(name: str, text: str | None = None, **attributes: object) -> str:
    """One SVG element; attribute names with ``_`` for ``-``, every value escaped."""
    attrs = " ".join(f'{key.rstrip("_").replace("_", "-")}="{escape(str(value))}"' for key, value in attributes.items())
    return f"<{name} {attrs}/>" if text is None else f"<{name} {attrs}>{escape(text)}</{name}>"


def _map_svg(
    store: StoreReader, profile: dict[str, Any], entities: Sequence[dict[str, Any]], shapes: dict[str, EntityShape]
) -> str:
    """The place and its entities over the prefecture outlines around them, as an SVG element: entries as
    areas in their sector's colour, city groups as dashed outlines, corridors as lines through their cities,
    the place's counties dotted and the place itself outlined in black."""
    drawn = [entity for entity in entities if _drawn(entity, shapes)]
    place = shapely.from_geojson(json.dumps(profile["geometry"]))
    frame = _frame([place, *(shapes[entity["id"]].footprint for entity in drawn)])
    projection = _Projection(frame)
    prefectures = unit_outlines(store, "prefecture", frame)
    counties = _counties(store, profile, frame)
    # The place drawn from the same generalised outlines as its neighbours, so that their borders meet.
    same_level = {"prefecture": prefectures, "county": counties}.get(profile["level"], [])
    place = next((unit.shape for unit in same_level if unit.adcode == profile["adcode"]), place)

    def path(geometry: BaseGeometry, **style: object) -> str:
        return _tag("path", d=_path(projection.shape(geometry)), **style)

    width, height = MAP_WIDTH, projection.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'font-family="Noto Sans CJK SC, Noto Sans SC, sans-serif" aria-label="{escape(profile["name_zh"])}">',
        _tag("rect", x=0, y=0, width=f"{width:.0f}", height=f"{height:.0f}", fill="#eef3f6"),
    ]
    out += [path(unit.shape, fill="#fbfbf8", stroke="#a9a9a9", stroke_width=1.2) for unit in prefectures]
    # Areas before lines; the largest first, so that smaller ones stay visible on top.
    areas = sorted((e for e in drawn if not _is_group(e)), key=lambda e: -shapes[e["id"]].footprint.area)
    for entity in areas:
        colour = entity["colour"]
        footprint = shapes[entity["id"]].footprint
        out.append(path(footprint, fill=colour, fill_opacity=0.2, stroke=colour, stroke_width=1.6, fill_rule="evenodd"))
    out += [
        path(unit.shape, fill="none", stroke="#8c8c8c", stroke_width=0.7, stroke_dasharray="3 3") for unit in counties
    ]
    groups = [entity for entity in drawn if _is_group(entity)]
    # Everything drawn as an outline takes turns along the dashes: city groups, and a corridor without a route.
    city_groups = [entity for entity in groups if shapes[entity["id"]].route is None]
    for entity in groups:
        out += _group_marks(projection, entity, shapes[entity["id"]], city_groups)
    out.append(path(place, fill="none", stroke="#ffffff", stroke_width=8, stroke_linejoin="round"))
    out.append(path(place, fill="none", stroke=PLACE_INK, stroke_width=4, stroke_linejoin="round"))
    out += _labels(projection, prefectures, profile, place)
    out += _scale_bar(projection, height)
    out.append("</svg>")
    return "".join(out)


def _counties(store: StoreReader, profile: dict[str, Any], frame: BBox) -> list[Outline]:
    """The counties of the place's prefecture (the place's own, or its parent's for a county)."""
    prefecture = profile["adcode"] if profile["level"] == "prefecture" else profile.get("parent_adcode")
    if profile["level"] not in ("prefecture", "county") or not prefecture:
        return []
    # Four county-level cities are also prefecture-level units under the same adcode: not their own county.
    return [unit for unit in unit_outlines(store, "county", frame, parent=prefecture) if unit.adcode != prefecture]


def _group_marks(
    projection: _Projection, entity: dict[str, Any], shape: EntityShape, city_groups: Sequence[dict[str, Any]]
) -> list[str]:
    """A corridor as a line through its cities in the plan's order; a city group (or a corridor whose order
    the plan does not give, so with no route) as a dashed outline. City
    groups take turns along their dashes, so that groups over the same cities (the Wuhan city circle and
    the Greater Wuhan metropolitan area) show both colours rather than the last one drawn."""
    colour = entity["colour"]
    if shape.route is not None:
        line = projection.shape(shape.route, simplify=False)  # every stop stays
        marks = [
            _tag("path", d=_path(line), fill="none", stroke=ink, stroke_width=width, stroke_linejoin="round")
            for ink, width in (("#ffffff", 9), (colour, 5))
        ]
        marks += [
            _tag("circle", cx=f"{x:.1f}", cy=f"{y:.1f}", r=7, fill="#ffffff", stroke=colour, stroke_width=3)
            for x, y in np.asarray(line.coords)
        ]
        return marks
    outline = _path(projection.shape(shape.footprint))
    turn, dash, gap = city_groups.index(entity), 14, 8
    pattern = f"{dash} {gap + (dash + gap) * (len(city_groups) - 1)}"
    return [
        _tag(
            "path",
            d=outline,
            fill="none",
            stroke=colour,
            stroke_width=3.2,
            stroke_dasharray=pattern,
            stroke_dashoffset=-(dash + gap) * turn,
        )
    ]


def _labels(
    projection: _Projection, prefectures: Sequence[Outline], profile: dict[str, Any], place: BaseGeometry
) -> list[str]:
    """Prefecture names in grey, the place's name in black on a white halo; none off the map."""
    labels = []
    place_label = None
    for unit in prefectures:
        x, y = projection.xy(*unit.label)
        if unit.adcode == profile["adcode"]:
            place_label = (x, y)
        elif 30 < x < MAP_WIDTH - 30 and 20 < y < projection.height - 10:
            labels.append(
                _tag(
                    "text", unit.name_zh, x=f"{x:.1f}", y=f"{y:.1f}", text_anchor="middle", font_size=24, fill="#7a7a7a"
                )
            )
    if place_label is None:  # a county, or the province
        point = place.representative_point()
        place_label = projection.xy(point.x, point.y)
    x, y = (f"{value:.1f}" for value in place_label)
    name, common = profile["short_name_zh"], {"text_anchor": "middle", "font_size": 34, "font_weight": "bold"}
    halo = _tag(
        "text", name, x=x, y=y, **common, stroke="#ffffff", stroke_width=7, stroke_linejoin="round", fill="#fff"
    )
    return [*labels, halo, _tag("text", name, x=x, y=y, **common, fill=PLACE_INK)]


def _scale_bar(projection: _Projection, height: float) -> list[str]:
    """A scale bar of a round length, about a fifth of the map's width, in the lower left corner."""
    per_km = projection.units_per_km()
    km = next((step for step in (500, 200, 100, 50, 20, 10, 5, 2, 1) if step * per_km <= MAP_WIDTH / 4.5), 1)
    length, x, y = km * per_km, 24.0, height - 22
    bar = f"M{x:.1f},{y - 8:.1f}V{y:.1f}H{x + length:.1f}V{y - 8:.1f}"
    return [
        _tag("rect", x=x - 8, y=f"{y - 34:.1f}", width=f"{length + 70:.1f}", height=46, fill="#fff", fill_opacity=0.8),
        _tag("path", d=bar, fill="none", stroke="#333", stroke_width=2.5),
        _tag("text", f"{km} km", x=f"{x + length + 8:.1f}", y=f"{y:.1f}", font_size=22, fill="#333"),
        _tag("text", "0", x=f"{x:.1f}", y=f"{y - 14:.1f}", font_size=18, fill="#555"),
    ]


def _legend(
    profile: dict[str, Any], entities: Sequence[dict[str, Any]], shapes: dict[str, EntityShape]
) -> list[dict[str, str]]:
    """What the map shows, only the kinds of mark it has drawn."""
    drawn = [entity for entity in entities if _drawn(entity, shapes)]
    items = [{"mark": "place", "text": f"{profile['name_zh']} {profile['name_en']}"}]
    if any(not _is_group(entity) for entity in drawn):
        colours = list(dict.fromkeys(entity["colour"] for entity in drawn if not _is_group(entity)))
        stops = ", ".join(
            f"{colour} {100 * i / len(colours[:4]):.0f}%, {colour} {100 * (i + 1) / len(colours[:4]):.0f}%"
            for i, colour in enumerate(colours[:4])
        )
        items.append(
            {
                "mark": "area",
                "text": "规划布局（按行业着色） Plan entries, by sector colour",
                "style": f"background: linear-gradient(90deg, {stops})",
            }
        )
    if any(entity["kind"] == "city_group" for entity in drawn):
        items.append({"mark": "group", "text": "城市群 City group"})
    if any(entity["kind"] == "corridor" for entity in drawn):
        items.append({"mark": "corridor", "text": "产业走廊（节点城市） Corridor and its cities"})
    if any(entity.get("province_wide") for entity in entities):
        items.append({"mark": "none", "text": "全省性条目不绘出 Province-wide entries are listed, not drawn"})
    return items


# --- rendering -----------------------------------------------------------------------------------------


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def _refuse_fetch(url: str, *args: object, **kwargs: object) -> dict[str, Any]:
    """The brief is self-contained: it fetches nothing (no file, no network), whatever its text says."""
    raise ValueError(f"the brief fetches nothing ({url[:80]})")


@cache
def _check_cjk_font() -> None:
    """Refuse to make a brief whose Chinese would print as empty boxes: fontconfig must know a font for
    Chinese. Checked once per process, where fontconfig's own tool is installed (it is with Pango)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return
    found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    if not found.strip():
        raise BriefError(
            "没有可用的中文字体，无法生成简报。No font for Chinese is installed: install Debian's fonts-noto-cjk "
            "(bash scripts/setup.sh does)."
        )
