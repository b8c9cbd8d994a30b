"""The plan texts, and the test that a quote is verbatim (white space aside)."""

from __future__ import annotations

import re
from pathlib import Path

from rapidfuzz import fuzz

_WHITESPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Drop all white space: the PDF extraction broke lines and spaced characters at random."""
    return _WHITESPACE.sub("", text)


class PlanText:
    """One plan's text, as shipped in ``data/plans/``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.squeezed = squeeze(path.read_text(encoding="utf-8"))

    def contains(self, quote: str) -> bool:
        """True if ``quote`` stands in the plan word for word, white space aside."""
        needle = squeeze(quote)
        return bool(needle) and needle in self.squeezed

    def nearest_passage(self, quote: str) -> str:
        """The passage of the plan most like ``quote``, to show next to a quote that is not verbatim."""
        alignment = fuzz.partial_ratio_alignment(squeeze(quote), self.squeezed)
        if alignment is None:
            return ""
        return self.squeezed[alignment.dest_start : alignment.dest_end]
