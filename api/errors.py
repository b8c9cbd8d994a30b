"""Errors as JSON ``{"code", "description"}`` (the OGC exception shape), never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from app.store.location import StoreUnavailable
from app.store.store import InvalidParameter, NotFound

log = logging.getLogger("atlas.api")

CODES = {400: "InvalidParameterValue", 404: "NotFound", 405: "MethodNotAllowed", 503: "ServiceUnavailable"}


def error_response(status: int, description: str) -> JSONResponse:
    """The JSON body every error of the atlas has."""
    return JSONResponse(
        {"code": CODES.get(status, "Error"), "description": description},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def install(app: FastAPI) -> None:
    """Register the handlers: bad input is 400 (not FastAPI's 422), unknown things 404, a store that is
    down 503, anything else 500 with no detail."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"][1:]) or str(error["loc"][0])
            parts.append(f"{name}: {error['msg']}")
        return error_response(400, "; ".join(parts))

    @app.exception_handler(InvalidParameter)
    async def invalid_parameter(request: Request, exc: InvalidParameter) -> JSONResponse:
        return error_response(400, str(exc))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return error_response(404, str(exc))

    @app.exception_handler(StoreUnavailable)
    @app.exception_handler(OperationalError)  # the database went away in the middle of a request
    @app.exception_handler(PoolTimeout)  # every pooled connection stayed busy for the pool's timeout
    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("store unavailable: %s", exc)
        response = error_response(503, "The atlas's store is unavailable; try again shortly.")
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(500, "Internal error; it has been logged.")
