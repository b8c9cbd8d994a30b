"""Sharing a view of the atlas: a QR code of its permalink, for phones (WeChat scans it).

Made here, on the server, with segno (pure Python, no network): the page stays free of a QR library,
and anything else the atlas makes (a printed sheet, a brief) can carry the same code. Only links into
this atlas are encoded — its public address (``ATLAS_PUBLIC_URL``) followed by a path — so the endpoint
is no general QR service that would put the atlas's name under anyone's link.
"""

from __future__ import annotations

import io

import segno

from app.errors import InvalidParameter

# A permalink is about 200 characters; a QR code of 1,000 (version 22 at level M) still scans from a
# screen, one of the 2,900 a QR code can hold would not.
MAX_URL_LENGTH = 1000


def check_atlas_url(url: str, public_url: str) -> str:
    """``url`` if it is a link into this atlas (``public_url`` then ``/``, printable ASCII, bounded);
    raise :class:`InvalidParameter` otherwise."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidParameter("url", f"at most {MAX_URL_LENGTH} characters")
    if not url.isascii() or any(not character.isprintable() or character.isspace() for character in url):
        raise InvalidParameter("url", "only printable ASCII without spaces (percent-encode the rest)")
    # The public address has no query, fragment or user (settings check it), so what follows its "/" can
    # only be a path, query or fragment of this atlas: never another host.
    if not url.startswith(f"{public_url}/"):
        raise InvalidParameter("url", f"only links into this atlas are encoded: {public_url}/…")
    return url


def qr_svg(url: str, title: str = "") -> bytes:
    """``url`` as a QR code (error correction M: a smudged screen still scans), an SVG that scales with
    its box (a viewBox, no size), dark modules on white with the quiet zone readers need."""
    code = segno.make(url, error="m", micro=False, boost_error=False)
    buffer = io.BytesIO()
    code.save(
        buffer, kind="svg", border=4, xmldecl=False, omitsize=True, title=title or None, dark="#000", light="#fff"
    )
    return buffer.getvalue()
