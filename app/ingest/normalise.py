"""Repairing what extraction does to a plan's text, so quotes and headings can be found in it.

:func:`normalise` takes the raw text of :func:`app.ingest.documents.read_document` (pages separated by
``\\f``) and returns paragraphs separated by one blank line, with

- running page headers and footers dropped (a line standing first or last on many pages), and page
  numbers ("- 12 -", "—12—", "第 3 页", "3/40", and a bare number at a page's edge);
- the table of contents dropped (a run of heading lines ending in page numbers whose titles recur later
  as the real headings);
- lines broken mid-sentence joined (in Chinese a paragraph ends with 。！？；： or is a heading; a line that
  ends otherwise and fills the page's width was broken by the layout, not the author; where paragraphs
  are indented, 首行缩进, an indented line starts one and an unindented line goes on with the last);
- character widths made consistent: full-width digits and latin letters become half-width, compatibility
  ideographs and Kangxi radicals (which some PDF fonts map to) become the ordinary characters, and ASCII
  , ; : ? ! between Chinese characters become the full-width marks Chinese text uses, and letter-spaced
  Chinese (湖 北 省 人 民 政 府) is closed up, and so is a space between Chinese and a latin letter or digit
  (28 米 → 28米), which extraction keeps or loses at random.

Brackets are left as the document has them: plans mix "(二)" and "（二）" in their own headings, and the
catalogue's quotes and section paths keep each as written.

The result is a fixed point (``normalise(normalise(x)) == normalise(x)``): one pass of the repairs is
applied until nothing changes, so a second call finds nothing left to do.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from app.ingest.documents import PAGE_BREAK

# Sentence-final marks of Chinese text, optionally followed by closing quotes or brackets: a line that ends
# so ends a paragraph (or may: both are fine, since a paragraph break only matters for reading).
_TERMINATED = re.compile(r"[。！？；：!?;:…][”’」』）)》〕】]*$")
# Heading forms of Chinese plans, at the start of a line: 一、 （一） (一) 1. 1、 1． （1） 专栏N 第X章/节/条.
HEADING_START = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}(?:、|[．.](?!\d))"
    r"|[（(][一二三四五六七八九十]{1,3}[）)]"
    r"|\d{1,2}(?:[、．]|\.(?!\d))"
    r"|[（(]\d{1,2}[）)]"
    r"|专栏\s*\d{1,2}"
    r"|第[一二三四五六七八九十百\d]{1,4}[章节条部分篇])"
)
# A heading standing on its own line is short and carries no sentence end inside it.
_MAX_HEADING_LINE = 40
# A page number in a form no sentence takes; a bare number ("12") may be a table's cell, so it counts as a
# page number only where page numbers stand (see _drop_page_numbers).
_PAGE_NUMBER = re.compile(
    r"^(?:[-－—–‐~·\s]*[-－—–‐~·]\s*\d{1,4}\s*[-－—–‐~·][-－—–‐~·\s]*"  # - 12 -, —12—
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"  # 第 3 页, 第3页 共40页
    r"|\d{1,4}\s*/\s*\d{1,4}"  # 3/40
    r"|(?i:page)\s*\d{1,4}(?:\s*(?i:of)\s*\d{1,4})?)$"  # Page 3 of 40
)
_BARE_NUMBER = re.compile(r"^\d{1,4}$")
# A table-of-contents entry: a title, then dot leaders or a tab/spaces, then a page number, perhaps bracketed.
_TOC_ENTRY = re.compile(r"^(?P<title>\S.{0,60}?)\s*(?:[.．·…。_-]{2,}\s*|\s+)[(（]?\d{1,3}[)）]?$")
_TOC_TITLE = re.compile(r"^目\s*录$|^(?i:contents)$")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HALF_PUNCT_IN_CHINESE = re.compile(rf"(?<=[{_CJK}“”])([,;:?!])(?=[{_CJK}“”])")
_FULL_PUNCT = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_INDENT = re.compile(r"^(?:[ \u00a0]{2,}|[\t\u3000])")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000\u202f\u205f]+")
# Chinese puts no space between characters: a run of three or more spaced out (湖 北 省 人 民) is letter-spaced
# type. A single space between two is left: it may part a heading's number from its title (第一章 总则).
_LETTER_SPACED = re.compile(rf"(?:[{_CJK}] ){{2,}}[{_CJK}]")
# A line filling at least this share of the page's usual width was ended by the layout.
_FULL_LINE_SHARE = 0.8
# Without a usual width (text of paragraphs, not of a laid-out page), a line this wide (display columns:
# a Chinese character counts two) that ends mid-sentence is a paragraph the extraction cut.
_UNWRAPPED_SPLIT_WIDTH = 80
_MAX_PASSES = 8
# A space between a Chinese character and a latin letter or digit (28 米, 5G 网络) is the typesetter's, and
# extraction keeps or drops it at random (never at a line's end): it goes, so every format reads the same.
# Only after the contents are dropped: there a space parts a title from its page number.
_SPACE_BY_CHINESE = re.compile(rf"(?<=[{_CJK}]) (?=[A-Za-z0-9])|(?<=[A-Za-z0-9]) (?=[{_CJK}])")


def normalise(raw: str) -> str:
    """The plan text repaired: paragraphs separated by one blank line (see the module's docstring).

    Idempotent: the repairs are applied until they change nothing, so ``normalise(normalise(x)) ==
    normalise(x)``.
    """
    text = _one_pass(raw)
    for _ in range(_MAX_PASSES):
        again = _one_pass(text)
        if again == text:
            break
        text = again
    return text


def _one_pass(raw: str) -> str:
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    pages = [[_Line.of(line) for line in page.split("\n")] for page in _pages(raw)]
    pages = [[line for line in page if line] for page in pages]
    width = _usual_width(pages)
    pages = _drop_running_lines(pages)
    lines = _drop_page_numbers(pages, has_pages=PAGE_BREAK in raw, laid_out=width is not None)
    lines = _drop_table_of_contents(lines)
    indented = sum(line.indented for line in lines)
    # Indentation marks paragraphs where some lines have it (首行缩进): where all have it, it marks nothing.
    indented_paragraphs = width is not None and 3 <= indented <= 0.6 * len(lines)
    paragraphs = _join_split_lines(lines, width, indented_paragraphs)
    return "\n\n".join(_SPACE_BY_CHINESE.sub("", paragraph) for paragraph in paragraphs)


class _Line(str):
    """A cleaned line that remembers whether it was indented: a paragraph's first line often is."""

    indented: bool

    @classmethod
    def of(cls, raw_line: str) -> _Line:
        line = cls(_clean_line(raw_line))
        line.indented = bool(_INDENT.match(raw_line))
        return line


def _drop_page_numbers(pages: list[list[_Line]], *, has_pages: bool, laid_out: bool) -> list[_Line]:
    """The lines without page numbers. A bare number is one at a page's top or bottom two lines, or anywhere
    in laid-out text whose pages are not marked; in text of paragraphs (DOCX, HTML) it is content."""
    kept: list[_Line] = []
    for page in pages:
        edges = {0, 1, len(page) - 2, len(page) - 1}
        for at, line in enumerate(page):
            bare = _BARE_NUMBER.match(line) and ((has_pages and at in edges) or (not has_pages and laid_out))
            if not (_PAGE_NUMBER.match(line) or bare):
                kept.append(line)
    return kept


def _pages(raw: str) -> list[str]:
    """The text's pages: split at form feeds, or else at page-number lines (text saved without them)."""
    if PAGE_BREAK in raw:
        return raw.split(PAGE_BREAK)
    pages: list[str] = []
    current: list[str] = []
    for line in raw.split("\n"):
        current.append(line)
        if _PAGE_NUMBER.match(_clean_line(line)):
            pages.append("\n".join(current))
            current = []
    pages.append("\n".join(current))
    return pages


def _clean_line(line: str) -> str:
    """One line with its widths made consistent and its white space trimmed and collapsed."""
    line = "".join(_narrow(char) for char in line)
    line = _HALF_PUNCT_IN_CHINESE.sub(lambda match: _FULL_PUNCT[match.group(1)], line)
    return _LETTER_SPACED.sub(lambda match: match.group().replace(" ", ""), _SPACES.sub(" ", line)).strip()


def _narrow(char: str) -> str:
    code = ord(char)
    if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
        return chr(code - 0xFEE0)  # full-width digit or latin letter → ASCII
    if 0x2E80 <= code <= 0x2FDF or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F:
        # CJK radicals, Kangxi radicals and compatibility ideographs: PDF fonts map ordinary characters
        # (工, 一, 金) to these look-alikes, which no search for the plan's words would find.
        return unicodedata.normalize("NFKC", char)
    return char


def display_width(line: str) -> int:
    """Columns the line takes in print: Chinese and other wide characters two, the rest one."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


def _usual_width(pages: list[list[str]]) -> int | None:
    """The width of a full line on the page, if the text was laid out in lines (a PDF); else None.

    Laid-out text has many lines of nearly the same, greatest width; text of paragraphs has no such peak.
    """
    widths = [display_width(line) for page in pages for line in page]
    long_lines = [width for width in widths if width >= 20]
    if len(long_lines) < 10:
        return None
    # Lines of a justified page differ by a column or two (half-width digits); bucket by four.
    buckets = Counter(width // 4 for width in long_lines)
    bucket, count = buckets.most_common(1)[0]
    if count < 0.3 * len(long_lines):
        return None
    return bucket * 4


def _drop_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Drop running headers and footers: lines standing among the first or last two lines of many pages.

    A line at the edge of half the pages or more runs through the document (its title, its issuer); one at
    the edge of three pages or more that stands nowhere else runs through a part of it (the chapter's name
    over each of its pages). Its first appearance stays if it is a heading and stands nowhere but at page
    edges: that is the chapter itself, starting a new page. Digits are masked, so "第 3 页" and "第 4 页"
    (or a header with the page number in it) count as one line.
    """
    if len(pages) < 3:
        return pages
    edge_counts: Counter[str] = Counter()
    middle_counts: Counter[str] = Counter()
    for page in pages:
        edges = _edges(page)
        edge_counts.update({_masked(line) for at, line in enumerate(page) if at in edges})
        middle_counts.update(_masked(line) for at, line in enumerate(page) if at not in edges)
    running = {
        line
        for line, count in edge_counts.items()
        if count >= max(3, len(pages) // 2) or (count >= 3 and middle_counts[line] <= 1)
    }
    if not running:
        return pages
    kept: list[list[_Line]] = []
    seen: set[str] = set()
    for page in pages:
        edges = _edges(page)
        lines: list[_Line] = []
        for at, line in enumerate(page):
            masked = _masked(line)
            first_heading = masked not in seen and not middle_counts[masked] and is_heading_line(line)
            seen.add(masked)
            if at in edges and masked in running and not first_heading:
                continue
            lines.append(line)
        kept.append(lines)
    return kept


def _edges(page: list[_Line]) -> set[int]:
    """The positions of a page's first two and last two lines, where running headers and footers stand."""
    return {0, 1, len(page) - 2, len(page) - 1} & set(range(len(page)))


def _masked(line: str) -> str:
    return re.sub(r"\d+", "#", line)


def _drop_table_of_contents(lines: list[str]) -> list[str]:
    """Drop runs of three or more contents entries whose titles mostly recur later, and a 目录 line before them."""
    result: list[str] = []
    index = 0
    while index < len(lines):
        end = index
        while end < len(lines) and _TOC_ENTRY.match(lines[end]):
            end += 1
        if end - index >= 3 and _recur_later(lines[index:end], lines[end:]):
            if result and _TOC_TITLE.match(result[-1]):
                result.pop()
            index = end
            continue
        result.append(lines[index])
        index += 1
    return result


def _recur_later(entries: list[str], rest: list[str]) -> bool:
    later = {_heading_key(line) for line in rest}
    titles = [_heading_key(_TOC_ENTRY.match(entry).group("title")) for entry in entries]  # type: ignore[union-attr]
    found = sum(1 for title in titles if title in later or any(key.startswith(title) for key in later))
    return found >= 0.5 * len(titles)


def _heading_key(line: str) -> str:
    """A line as a heading compares: no white space, brackets and dots alike, no trailing leaders."""
    key = re.sub(r"\s+", "", line).replace("（", "(").replace("）", ")").replace("．", ".")
    return re.sub(r"[.·…。_-]+$", "", key)


def is_heading_line(line: str) -> bool:
    """True if the line is a heading standing alone: a heading form, short, with no sentence inside."""
    return (
        bool(HEADING_START.match(line))
        and display_width(line) <= 2 * _MAX_HEADING_LINE
        and not re.search(r"[。；！？]", line[:-1])
    )


def _join_split_lines(lines: list[_Line], width: int | None, indented_paragraphs: bool) -> list[str]:
    """Paragraphs: each line joined to the one before when the break between them fell mid-sentence."""
    paragraphs: list[str] = []
    last_line = _Line.of("")  # the last physical line of the paragraph being built: the one the break follows
    for line in lines:
        if paragraphs and _split_between(last_line, paragraphs[-1], line, width, indented_paragraphs):
            glue = " " if re.search(r"[A-Za-z0-9]$", paragraphs[-1]) and re.match(r"[A-Za-z0-9]", line) else ""
            paragraphs[-1] += glue + line
        else:
            paragraphs.append(line)
        last_line = line
    return paragraphs


def _split_between(before: str, paragraph: str, after: _Line, width: int | None, indented_paragraphs: bool) -> bool:
    """True if the line break between ``before`` (ending ``paragraph``) and ``after`` fell mid-paragraph."""
    if is_heading_line(paragraph) or HEADING_START.match(after) or after.indented:
        return False
    if _TOC_TITLE.match(before) or _TOC_TITLE.match(after):
        return False
    if width is None:
        return not _TERMINATED.search(before) and display_width(before) >= _UNWRAPPED_SPLIT_WIDTH
    full = display_width(before) >= _FULL_LINE_SHARE * width
    if _TERMINATED.search(before):
        # A sentence ended at the right margin; where paragraphs are indented, an unindented next line
        # goes on with the same paragraph.
        return full and indented_paragraphs
    return full
