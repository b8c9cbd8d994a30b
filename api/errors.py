"""Errors as JSON ``{"code", "description"}`` (the OGC exception shape), never a traceback.

:data:`DEFAULT_STATUS_CODES` is the one table from an error class to its answer; :func:`install`
registers a handler for each entry, plus FastAPI's own cases (a request that fails validation is 400,
not 422; an ``HTTPException`` keeps its status) and a 500 without detail for anything else.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from api.middleware import representation
from api.routers.web import not_found_page
from app.brief import BriefError
from app.errors import Busy, InvalidParameter, NotFound, StoreUnavailable

log = logging.getLogger("atlas.api")

# OGC exception codes of the statuses the atlas answers with; any other status is "Error".
CODES = {400: "InvalidParameterValue", 404: "NotFound", 405: "MethodNotAllowed", 503: "ServiceUnavailable"}


class Answer(NamedTuple):
    """How the web service answers an error class."""

    status: int
    code: str  # the OGC exception code
    # A fixed text in place of the exception's own message, which may name files or hosts; that message is
    # then logged instead.
    description: str | None = None
    # Seconds for Retry-After; an exception's own ``retry_after`` comes first.
    retry_after: int | None = None


_UNAVAILABLE = Answer(503, "ServiceUnavailable", "The atlas's store is unavailable; try again shortly.", retry_after=1)

DEFAULT_STATUS_CODES: dict[type[Exception], Answer] = {
    InvalidParameter: Answer(400, "InvalidParameterValue"),
    NotFound: Answer(404, "NotFound"),
    StoreUnavailable: _UNAVAILABLE,
    OperationalError: _UNAVAILABLE,  # the database went away in the middle of a request
    PoolTimeout: _UNAVAILABLE,  # every pooled connection stayed busy for the pool's timeout
    Busy: Answer(503, "ServiceUnavailable"),  # a full limiter: Retry-After from the limiter's estimate
    # The server cannot typeset Chinese (no CJK font): what to install is logged, not told to clients.
    BriefError: Answer(503, "ServiceUnavailable", "简报暂不可用 Briefs are unavailable on this server."),
}


def error_response(status: int, description: str, code: str | None = None, request: Request | None = None) -> Response:
    """The JSON body every error of the atlas has; ``code`` defaults to the status's OGC code. A browser
    (``Accept: text/html``) asking for what does not exist gets a page with the way back to the map."""
    if status == 404 and request is not None and representation(request.headers.get("accept", "")) == "html":
        return not_found_page(request, description)
    return JSONResponse(
        {"code": code or CODES.get(status, "Error"), "description": description},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def exception_handler(answer: Answer) -> Callable[[Request, Exception], Awaitable[Response]]:
    """A handler that answers an exception as ``answer`` says."""

    async def handler(request: Request, exc: Exception) -> Response:
        if answer.description is not None:
            log.warning("%s on %s: %s", type(exc).__name__, request.url.path, exc)
        response = error_response(answer.status, answer.description or str(exc), answer.code, request)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is None:
            retry_after = answer.retry_after
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    return handler


def install(app: FastAPI, status_codes: dict[type[Exception], Answer] | None = None) -> None:
    """Register the handlers: one per entry of ``status_codes`` (default :data:`DEFAULT_STATUS_CODES`),
    400 for a request that fails validation, an ``HTTPException``'s own status, 500 with no detail for
    anything else."""
    for exc_class, answer in (status_codes or DEFAULT_STATUS_CODES).items():
        app.add_exception_handler(exc_class, exception_handler(answer))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"][1:]) or str(error["loc"][0])
            parts.append(f"{name}: {error['msg']}")
        return error_response(400, "; ".join(parts))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error_response(exc.status_code, str(exc.detail), request=request)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(500, "Internal error; it has been logged.")
