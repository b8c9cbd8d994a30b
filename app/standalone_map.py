"""``atlas map``: one self-contained HTML file, for e-mailing a map to a leader who opens it from disk.

The file is the page's own map, not a copy of it. It holds the page's ES modules (web/static/js: the
symbology of map.js and palette.js, the labels, the legend, the corridor stops, the profiles with the
plans' words) and the vendored Leaflet, and it hands them the answers the page would fetch from the API,
embedded as JSON (web/static/js/standalone.js answers the page's requests from them: api.js). So a change
to the page's symbology changes this file too, and nothing here restates a style.

The answers are made without a store, from the validated data, by the functions the store's load uses
(app.entities.entity_properties, app.citation, app.generalise, app.store.load.unit_properties), with the
outlines of the smallest zoom band (z7) so that the whole atlas stays well under 1 MB. folium (branca's
``Figure``, which folium renders every map with) assembles the HTML document; its ``Map`` is not used,
because its layers would be styled in Python: a second definition of the symbology.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import folium
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from app.admin_units import AdminUnit, Level
from app.catalogue import Entity, Kind, Status
from app.citation import plan_citation
from app.entities import GROUP_KINDS, entity_members, entity_properties, has_route, places_holding, route
from app.errors import AtlasError
from app.generalise import BANDS, dissolve, label_point, simplify_units
from app.layers import map_layers
from app.palette import sector_colours
from app.store.load import unit_properties
from app.text_search import did_you_mean
from app.validation import ValidData

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
VENDOR = STATIC / "vendor"
ENTRY = "js/standalone.js"
SCRIPTS = ("leaflet/leaflet.js", "leaflet-polylinedecorator/leaflet.polylineDecorator.js")
STYLES = (VENDOR / "leaflet" / "leaflet.css", STATIC / "atlas.css", STATIC / "css" / "standalone.css")
BAND = BANDS[0]  # the page's first view: outlines simplified for zooms up to 7
LANGS = ("zh", "en")
# Kinds whose members hold a place rather than lie in it (app.store.conditions.GROUP_KINDS).
_IMPORT = re.compile(r'(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)"(\.{1,2}/[^"]+)"')


class MapError(AtlasError, ValueError):
    """The map cannot be made as asked (an unknown sector, place or plan); the message is bilingual."""


@dataclass(frozen=True)
class MapFilters:
    """What the map shows, as the page's filters say it: a sector (with its sub-sectors), kinds, a plan
    year, a status, and a place (adcode: what lies there and the groups holding it, the place rule)."""

    sector: str | None = None
    kinds: tuple[Kind, ...] = ()
    plan: int | None = None
    status: Status | None = None
    place: int | None = None


def parse_filters(
    data: ValidData,
    sector: str | None = None,
    kinds: Sequence[Kind] | None = None,
    plan: str | None = None,
    status: Status | None = None,
    place: str | None = None,
) -> MapFilters:
    """The filters as given on the command line, checked against the data; :class:`MapError` names what
    was wrong and what is allowed. ``plan`` is a year or a plan id; ``place`` an adcode or a place name
    (中文, English or pinyin, as the gazetteer knows it)."""
    catalogue = data.catalogue
    if sector is not None and sector not in {s.id for s in catalogue.sectors}:
        hint = did_you_mean(sector, [s.id for s in catalogue.sectors], 60)
        raise MapError(f"未知行业 unknown sector {sector!r}{hint}")
    year = None
    if plan is not None:
        by_id = {p.id: p.year for p in catalogue.plans}
        years = {p.year for p in catalogue.plans}
        if plan in by_id:
            year = by_id[plan]
        elif plan.isascii() and plan.isdigit() and int(plan) in years:
            year = int(plan)
        else:
            known = ", ".join([*map(str, sorted(years)), *sorted(by_id)])
            raise MapError(f"未知规划 unknown plan {plan!r}; 可选 allowed: {known}")
    adcode = None
    if place is not None:
        unit = _place(data, place)
        adcode = unit.adcode
    return MapFilters(sector, tuple(dict.fromkeys(kinds or ())), year, status, adcode)


def _place(data: ValidData, text: str) -> AdminUnit:
    unit = data.units.get(int(text)) if text.isascii() and text.isdigit() and len(text) <= 6 else None
    unit = unit or data.gazetteer.resolve(text)
    if unit is None:
        near = "、".join(unit.label for unit in data.gazetteer.suggest(text))
        hint = f"; 你是不是要找 did you mean: {near}" if near else ""
        raise MapError(f"未知地区 unknown place {text!r}{hint}")
    return unit


def build_map(
    data: ValidData,
    sector: str | None = None,
    kinds: Sequence[Kind] | None = None,
    *,
    filters: MapFilters | None = None,
    lang: str = "zh",
    approval_number: str = "",
    made: date | None = None,
) -> str:
    """The HTML of the map of the entities the filters show (``sector`` and ``kinds`` are a shorthand for
    ``filters``), in ``lang`` (zh or en: the reader can switch), with the 审图号 line when
    ``approval_number`` is given and ``made`` (default today) as its date."""
    if lang not in LANGS:
        raise MapError(f"未知语言 unknown language {lang!r}; 可选 allowed: {', '.join(LANGS)}")
    if filters is None:
        filters = parse_filters(data, sector, kinds)
    book = answer_book(data, filters)
    book["config"] |= {"approval_number": approval_number, "lang": lang}
    book["made"] = (made or date.today()).isoformat()
    return _document(book, lang)


# --- the answers the page would fetch -----------------------------------------------------------------


def shown_entities(data: ValidData, filters: MapFilters) -> list[Entity]:
    """The entities the filters show, in catalogue order (the page's rule, visibility.js, and the place
    rule of the API's ``place`` filter)."""
    wanted = set(data.catalogue.sector_descendants(filters.sector)) if filters.sector else None
    here = {entity.id for entity in entities_at(data, filters.place)} if filters.place is not None else None
    return [
        entity
        for entity in data.catalogue.entities
        if (not filters.kinds or entity.kind in filters.kinds)
        and (wanted is None or not wanted.isdisjoint(entity.sectors))
        and (filters.plan is None or filters.plan in entity.plan_years())
        and (filters.status is None or entity.status is filters.status)
        and (here is None or entity.id in here)
    ]


def entities_at(data: ValidData, adcode: int) -> list[Entity]:
    """The place rule without a store (app.store.conditions.at_place says it in SQL): the entities with a
    member within the place (a prefecture holds its counties, the province everything), and the groups
    (city groups, corridors) with a member that holds it (a county is in its prefecture's groups)."""
    holders = {unit.parent_adcode for unit in data.units if unit.adcode == adcode and unit.level is Level.county}
    found = []
    for entity in data.catalogue.entities:
        within = adcode in places_holding(data, entity)
        grouped = entity.kind in GROUP_KINDS and not holders.isdisjoint(data.members[entity.id])
        if within or grouped:
            found.append(entity)
    return found


def _feature(geometry: BaseGeometry, properties: dict[str, Any], feature_id: str | int) -> dict[str, Any]:
    return {"type": "Feature", "id": feature_id, "geometry": _compact(geometry), "properties": properties}


def _compact(geometry: BaseGeometry) -> dict[str, Any]:
    """GeoJSON of an outline in less than half the bytes: every ring as integers of the band's precision
    (about a pixel at zoom 7), each point as its step from the one before (standalone.js reads it back,
    ``delta``); lines as they are (a corridor has a few points)."""
    shape = mapping(geometry)
    if shape["type"] not in ("Polygon", "MultiPolygon"):
        return shape
    scale = 10**BAND.decimals

    def ring(points: Any) -> list[int]:
        steps: list[int] = []
        last = (0, 0)
        for x, y, *_ in points:
            here = (round(x * scale), round(y * scale))
            steps += [here[0] - last[0], here[1] - last[1]]
            last = here
        return steps

    polygons = [shape["coordinates"]] if shape["type"] == "Polygon" else shape["coordinates"]
    rings = [[ring(points) for points in polygon] for polygon in polygons]
    return {"type": shape["type"], "delta": rings[0] if shape["type"] == "Polygon" else rings, "scale": scale}


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def answer_book(data: ValidData, filters: MapFilters) -> dict[str, Any]:
    """What the page would fetch for this map, as one JSON-able mapping: the plans, the sector tree, the
    places, the drawn layers (outlines of the z7 band), every shown entity with its quotes, and every
    place's profile as entity ids (web/static/js/standalone.js answers the page's requests from it)."""
    catalogue = data.catalogue
    shown = shown_entities(data, filters)
    outlines = simplify_units(data.units, BAND)
    places = [unit_properties(unit) for unit in data.units]
    boundaries = {
        level.value: _collection(
            [
                _feature(outlines[unit.key], unit_properties(unit) | _label(unit), unit.adcode)
                for unit in data.units.at_level(level)
            ]
        )
        for level in (Level.prefecture, Level.county)
    }
    entities: dict[str, dict[str, Any]] = {}
    footprints, routes = [], []
    for entity in shown:
        properties = entity_properties(data, entity)
        members = entity_members(data, entity)
        for ref in properties["plan_refs"]:
            del ref["citation"]  # once per plan in "plans"; standalone.js cites each quote with it
        entities[entity.id] = properties | {
            "member_places": [
                {key: getattr(unit, key) for key in ("adcode", "name_zh", "name_en")} | {"level": unit.level.value}
                for unit in members
            ],
            "sector_names": [_sector_name(data, sector) for sector in entity.sectors],
        }
        drawn = {key: value for key, value in properties.items() if key not in ("plan_refs", "note")}
        if len(members) == 1:
            # The footprint of one place is that place's outline, which the file holds already: named, not
            # repeated (standalone.js puts it back), or the outlines of Wuhan's 18 entries fill the file.
            footprints.append({"type": "Feature", "id": entity.id, "geometry": None, "properties": drawn})
            footprints[-1]["outline_of"] = members[0].adcode
        else:
            footprints.append(_feature(dissolve([outlines[unit.key] for unit in members], BAND), drawn, entity.id))
        if has_route(entity):
            routes.append(_feature(route(members), drawn, entity.id))
    shown_ids = set(entities)
    profiles = {}
    for unit in data.units:
        if unit.level is Level.province or unit.adcode in profiles:
            continue
        here = [entity for entity in entities_at(data, unit.adcode) if entity.id in shown_ids]
        sector_ids = dict.fromkeys(s for e in here if e.kind not in GROUP_KINDS for s in e.sectors)
        profiles[unit.adcode] = {
            "entities": [e.id for e in here if e.kind not in GROUP_KINDS],
            "groups": [e.id for e in here if e.kind in GROUP_KINDS],
            "sectors": [_sector_name(data, sector) for sector in sector_ids],
        }
    return {
        "config": {
            "layers": [layer.id for layer in map_layers()],
            # One band for every zoom: the file holds one generalisation (bands.js asks for it at any zoom).
            "bands": [{"name": BAND.name, "max_zoom": 22}],
            "basemaps": [],
        },
        "filters": {
            "sector": filters.sector or "",
            "kinds": [kind.value for kind in filters.kinds],
            "plan": str(filters.plan) if filters.plan else "",
            "status": filters.status.value if filters.status else "",
            "place": filters.place,
        },
        "plans": [_plan(plan) for plan in sorted(catalogue.plans, key=lambda p: (-p.year, p.id))],
        "sectors": _sector_tree(data),
        "places": places,
        "layers": {
            "prefectures": boundaries["prefecture"],
            "counties": boundaries["county"],
            "clusters": _collection(footprints),
            "corridors": _collection(routes),
        },
        "entities": entities,
        "profiles": profiles,
        # The outline a province-wide entry's profile shows (such entries are listed, not drawn).
        "province": _collection(
            [
                _feature(outlines[unit.key], unit_properties(unit), unit.adcode)
                for unit in data.units.at_level(Level.province)
            ]
        ),
    }


def _label(unit: AdminUnit) -> dict[str, float]:
    lon, lat = label_point(unit.geometry)
    return {"label_lon": lon, "label_lat": lat}


def _sector_name(data: ValidData, sector_id: str) -> dict[str, Any]:
    sector = data.catalogue.sector(sector_id)
    return {"id": sector.id, "name_zh": sector.name_zh, "name_en": sector.name_en, "parent_id": sector.parent}


def _plan(plan: Any) -> dict[str, Any]:
    record = plan.model_dump(mode="json", exclude={"file"})
    return record | {"citation": plan_citation(plan.model_dump())}


def _sector_tree(data: ValidData) -> list[dict[str, Any]]:
    """The sector tree as /api/sectors gives it (app.store.browse.sector_tree): names, colour, descendants,
    children; the counts are those of the whole catalogue."""
    catalogue = data.catalogue
    colours = sector_colours(catalogue)
    nodes: dict[str, dict[str, Any]] = {}
    roots = []
    for sector in catalogue.sectors:
        descendants = catalogue.sector_descendants(sector.id)
        node = {
            "id": sector.id,
            "name_zh": sector.name_zh,
            "name_en": sector.name_en,
            "plan_id": sector.plan_refs[0].plan,
            "entity_count": sum(1 for e in catalogue.entities if not set(descendants).isdisjoint(e.sectors)),
            "colour": colours[sector.id],
            "descendants": descendants,
            "children": [],
        }
        nodes[sector.id] = node
        (nodes[sector.parent]["children"] if sector.parent else roots).append(node)
    return roots


# --- the document -------------------------------------------------------------------------------------


def page_modules() -> dict[str, str]:
    """The page's modules the standalone entry needs, by path under web/static (``js/map.js``), each with
    its relative imports rewritten to ``atlas:PATH`` so that standalone.js can link them as blob URLs."""
    found: dict[str, str] = {}
    pending = [ENTRY]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        source = (STATIC / name).read_text(encoding="utf-8")

        def link(match: re.Match[str], base: str = posixpath.dirname(name)) -> str:
            target = posixpath.normpath(posixpath.join(base, match[2]))
            pending.append(target)
            return f'{match[1]}"atlas:{target}"'

        found[name] = _IMPORT.sub(link, source)
    return found


def _json_for_script(value: Any) -> str:
    """JSON safe inside a <script> element: no ``</`` can close it early, no ``<!--`` open an HTML comment
    (both escaped as JSON allows, so the parsed value is unchanged)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


TEMPLATE = STATIC.parent / "templates" / "index.html"


def print_sheet() -> str:
    """The page's printed side column (web/templates/index.html, #print-sheet), which print.js fills: the
    file prints as the page does, one A4 page with the title, filters, legend, sources, 审图号 and date."""
    template = TEMPLATE.read_text(encoding="utf-8")
    start = template.index('<div id="print-sheet"')
    depth, at = 0, start
    for tag in re.finditer(r"<(/?)div\b", template[start:]):
        depth += -1 if tag[1] else 1
        at = start + tag.end()
        if depth == 0:
            break
    return template[start : template.index(">", at) + 1]


BODY = """
<main id="map" data-i18n-aria-label="mapLabel"></main>
<aside id="panel" class="standalone-panel" hidden>
  <button id="close-profile" type="button" class="close-profile" data-i18n-aria-label="close">×</button>
  <section id="browse" hidden></section>
  <section id="profile" hidden aria-live="polite">
    <button id="back" type="button" class="link back" hidden></button>
    <div id="profile-body"></div>
  </section>
</aside>
"""

# Links the modules (dependencies first, each once, as the page's browser would) and starts the entry.
LOADER = """
const modules = JSON.parse(document.getElementById("atlas-modules").textContent);
const urls = new Map();
const link = (name) => {
  if (urls.has(name)) return urls.get(name);
  urls.set(name, null);
  const source = modules[name].replace(/"atlas:([^"]+)"/g, (_, dep) => JSON.stringify(link(dep)));
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  urls.set(name, url);
  return url;
};
import(link(%s));
"""


def _document(book: dict[str, Any], lang: str) -> str:
    figure = folium.Figure()
    title = "湖北装备制造产业集群地图 · Hubei Cluster Atlas"
    header = figure.header
    header.add_child(folium.Element('<meta name="viewport" content="width=device-width, initial-scale=1">'))
    header.add_child(folium.Element(f"<title>{title}</title>"))
    styles = "\n".join(path.read_text(encoding="utf-8") for path in STYLES)
    header.add_child(folium.Element(f"<style>{styles}</style>"))
    for script in SCRIPTS:
        header.add_child(folium.Element(f"<script>{(VENDOR / script).read_text(encoding='utf-8')}</script>"))
    figure.html.add_child(folium.Element(print_sheet() + BODY))
    figure.html.add_child(
        folium.Element(f'<script id="atlas-data" type="application/json">{_json_for_script(book)}</script>')
    )
    figure.html.add_child(
        folium.Element(
            f'<script id="atlas-modules" type="application/json">{_json_for_script(page_modules())}</script>'
        )
    )
    figure.html.add_child(folium.Element(f'<script type="module">{LOADER % json.dumps(ENTRY)}</script>'))
    page = figure.render()
    page = page.replace("<html>", f'<html lang="{"en" if lang == "en" else "zh-CN"}">', 1)
    page = page.replace(
        '<meta http-equiv="content-type" content="text/html; charset=UTF-8" />', '<meta charset="utf-8">', 1
    )
    external = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="((?:https?:)?//[^"]+)"', page)
    if external:
        raise MapError(f"地图会联网加载 the map would load {external[0]} from the network")
    return page
