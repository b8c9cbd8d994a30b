"""``atlas map``: one self-contained HTML file (folium), for e-mailing a map to a leader.

Folium links Leaflet, jQuery and Bootstrap from CDNs; this map needs only Leaflet and jQuery (folium
builds its popups with it), which are inlined from the vendored copies, so the file opens from disk
with no network at all.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

import folium

from app.admin_units import Level
from app.catalogue import Entity, Kind
from app.entities import entity_members, entity_properties, footprint, has_route, route
from app.errors import AtlasError
from app.validation import ValidData

VENDOR = Path(__file__).resolve().parent.parent / "web" / "static" / "vendor"
KIND_NAMES = {
    Kind.cluster: "产业集群 Cluster",
    Kind.corridor: "产业走廊 Corridor",
    Kind.city_group: "城市群 City group",
    Kind.specialisation: "城市特色产业 City specialisation",
    Kind.base: "基地与园区 Base or park",
    Kind.platform: "平台与实验室 Platform or lab",
}


class MapError(AtlasError, ValueError):
    """The map cannot be made as asked (e.g. an unknown sector)."""


def _popup(data: ValidData, entity: Entity) -> str:
    plans = {plan.id: plan for plan in data.catalogue.plans}
    places = "、".join(member.name_zh for member in entity_members(data, entity))
    sectors = "; ".join(
        f"{data.catalogue.sector(s).name_zh} {data.catalogue.sector(s).name_en}" for s in entity.sectors
    )
    quotes = "".join(
        f'<blockquote style="margin:6px 0;padding:4px 8px;border-left:3px solid #0b4f9c;background:#f2f5f9">'
        f"“{html.escape(ref.quote)}”<br><small><b>{html.escape(plans[ref.plan].title_zh)}</b> · "
        f"{html.escape(ref.section)}</small></blockquote>"
        for ref in entity.plan_refs
    )
    note = f"<p><small>{html.escape(entity.note)}</small></p>" if entity.note else ""
    return (
        f'<div style="max-width:360px;font-size:13px"><h3 style="margin:0">{html.escape(entity.name_zh)}</h3>'
        f"<div>{html.escape(entity.name_en)}</div><p>{KIND_NAMES[entity.kind]} · {entity.status.value} · "
        f"{entity.confidence.value}</p><p>{html.escape(places)}<br>{html.escape(sectors)}</p>{note}{quotes}</div>"
    )


def build_map(data: ValidData, sector: str | None = None, kinds: Sequence[Kind] | None = None) -> str:
    """The HTML of a map of the entities matching ``sector`` (with its sub-sectors) and ``kinds``, drawn
    from the properties the store publishes (app.entities.entity_properties): no store is needed."""
    if sector is not None and sector not in {s.id for s in data.catalogue.sectors}:
        raise MapError(f"unknown sector {sector!r}")
    wanted = set(data.catalogue.sector_descendants(sector)) if sector else None
    figure = folium.Map(location=[30.95, 112.3], zoom_start=7, tiles=None, control_scale=True)
    figure.default_js = [("leaflet", "leaflet/leaflet.js"), ("jquery", "jquery/jquery.min.js")]
    figure.default_css = [("leaflet_css", "leaflet/leaflet.css")]
    prefectures = data.units.layer(Level.prefecture)
    folium.GeoJson(
        prefectures.to_json(drop_id=True),
        name="市州 Prefectures",
        style_function=lambda _feature: {"color": "#3a3a3a", "weight": 1, "fillOpacity": 0},
        tooltip=folium.GeoJsonTooltip(fields=["name_zh", "name_en"], labels=False),
    ).add_to(figure)
    for entity in data.catalogue.entities:
        if kinds and entity.kind not in kinds:
            continue
        if wanted is not None and wanted.isdisjoint(entity.sectors):
            continue
        properties = entity_properties(data, entity)
        if properties["province_wide"]:
            continue  # the plan names no place: nothing to draw
        members = entity_members(data, entity)
        colour = properties["colour"]
        popup = folium.Popup(_popup(data, entity), max_width=380)
        tooltip = f"{entity.name_zh} {entity.name_en}"
        if has_route(entity):
            line = route(members)
            folium.PolyLine(
                [(y, x) for x, y in line.coords], color=colour, weight=5, popup=popup, tooltip=tooltip
            ).add_to(figure)
        elif entity.kind in (Kind.base, Kind.platform):
            for member in members:
                folium.CircleMarker(
                    (member.seat.y, member.seat.x), radius=7, color="#ffffff", fill_color=colour, fill_opacity=1,
                    popup=folium.Popup(_popup(data, entity), max_width=380), tooltip=tooltip,
                ).add_to(figure)  # fmt: skip
        else:
            outline = entity.kind is Kind.city_group
            style = {"color": colour, "weight": 3 if outline else 1.5, "fillColor": colour}
            style |= {"fillOpacity": 0, "dashArray": "8 6"} if outline else {"fillOpacity": 0.3}
            folium.GeoJson(
                footprint(members).__geo_interface__, style_function=lambda _feature, s=style: s, popup=popup,
                tooltip=tooltip,
            ).add_to(figure)  # fmt: skip
    title = html.escape("湖北装备制造产业集群地图 Hubei Cluster Atlas")
    figure.get_root().header.add_child(folium.Element(f"<title>{title}</title>"))
    sources = (
        "边界：天地图标准地图 Boundaries: Tianditu standard map · 规划 Plans: 湖北省装备制造业“十四五”发展规划 (2021)；"
        "加快全省智能制造装备产业发展行动方案 (2014)"
    )
    figure.get_root().html.add_child(
        folium.Element(
            f'<div style="position:fixed;top:8px;left:50px;z-index:1000;background:#fff;padding:6px 10px;'
            f'border-radius:6px;font:14px sans-serif;box-shadow:0 1px 4px #0004"><b>{title}</b>'
            f'<div style="font-size:11px;color:#4a5360">{html.escape(sources)}</div></div>'
        )
    )
    return _inline_assets(figure.get_root().render())


def _inline_assets(page: str) -> str:
    def script(match: re.Match[str]) -> str:
        return f"<script>{(VENDOR / match[1]).read_text(encoding='utf-8')}</script>"

    def style(match: re.Match[str]) -> str:
        return f"<style>{(VENDOR / match[1]).read_text(encoding='utf-8')}</style>"

    page = re.sub(r'<script src="((?:leaflet|jquery)/[\w.]+\.js)"></script>', script, page)
    page = re.sub(r'<link rel="stylesheet" href="(leaflet/[\w.]+\.css)"\s*/?>', style, page)
    external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?:[^"]+)"', page)
    if external:
        raise MapError(f"the map would load {external[0]} from the network")
    return page
