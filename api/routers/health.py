"""``/healthz``: whether the atlas can answer, with its backend and data version."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.dependencies import StoreDep
from api.models import Health
from app.store.location import StoreUnavailable

router = APIRouter(tags=["运维 Operations"])


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
def healthz(store: StoreDep) -> dict | JSONResponse:
    """200 with the data version when the store answers, 503 when it does not."""
    base = {"backend": store.backend, "store": store.location.describe()}
    try:
        info = store.info()
    except StoreUnavailable:
        body = base | {"status": "unavailable", "data_version": None, "loaded_at": None, "scope": None}
        return JSONResponse(body, status_code=503, headers={"Cache-Control": "no-store"})
    return base | {
        "status": "ok",
        "data_version": info.data_version,
        "loaded_at": info.loaded_at,
        "scope": info.scope,
    }
