"""Optional tile layers under the atlas's own boundaries.

Only WGS 84-registered tiles are offered (OpenStreetMap; Tianditu, whose CGCS2000 is within centimetres
of WGS 84): Amap and Tencent tiles are GCJ-02 and would sit ~500 m off the data, so they are not
options at all.
"""

from __future__ import annotations

from typing import Any

from app.settings import Settings

_TIANDITU = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)


def basemaps(settings: Settings) -> list[dict[str, Any]]:
    """Tile layers for the page (empty by default: the atlas needs no network)."""
    if settings.basemap == "osm":
        return [
            {
                "id": "osm",
                "name_zh": "开放街道地图",
                "name_en": "OpenStreetMap",
                "urls": ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"],
                "subdomains": "",
                "attribution": "© OpenStreetMap contributors",
            }
        ]
    if settings.basemap == "tianditu" and settings.tianditu_key:
        return [
            {
                "id": "tianditu",
                "name_zh": "天地图",
                "name_en": "Tianditu",
                "urls": [_TIANDITU.format(s="{s}", layer=layer, key=settings.tianditu_key) for layer in ("vec", "cva")],
                "subdomains": "01234567",
                "attribution": "© 天地图 Tianditu",
            }
        ]
    return []
