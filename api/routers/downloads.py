"""``/downloads/{layer}.{format}``: whole layers as files, with the same filters as the feature API."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.dependencies import CrsParam, StoreDep
from api.limits import limits
from app import download_names, query
from app.files import FileFormat, layer_file, parse_file_options, suggestion
from app.layers import LAYERS, names
from app.store import features
from app.store.published import NotFound

router = APIRouter(prefix="/downloads", tags=["下载 Downloads"])

_NAME = re.compile(rf"^({'|'.join(LAYERS)})\.({'|'.join(FileFormat)})$")
_PARAMETERS = {"bbox", "crs", "lang", "geometry"}
_NEAR_MISS = re.compile(rf"^({'|'.join(LAYERS)})\.([A-Za-z]+)$")


@router.get(
    "/{filename}",
    summary="Download a layer",
    responses={
        200: {"content": {media: {} for media in ("application/geo+json", "application/zip", "text/csv")}},
        503: {"description": "Busy building other files: try again after Retry-After seconds."},
    },
)
async def download(
    request: Request,
    store: StoreDep,
    filename: Annotated[
        str,
        Path(
            description=f"LAYER.FORMAT — layers: {names()}; formats: {', '.join(FileFormat)}.",
            max_length=40,
            json_schema_extra={"enum": [f"{layer}.{suffix}" for layer in LAYERS for suffix in FileFormat]},
        ),
    ],
    crs: CrsParam = "wgs84",
    bbox: Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat", max_length=200)] = None,
    lang: Annotated[
        str | None, Query(description="zh (default) or en: headers and words of csv and xlsx, names in kml")
    ] = None,
    geometry: Annotated[
        str | None,
        Query(
            description="csv, xlsx: point (default: point_lon, point_lat) or wkt (whole geometry; refused with "
            "400 where a WKT exceeds Excel's 32,767 characters per cell)"
        ),
    ] = None,
) -> Response:
    """Any layer of the atlas as a file: geojson, gpkg, zip (Shapefile with a UTF-8 .cpg), csv (UTF-8 with
    BOM), xlsx or kml. Entity layers take sector, kind, plan, status, place and q as in `/api/clusters`."""
    match = _NAME.match(filename)
    if match is None:
        near = _NEAR_MISS.match(filename)
        if near and (real := suggestion(near[1], near[2])):
            raise NotFound(
                f"没有 {filename}，请下载 /downloads/{real} · No download {filename!r}: ask for /downloads/{real}."
            )
        raise NotFound(f"No download {filename!r}: ask for LAYER.FORMAT with a layer of {names()}.")
    target, file_format = features.collection(match[1]), FileFormat(match[2])
    # The request's snapshot holds the store's vocabulary: a bad request is refused before it takes a slot.
    filters = query.parse_collection_query(
        store.info(), target.layer.filters, request.query_params, _PARAMETERS, f"{target.id} downloads take"
    )
    boxes = query.parse_bbox(bbox) if bbox else None
    options = parse_file_options(file_format, lang, geometry)

    def build() -> Response:
        rendered = layer_file(store, target.id, file_format, filters, boxes, gcj02=crs == "gcj02", options=options)
        # The name says what is inside (filters, place in pinyin), for every client alike.
        place = download_names.place_slug(store, filters.place) if filters.place else None
        filename = download_names.download_name(
            target.id, file_format.value, filters, place, bbox=boxes is not None, gcj02=crs == "gcj02"
        )
        disposition = f'attachment; filename="{filename}"'
        return Response(rendered.content, media_type=rendered.media_type, headers={"Content-Disposition": disposition})

    # Writing files is CPU, memory and disk work: off the event loop, and a few at a time.
    return await limits(request).downloads.run(build)
