"""``/preview/proposals``: the proposed layer of a review server (``atlas serve --preview PROPOSALS``).

The router is included only when ``ATLAS_PREVIEW_PROPOSALS`` is set (api.factory), so the public atlas has
no such route at all: it answers 404 like any unknown path, and its OpenAPI document never names it.

Why the path is not under /api: every GET under /api (and /ogc, /downloads, …) goes through the read cache
(api.middleware.CachedReads), which keys a response by the store's version and marks it public for
minutes. The proposals change with every decision of ``atlas review`` while the store does not, so a cached
answer would show the reviewer a stale layer, and a public Cache-Control would let proxies keep it. The
cache is per process and a preview server is a process of its own, started with the setting, so a public
request could never have been answered from it anyway; keeping the route outside the cached prefixes, with
``no-store``, makes the layer follow the file as the review changes it.
"""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.routers.common import only_declared_parameters
from app.admin_units import AdminUnits
from app.gazetteer import Gazetteer
from app.ingest.preview import proposal_features
from app.ingest.proposals import ProposalsError, read_proposals
from app.settings import Settings

PATH = "/preview/proposals"
_NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter(include_in_schema=False, dependencies=[Depends(only_declared_parameters)])


class ProposedLayer:
    """The proposals file as GeoJSON, made again only when the file changes (its modification time and size)."""

    def __init__(self, settings: Settings) -> None:
        assert settings.preview_proposals is not None
        self.path: Path = settings.preview_proposals
        self.boundaries = settings.boundaries_dir
        self.lock = threading.Lock()
        self.made: tuple[tuple[int, int], dict[str, Any]] | None = None

    @cached_property
    def gazetteer(self) -> Gazetteer:
        """Places for the proposals' members, read once per process (boundaries change only with a load)."""
        return Gazetteer(AdminUnits.load(self.boundaries))

    def collection(self) -> dict[str, Any]:
        """The current layer; raises ProposalsError when the file cannot be read or is not a proposals file."""
        with self.lock:
            try:
                stat = self.path.stat()
            except OSError as exc:
                raise ProposalsError(f"{self.path}: cannot be read ({exc.strerror or exc})") from exc
            version = (stat.st_mtime_ns, stat.st_size)
            if self.made is None or self.made[0] != version:
                self.made = (version, proposal_features(read_proposals(self.path), self.gazetteer))
            return self.made[1]


@router.get(PATH)
async def proposals(request: Request) -> JSONResponse:
    """The proposals of the file under review, with their footprints, quotes in context and decisions."""
    layer: ProposedLayer = request.app.state.proposed_layer
    try:
        body = await anyio.to_thread.run_sync(layer.collection)
    except ProposalsError as exc:  # a file mid-edit by hand: the page says so, the server stays up
        return JSONResponse({"detail": str(exc)}, status_code=409, headers=_NO_STORE)
    return JSONResponse(body, media_type="application/geo+json", headers=_NO_STORE)


def install(app: Any, settings: Settings) -> None:
    """Add the proposed layer to a review server's ``app`` (only when ``settings`` names a proposals file)."""
    if settings.preview_proposals is None:
        return
    app.state.proposed_layer = ProposedLayer(settings)
    app.include_router(router)
