"""The plan texts, and the test that a quote is verbatim (white space aside)."""

from __future__ import annotations

import re
from pathlib import Path

from rapidfuzz import fuzz

from app.errors import AtlasError

_WHITESPACE = re.compile(r"\s+")
# The shipped plans are 15 and 66 KB and their quotes at most 98 characters. Finding the nearest
# passage costs time in proportion to the text times the quote (0.2 s for 300 characters in 2 MB,
# minutes for 100,000 characters), so both are bounded: beyond, a quote simply has no nearest passage.
MAX_BYTES = 2 * 1024 * 1024
MAX_QUOTE_FOR_NEAREST = 300


class PlanTextError(AtlasError):
    """A plan file cannot be read as a plan text; ``line`` (1-based) is where, if known."""

    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}" if line else f"{path}: {problem}")
        self.path, self.line, self.problem = path, line, problem


def squeeze(text: str) -> str:
    """Drop all white space: the PDF extraction broke lines and spaced characters at random."""
    return _WHITESPACE.sub("", text)


class PlanText:
    """One plan's text, as shipped in ``data/plans/``."""

    def __init__(self, path: Path) -> None:
        """Read ``path``; raise :class:`PlanTextError` if it is not a regular UTF-8 text file of sane size."""
        self.path = path
        self.squeezed = squeeze(_read_text(path))

    def contains(self, quote: str) -> bool:
        """True if ``quote`` stands in the plan word for word, white space aside."""
        needle = squeeze(quote)
        return bool(needle) and needle in self.squeezed

    def nearest_passage(self, quote: str) -> str:
        """The passage of the plan most like ``quote``, to show next to a quote that is not verbatim.

        Empty when there is none, or when the quote is too long to search for quickly.
        """
        needle = squeeze(quote)
        if len(needle) > MAX_QUOTE_FOR_NEAREST:
            return ""
        alignment = fuzz.partial_ratio_alignment(needle, self.squeezed)
        if alignment is None:
            return ""
        return self.squeezed[alignment.dest_start : alignment.dest_end]


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise PlanTextError(path, None, "not a regular file")
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)  # not the size on disk: the file may grow meanwhile
    except OSError as exc:
        raise PlanTextError(path, None, f"cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise PlanTextError(path, None, f"larger than {MAX_BYTES // (1024 * 1024)} MB; not a plan text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PlanTextError(path, line, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
