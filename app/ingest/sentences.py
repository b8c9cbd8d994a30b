"""A plan text cut into sentences, white space dropped, each knowing where it stands in the text.

Quotes are checked white space aside (:class:`app.plan_texts.PlanText`), so the extractor works on the
text with all white space squeezed out and keeps, for every character, its offset in the text it was
given: the heading path is looked up by that offset. A line break ends a sentence only where the text
says so (a heading line, a line ending in 。！？；：, a line before a heading); elsewhere it is a PDF
line break inside a sentence and is joined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The plans' heading forms, highest level first: 一、 · （一） · 专栏N · 1. / 1、 / 1．
_HEADINGS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(r"^[一二三四五六七八九十]+、")),
    (2, re.compile(r"^[（(][一二三四五六七八九十]+[）)]")),
    (3, re.compile(r"^专栏\s*\d+")),
    (4, re.compile(r"^\d{1,2}\s*[.、．](?!\d)")),
]
_ENDS = "。！？；："
_SENTENCE = re.compile(r"[^。！？；\n]*(?:[。！？；]|\n|$)")
_TOC_PAGE = re.compile(r"(\.{3,}|…{2,}|\t)\s*[（(]?\d+[）)]?\s*$")


@dataclass(frozen=True)
class Sentence:
    """One sentence: its words with white space dropped, and each character's offset in the text."""

    index: int
    text: str
    offsets: tuple[int, ...]

    @property
    def start(self) -> int:
        """The offset of the sentence's first character in the text."""
        return self.offsets[0]


def heading_level(line: str) -> int | None:
    """The level of a heading line (1 = 一、), or None if the line is no heading."""
    stripped = line.strip()
    if not stripped or len(stripped) > 120:
        return None
    for level, pattern in _HEADINGS:
        if pattern.match(stripped):
            return level
    return None


def split_sentences(text: str) -> list[Sentence]:
    """The text's sentences in order; empty ones are left out."""
    flat, offsets = _flatten(text)
    sentences: list[Sentence] = []
    for match in _SENTENCE.finditer(flat):
        start, end = match.span()
        words = flat[start:end].rstrip("\n")
        if words.strip():
            sentences.append(Sentence(len(sentences), words, tuple(offsets[start : start + len(words)])))
    return sentences


def _flatten(text: str) -> tuple[str, list[int]]:
    """The text without white space, with a newline kept only at the breaks that end a sentence."""
    chars: list[str] = []
    offsets: list[int] = []
    lines = text.splitlines(keepends=True)
    position = 0
    for number, line in enumerate(lines):
        for column, char in enumerate(line):
            if not char.isspace():
                chars.append(char)
                offsets.append(position + column)
        position += len(line)
        stripped = line.strip()
        following = next((each for each in lines[number + 1 :] if each.strip()), "")
        hard = (
            heading_level(stripped) is not None
            or heading_level(following) is not None
            or (stripped and stripped[-1] in _ENDS)
            or _TOC_PAGE.search(line) is not None
        )
        if hard and chars and chars[-1] != "\n":
            chars.append("\n")
            offsets.append(position - 1)
    return "".join(chars), offsets
