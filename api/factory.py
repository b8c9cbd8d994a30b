"""The FastAPI application: routers over the core, error handlers and HTTP manners."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api import errors
from api.limits import Limits
from api.middleware import CachedReads, CollapseSlashes, HeadAsGet, SecurityHeaders
from api.routers import briefs, compare, downloads, health, map_page, matrix, ogc, people, share, targets, tiles, web
from api.routers.common import only_declared_parameters, public_url
from api.routers.preview import install as install_preview
from app import __version__
from app.runtime import prepare
from app.settings import Settings
from app.store.published import Store

TITLE = "湖北装备制造产业集群地图 Hubei Cluster Atlas"
CACHED_PREFIXES = ("/api", "/ogc", "/downloads", "/briefs", "/tiles")


# Expensive work (tiles, downloads) runs in threads that hold the GIL for long stretches; with Python's
# default 5 ms switch interval the event loop, which answers /healthz and every cached read, queues
# behind each of them in turn. A shorter interval hands it the GIL back sooner.
GIL_SWITCH_INTERVAL = 0.001


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new application on the store ``settings`` names (the environment's, by default)."""
    prepare()
    settings = settings or Settings()
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    store = Store(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # A thread of its own keeps the store's snapshot current: requests and /healthz never wait on it.
        await anyio.to_thread.run_sync(store.watch)
        yield
        await anyio.to_thread.run_sync(store.close)

    app = FastAPI(
        title=TITLE,
        version=__version__,
        description="The clusters, corridors, city groups, bases and platforms of Hubei's equipment-manufacturing "
        "plans on Tianditu boundaries: JSON for people (`/api`), OGC API – Features for GIS software (`/ogc`), "
        "and file downloads (`/downloads`).",
        lifespan=lifespan,
        docs_url=None,  # served below from local files: FastAPI's default loads Swagger UI from a CDN
        redoc_url=None,
    )
    app.state.settings, app.state.store = settings, store
    app.state.limits = Limits.from_settings(settings)
    errors.install(app)
    for module in (people, compare, matrix, targets, share, map_page, ogc, downloads, briefs, tiles, health, web):
        app.include_router(module.router)
    install_preview(app, settings)  # a review server's proposed layer; the public atlas has no such route
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{TITLE} — API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/api", tags=["运维 Operations"], summary="Index", dependencies=[Depends(only_declared_parameters)])
    def index(request: Request) -> dict[str, Any]:
        """Where everything is."""
        base = public_url(request)
        return {
            "title": TITLE,
            "links": {
                "map": f"{base}/",
                "api_docs": f"{base}/docs",
                "people_api": f"{base}/api/clusters",
                "ogc_api_features": f"{base}/ogc",
                "downloads": f"{base}/downloads/clusters.geojson",
                "health": f"{base}/healthz",
            },
        }

    # Added innermost first. The read cache sits outside gzip and the security headers, so that a hit
    # replays the compressed bytes with every header in one step; HEAD and path clean-up come first.
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        CachedReads,
        store=lambda: store,
        prefixes=CACHED_PREFIXES,
        max_age=settings.cache_max_age,
        max_bytes=settings.response_cache_mb * 1024 * 1024,
        max_entries=settings.response_cache_entries,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "HEAD", "OPTIONS"]
        )
    app.add_middleware(HeadAsGet)
    app.add_middleware(CollapseSlashes)
    return app
