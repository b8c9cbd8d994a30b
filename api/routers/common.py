"""What several routers share: the public address links are built from, the refusal of query parameters a
route does not take, and whole numbers in ASCII digits only."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BeforeValidator

from app.query import ASCII_INTEGER
from app.store.published import InvalidParameter

# At most 18 digits: pydantic's int() would take more, and no parameter needs them.
_MAX_DIGITS = 18


def public_url(request: Request) -> str:
    """The configured address of the atlas (``ATLAS_PUBLIC_URL``, no trailing slash): absolute links are
    built from it, never from the request's Host or X-Forwarded-* headers, which any client can set and
    whose answers the read cache would replay to everyone."""
    return request.app.state.settings.public_url


def ascii_integer(value: Any) -> Any:
    """A validator for integer parameters: refuses text other than ASCII digits (with an optional minus)."""
    # Python's int() and pydantic also take "1_0", " 1", "5.0" and other scripts' digits ("٤", "４"): each
    # one more URL for the same answer. An optional minus, so that -1 gets the bound's "at least" message.
    if isinstance(value, str) and not (ASCII_INTEGER.fullmatch(value) and len(value.lstrip("-")) <= _MAX_DIGITS):
        raise ValueError("must be a whole number written with the ASCII digits 0-9")
    return value


AsciiInteger = BeforeValidator(ascii_integer)


async def only_declared_parameters(request: Request) -> None:
    """Refuse (400) a query parameter the route does not declare: ignoring it would hide a client's typo
    and give every made-up parameter a URL of its own past the read cache. Async, so that it costs no
    thread."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = _query_names(route.dependant)  # a few fields: cheaper than any cache keyed by route
    for name in request.query_params:
        if name not in allowed:
            takes = f"takes {', '.join(sorted(allowed))}" if allowed else "takes no parameters"
            raise InvalidParameter(name, f"unknown parameter; {route.path} {takes}")


def _query_names(dependant: Dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names
