"""``/healthz``: whether the atlas can answer, and its data version."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.limits import limits
from api.models import Health
from app.store.location import StoreUnavailable
from app.store.published import Store

router = APIRouter(tags=["运维 Operations"])

# A store that takes longer than this to say what it holds counts as unavailable.
CHECK_SECONDS = 5.0
_NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
async def healthz(request: Request) -> JSONResponse:
    """200 with the data version when the store answers, 503 when it does not. The backend, the store's
    location and the scope are shown only with `ATLAS_HEALTH_DETAILS=true`."""
    # Async and without the StoreDep dependency (a sync dependency takes a thread of the shared pool):
    # health must answer at once while tiles and downloads keep every other thread busy.
    store: Store = request.app.state.store
    info = store.info_if_fresh()  # no I/O within a second of the last look
    if info is None:
        try:
            with anyio.fail_after(CHECK_SECONDS):
                # Its own single thread: never queued behind the default pool or the expensive jobs.
                info = await anyio.to_thread.run_sync(
                    store.info, limiter=limits(request).health, abandon_on_cancel=True
                )
        except (StoreUnavailable, TimeoutError):
            info = None
    body: dict[str, Any] = {
        "status": "ok" if info else "unavailable",
        "data_version": info.data_version if info else None,
        "loaded_at": info.loaded_at if info else None,
    }
    if request.app.state.settings.health_details:
        body |= {"backend": store.backend, "store": store.location.describe(), "scope": info.scope if info else None}
    return JSONResponse(body, status_code=200 if info else 503, headers=_NO_STORE)
