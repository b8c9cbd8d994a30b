"""The document's own headings, and the heading path at a place in its text.

The catalogue cites a quote's place by the headings above it, joined by " › " and written as the plan
writes them (e.g. "四、主要任务 › （五）优化产业布局，催生发展新业态 › 专栏5 产业集群培育 › 1、做好产业布局的顶层设计",
"三、发展重点 › （一）汽车制造 › 新能源与智能网联汽车"). :func:`heading_path` gives that path for any offset
of a plan's text, so a proposed quote carries its section.

Chinese plans mark their levels by form, not by typography (which extraction loses); the forms nest
thus, outermost first:

0. ``第一篇`` / ``第一章`` / ``第一节`` — parts, chapters and sections of plans laid out like books (city
   five-year plans), each above the next;
1. ``一、`` — chapters (or the parts of a 节);
2. ``（一）`` or ``(一)`` — sections;
3. ``专栏N …`` — a box, which closes at the next section or chapter;
4. ``1.`` / ``1、`` / ``1．`` — numbered items (inside a box when one is open);
5. ``（1）`` / ``(1)``;
6. lead-ins: a paragraph opening with a short label and a colon (``行动路径：…``), or with a short noun
   phrase and a full stop (``高档数控机床。加强…``, ``——核心基础零部件。…``). Under a colon label, the
   full-stop lead-ins are its points, not headings of their own; and a lead-in that is a statement
   (``——产业规模进一步壮大。``: it has a predicate) is a point of its list, not a topic.

A numbered heading standing on its own line is its whole line; a numbered paragraph (``4. 产业集聚效应日益突显。
武汉…``) is headed by its first sentence (or, if that is long, its first clause). A heading's ``level`` is its
depth: one below the open heading it belongs to (an item is level 3 under a section, 4 inside a box).
Tables of contents (entries ending in page numbers) are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

SEPARATOR = " › "

_PART = re.compile(r"^第[一二三四五六七八九十百零〇\d]{1,4}篇")
_BOOK_CHAPTER = re.compile(r"^第[一二三四五六七八九十百零〇\d]{1,4}章")
_BOOK_SECTION = re.compile(r"^第[一二三四五六七八九十百零〇\d]{1,4}节")
_CHAPTER = re.compile(r"^[一二三四五六七八九十]{1,3}(?:、|[．.](?!\d))")
_SECTION = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")
_BOX = re.compile(r"^专栏\s*(\d{1,2})\s*")
_ITEM = re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d))")
_SUBITEM = re.compile(r"^[（(]\d{1,2}[）)]")
_SECTION_RANK, _BOX_RANK, _ITEM_RANK, _LEAD_IN_RANK = 2, 3, 4, 6
_RANKS = (
    (_PART, -2),
    (_BOOK_CHAPTER, -1),
    (_BOOK_SECTION, 0),
    (_CHAPTER, 1),
    (_SECTION, _SECTION_RANK),
    (_BOX, _BOX_RANK),
    (_ITEM, _ITEM_RANK),
    (_SUBITEM, 5),
)
# A heading line is short; a longer numbered line is a paragraph headed by its first sentence.
_MAX_HEADING = 40
_MAX_LEAD_IN = 25
# The first sentence of a paragraph, ended by a full stop or a colon; a lead-in label holds no comma or
# other sentence punctuation (brackets, quotes and 、 are part of names: 增材制造（3D打印）).
_FIRST_SENTENCE = re.compile(r"^(?P<lead>[^。：:；，,！？]{1,60}?)(?P<mark>[。：:])")
_DASHES = re.compile(r"^[—–-]{1,2}")
_TOC_ENTRY = re.compile(r"(?:[.．·…]{2,}|\t|\s{2,})\s*[(（]?\d{1,3}[)）]?\s*$|[(（]\d{1,3}[)）]\s*$")
# Word classes of a predicate (jieba's tags): a lead-in ending in two of them, or holding an adverb, is a
# statement ("产业结构优化升级", "创新能力显著提升"), not the name of a topic ("增材制造", "疫情防控装备").
_PREDICATE = {"v", "vn", "vd", "a", "ad", "an", "d"}
_ADVERB = {"d", "ad", "vd"}


@dataclass(frozen=True)
class Heading:
    """A heading of the document: where its line or paragraph starts, its depth (1 = outermost), its title."""

    offset: int
    level: int
    title: str


def headings(text: str) -> list[Heading]:
    """The document's headings in order, each with its offset in ``text``, level and title as written."""
    return list(_headings(text))


def heading_path(text: str, offset: int) -> str:
    """The headings above ``offset`` in ``text``, outermost first, joined by " › " ("" before the first)."""
    return SEPARATOR.join(heading.title for heading in path_at(text, offset))


def path_at(text: str, offset: int) -> list[Heading]:
    """The open headings at ``offset``: the last heading of each level, a heading closing those below it."""
    stack: list[Heading] = []
    for heading in _headings(text):
        if heading.offset > offset:
            break
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        stack.append(heading)
    return stack


@dataclass
class _Open:
    """A heading on the stack while reading: its form's rank, and what the rules below need of it."""

    rank: int
    heading: Heading
    is_label: bool = False  # a colon label (行动路径：): the full-stop lead-ins under it are its points
    item: tuple[int, str] | None = None  # an item's number and separator ("1." → (1, "."))


@lru_cache(maxsize=8)
def _headings(text: str) -> tuple[Heading, ...]:
    found: list[Heading] = []
    stack: list[_Open] = []
    # The last item of the current section outside any box, and inside the open box: an item that goes on
    # the section's numbering in the section's style closes the box (boxes float between the section's
    # items: 1. … 专栏2 1、 2、 … 2. 3.).
    outside: tuple[int, str] | None = None
    inside: tuple[int, str] | None = None
    for offset, line in _lines(text):
        entry = _numbered(offset, line)
        if entry is None:
            entry = _lead_in(offset, line, under_label=bool(stack) and stack[-1].is_label)
            if entry is None:
                continue
        box_open = any(open_.rank == _BOX_RANK for open_ in stack)
        if entry.rank <= _SECTION_RANK:
            outside = inside = None
        elif entry.rank == _BOX_RANK:
            inside = None
        elif entry.item is not None and entry.rank == _ITEM_RANK:
            if box_open and _closes_box(entry.item, outside, inside):
                while stack[-1].rank != _BOX_RANK:
                    stack.pop()
                stack.pop()
                box_open = False
            if box_open:
                inside = entry.item
            else:
                outside = entry.item
        while stack and stack[-1].rank >= entry.rank:
            stack.pop()
        heading = Heading(entry.heading.offset, len(stack) + 1, entry.heading.title)
        stack.append(_Open(entry.rank, heading, entry.is_label, entry.item))
        found.append(heading)
    return tuple(found)


def _closes_box(item: tuple[int, str], outside: tuple[int, str] | None, inside: tuple[int, str] | None) -> bool:
    """True if ``item`` continues the section's own numbering rather than the open box's."""
    if outside is None or item[0] != outside[0] + 1:
        return False
    continues_box = inside is not None and item[0] == inside[0] + 1 and item[1] == inside[1]
    return not continues_box


def _lines(text: str) -> list[tuple[int, str]]:
    """Each non-blank line with the offset of its first non-blank character."""
    result = []
    for match in re.finditer(r"[^\n]+", text):
        stripped = match.group().lstrip(" \t\u3000\u00a0")
        if stripped.strip():
            result.append((match.end() - len(stripped), stripped.rstrip()))
    return result


def _numbered(offset: int, line: str) -> _Open | None:
    """A heading of one of the numbered forms (chapter, section, box, item, sub-item), or None."""
    for pattern, rank in _RANKS:
        if not pattern.match(line):
            continue
        if _TOC_ENTRY.search(line):
            return None  # a contents entry, not the heading itself
        if pattern is _BOX:
            # Boxes are cited as 专栏N plus title, whatever spacing the extraction left.
            title = _BOX.sub(lambda match: f"专栏{match.group(1)} ", line, count=1).strip()
        elif len(line) <= _MAX_HEADING and not re.search(r"[。；！？]", line):
            title = line.rstrip("：:")
        else:
            title = _opening(line, pattern.match(line).end())  # type: ignore[union-attr]
        item = None
        if rank == _ITEM_RANK:
            number = re.match(r"\d+", line)
            item = (int(number.group()), line[number.end()]) if number else None
        return _Open(rank, Heading(offset, 0, title), item=item)
    return None


def _opening(line: str, after_number: int) -> str:
    """A numbered paragraph's title: its first sentence, or if that is long its first clause, or 40 characters."""
    for marks in ("。；！？：:", "，,、；。！？：:"):
        end = re.search(f"[{marks}]", line[after_number:])
        if end and after_number + end.start() <= _MAX_HEADING:
            return line[: after_number + end.start()].rstrip()
    return line[:_MAX_HEADING].rstrip()


def _lead_in(offset: int, line: str, under_label: bool) -> _Open | None:
    """A lead-in heading (a colon label or a topic's noun phrase opening its paragraph), or None."""
    first = _FIRST_SENTENCE.match(line)
    if first is None or not line[first.end() :].strip():
        return None  # a lead-in heads a paragraph: a line that is only a phrase is a fragment or a title
    lead = _DASHES.sub("", first.group("lead")).strip()
    if not lead or len(lead) > _MAX_LEAD_IN or re.match(r"^[一二三四五六七八九十]是", lead):
        return None  # "一是…" counts points of a paragraph
    if first.group("mark") in "：:":
        return _Open(_LEAD_IN_RANK, Heading(offset, 0, lead), is_label=True)
    if under_label or _is_statement(lead):
        return None
    return _Open(_LEAD_IN_RANK, Heading(offset, 0, lead))


def _is_statement(phrase: str) -> bool:
    """True if the phrase reads as a statement (subject and predicate), not as the name of a topic."""
    import logging

    import jieba  # imported here: its dictionary takes a second to load, and only lead-ins need it
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    core = re.sub(r"[（(][^）)]*[）)]", "", phrase)  # a bracketed gloss says nothing of the grammar
    flags = [pair.flag for pair in jieba.posseg.cut(core)]
    if any(flag in _ADVERB for flag in flags):
        return True
    # An imperative opens with its verb ("支持咸宁市打造…产业集群", "推动…建设…基地"): a call, not a topic's name.
    if len(flags) > 2 and flags[0] == "v":
        return True
    return len(flags) >= 2 and flags[-1] in _PREDICATE and flags[-2] in _PREDICATE
