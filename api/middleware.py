"""ASGI middleware of the atlas: HEAD, path normalisation, and conditional GET (ETag / 304)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.store.location import StoreUnavailable
from app.store.store import Store

_SLASHES = re.compile(r"/{2,}")


class HeadAsGet:
    """Answers HEAD like GET, without the body (FastAPI routes answer GET only)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


class CollapseSlashes:
    """``/ogc//conformance`` is ``/ogc/conformance`` (clients that join URLs naively send the former)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "//" in scope["path"]:
            path = _SLASHES.sub("/", scope["path"])
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, send)


class ConditionalGet:
    """ETag, Cache-Control and 304 for reads. The data changes only with a load, so a response is
    identified by the store's data version and the request (path, query, Accept) alone, and an
    unchanged one is answered 304 before any query runs."""

    def __init__(self, app: ASGIApp, store: Callable[[], Store], prefixes: tuple[str, ...], max_age: int) -> None:
        self.app, self.store, self.prefixes, self.max_age = app, store, prefixes, max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        try:
            info = await anyio.to_thread.run_sync(self.store().info)
        except StoreUnavailable:
            await self.app(scope, receive, send)  # the route reports the outage
            return
        headers = Headers(scope=scope)
        request_key = b"\0".join([scope["path"].encode(), scope["query_string"], headers.get("accept", "").encode()])
        etag = f'W/"{info.data_version}-{hashlib.sha1(request_key).hexdigest()[:16]}"'
        caching = {
            "etag": etag,
            "cache-control": f"public, max-age={self.max_age}",
            "vary": "Accept, Accept-Encoding",
        }
        if etag in [tag.strip() for tag in headers.get("if-none-match", "").split(",")]:
            await send({"type": "http.response.start", "status": 304, "headers": _raw(caching)})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_etag(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                response_headers = MutableHeaders(scope=message)
                for name, value in caching.items():
                    response_headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_etag)


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.encode(), value.encode()) for name, value in headers.items()]


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class SecurityHeaders:
    """Headers every response carries (the page adds its own Content-Security-Policy)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
