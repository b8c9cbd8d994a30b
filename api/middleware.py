"""ASGI middleware of the atlas: HEAD, path normalisation, and conditional GET (ETag / 304)."""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
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


class CachedReads:
    """ETag, Cache-Control, 304 and a cache of whole responses for reads.

    The data changes only with a load, so a response is identified by the store's data version and the
    request (path, query, Accept); its bytes, compressed as sent, are kept in a bounded LRU cache and
    replayed. An unchanged response is answered 304 before any query runs. A new data version empties
    the cache.
    """

    def __init__(
        self, app: ASGIApp, store: Callable[[], Store], prefixes: tuple[str, ...], max_age: int, max_bytes: int
    ) -> None:
        self.app, self.store, self.prefixes, self.max_age = app, store, prefixes, max_age
        self.max_bytes = max_bytes
        self.max_entry = max_bytes // 8
        self.entries: OrderedDict[tuple[bytes, str], tuple[list[tuple[bytes, bytes]], bytes]] = OrderedDict()
        self.size = 0
        self.version = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        store = self.store()
        # No thread hop on the hot path: the store's metadata is re-read at most once a second.
        info = store.info_if_fresh()
        if info is None:
            try:
                info = await anyio.to_thread.run_sync(store.info)
            except StoreUnavailable:
                await self.app(scope, receive, send)  # the route reports the outage
                return
        if info.data_version != self.version:
            self.entries.clear()
            self.size, self.version = 0, info.data_version
        headers = Headers(scope=scope)
        request_key = b"\0".join([scope["path"].encode(), scope["query_string"], headers.get("accept", "").encode()])
        etag = f'W/"{info.data_version}-{hashlib.sha1(request_key).hexdigest()[:16]}"'
        caching = {"etag": etag, "cache-control": f"public, max-age={self.max_age}", "vary": "Accept, Accept-Encoding"}
        if etag in [tag.strip() for tag in headers.get("if-none-match", "").split(",")]:
            await send({"type": "http.response.start", "status": 304, "headers": _raw(caching)})
            await send({"type": "http.response.body", "body": b""})
            return
        key = (request_key, "gzip" if "gzip" in headers.get("accept-encoding", "") else "")
        cached = self.entries.get(key)
        if cached is not None:
            self.entries.move_to_end(key)
            await send({"type": "http.response.start", "status": 200, "headers": cached[0]})
            await send({"type": "http.response.body", "body": cached[1]})
            return
        status = 0
        start_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def send_and_keep(message: Message) -> None:
            nonlocal status, start_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                if status == 200:
                    response_headers = MutableHeaders(scope=message)
                    for name, value in caching.items():
                        response_headers[name] = value
                # A copy, taken now: outer middleware (CORS) adds per-request headers to this list in place.
                start_headers = list(message["headers"])
            elif message["type"] == "http.response.body" and status == 200:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._keep(key, start_headers, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, send_and_keep)

    def _keep(self, key: tuple[bytes, str], headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        if len(body) > self.max_entry or self.max_bytes <= 0:
            return
        self.entries[key] = (headers, body)
        self.size += len(body)
        while self.size > self.max_bytes and self.entries:
            _, (_, evicted) = self.entries.popitem(last=False)
            self.size -= len(evicted)


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
