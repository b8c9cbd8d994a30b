"""Reading a plan document — PDF, DOCX, HTML or plain text — into raw text.

The text comes out as extracted, with the damage of its format (lines broken at the page's edge, running
headers and page numbers, a table of contents); :func:`app.ingest.normalise.normalise` repairs that. What
the repair needs to tell damage from text is kept: pages of a PDF are separated by a form feed (``\\f``),
as pdftotext does, so a running header (the same first line on many pages) differs from a line that merely
repeats; a PDF line's indentation is kept (two ideographic spaces), since an indented line starts a
paragraph; and Word's automatic heading numbers (一、 （一）) are written into the text, where plans type them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from app.errors import AtlasError

# A plan is a few hundred KB to a few MB; far larger files are not plans (or are scans, which have no
# text to read anyway) and would tie the command up for minutes.
MAX_BYTES = 50 * 1024 * 1024
MAX_PAGES = 1000
PAGE_BREAK = "\f"

SUFFIXES = (".pdf", ".docx", ".html", ".htm", ".txt")
# Formats people will try, and what to do with them.
_CONVERT_FIRST = {".doc": "Word 97-2003", ".wps": "WPS", ".rtf": "RTF", ".odt": "OpenDocument", ".ofd": "OFD"}
_UNMAPPED_GLYPH = re.compile(r"\(cid:\d+\)")


class DocumentError(AtlasError):
    """A plan document cannot be read; the message names the file and says what to do."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


def read_document(path: Path) -> str:
    """The raw text of the document at ``path``, chosen by its extension (.pdf, .docx, .html/.htm, .txt).

    Pages of a PDF are separated by ``\\f``; paragraphs of the other formats by a line break. Raises
    :class:`DocumentError` for an unknown extension, a file that is missing, too large, encrypted,
    damaged, or holds no text (a scanned PDF).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in _CONVERT_FIRST:
        raise DocumentError(
            path, f"不支持的文件类型 a {_CONVERT_FIRST[suffix]} file cannot be read; save it as .docx or PDF first"
        )
    if suffix not in SUFFIXES:
        raise DocumentError(
            path,
            f"不支持的文件类型 unsupported file type {suffix or '(none)'!r}; use one of {', '.join(SUFFIXES)}",
        )
    if not path.is_file():
        raise DocumentError(path, "文件不存在 not a regular file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DocumentError(path, f"文件过大 larger than {MAX_BYTES // (1024 * 1024)} MB ({size} bytes); not a plan")
    if size == 0:
        raise DocumentError(path, "文件为空 the file is empty")
    reader = {".pdf": _read_pdf, ".docx": _read_docx, ".html": _read_html, ".htm": _read_html, ".txt": _read_txt}
    text = reader[suffix](path)
    if not text.replace(PAGE_BREAK, "").strip():
        hint = " (a scanned PDF has no text layer: run OCR on it first)" if suffix == ".pdf" else ""
        raise DocumentError(path, f"没有文字 the document holds no text{hint}")
    return text


def _read_pdf(path: Path) -> str:
    import pdfplumber  # imported here: pdfminer is slow to import and only this reader needs it
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    try:
        with pdfplumber.open(path) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise DocumentError(path, f"页数过多 more than {MAX_PAGES} pages ({len(pdf.pages)}); not a plan")
            text = PAGE_BREAK.join(_page_text(page) for page in pdf.pages)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise DocumentError(path, "PDF 已加密 the PDF is encrypted; save an unprotected copy first") from None
    except (PDFSyntaxError, PSException) as exc:
        raise DocumentError(path, f"无法读取 not a readable PDF ({exc or type(exc).__name__})") from None
    except DocumentError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on damaged files; each means "cannot read"
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise DocumentError(path, "PDF 已加密 the PDF is encrypted; save an unprotected copy first") from None
        raise DocumentError(path, f"无法读取 not a readable PDF ({type(exc).__name__}: {exc})") from None
    # A font without a Unicode map comes out as "(cid:1234)" per character: the words cannot be read back.
    unmapped = len(_UNMAPPED_GLYPH.findall(text))
    if unmapped and unmapped >= 0.05 * max(1, len(text) - 9 * unmapped):
        raise DocumentError(
            path,
            f"文字无法识别 {unmapped} characters have no Unicode mapping (fonts embedded without one); "
            "run OCR on the PDF or ask for a text-based copy",
        )
    return text


def _page_text(page: Any) -> str:
    """One PDF page's text in reading order, a line's indentation kept as two ideographic spaces.

    pdfplumber's default tolerances keep Chinese characters together and break where a printed line ends.
    Its text drops where a line starts, yet a Chinese paragraph's first line is indented (首行缩进) or
    centred: that is what tells a paragraph that ends at the margin from one that runs on, so it is
    measured from the words' positions and written back as indentation.
    """
    from pdfplumber.utils import cluster_objects

    lines = (page.extract_text() or "").split("\n")
    # The same clustering of words into lines (by their top, 3 pt apart) as extract_text's.
    rows = cluster_objects(page.extract_words(keep_blank_chars=True), "top", 3)
    if len(rows) != len(lines) or not rows:
        return "\n".join(lines)  # cannot tell which line is which: no indentation, nothing lost
    starts = [min(word["x0"] for word in row) for row in rows]
    sizes = sorted(word["bottom"] - word["top"] for row in rows for word in row)
    size = sizes[len(sizes) // 2]
    margin = min(starts)
    return "\n".join(
        ("\u3000\u3000" + line if start - margin >= 1.5 * size else line)
        for start, line in zip(starts, lines, strict=True)
    )


def _read_docx(path: Path) -> str:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        # An encrypted Word file is an OLE container, not a zip: python-docx cannot open it either.
        raise DocumentError(
            path, f"无法读取 not a readable Word (.docx) file, or it is encrypted ({type(exc).__name__})"
        ) from None
    return "\n".join(_docx_blocks(document))


def _docx_blocks(document: Any) -> Iterator[str]:
    """The body's paragraphs and tables in document order (tables row by row, cells joined by tabs).

    Word's automatic numbering (一、 （一） 1.) is not in a paragraph's text but in the numbering part; it
    is written back in front, since a plan's headings are known by those numbers.
    """
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    numbering = _WordNumbering(document)
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            yield numbering.label(paragraph) + paragraph.text
        elif tag == "tbl":
            for row in Table(child, document).rows:  # type: ignore[arg-type]
                yield "\t".join(cell.text for cell in row.cells)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CHINESE_DIGITS = "〇一二三四五六七八九"


class _WordNumbering:
    """Word's list numbering, counted paragraph by paragraph as Word draws it (start, format, level text)."""

    def __init__(self, document: Any) -> None:
        # num id → level → (start, format, level text such as "%1、" or "（%2）")
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self.counts: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return  # no numbering part: no automatic numbers
        abstract = {node.get(f"{_W}abstractNumId"): node for node in root.iter(f"{_W}abstractNum")}
        for num in root.iter(f"{_W}num"):
            reference = num.find(f"{_W}abstractNumId")
            definition = abstract.get(reference.get(f"{_W}val")) if reference is not None else None
            if definition is None:
                continue
            levels = {
                int(level.get(f"{_W}ilvl", "0")): (
                    int(_value(level, "start", "1")),
                    _value(level, "numFmt", "decimal"),
                    _value(level, "lvlText", ""),
                )
                for level in definition.iter(f"{_W}lvl")
            }
            for override in num.iter(f"{_W}lvlOverride"):
                start = override.find(f"{_W}startOverride")
                level = int(override.get(f"{_W}ilvl", "0"))
                if start is not None and level in levels:
                    levels[level] = (int(start.get(f"{_W}val", "1")), *levels[level][1:])
            self.levels[num.get(f"{_W}numId", "")] = levels

    def label(self, paragraph: Any) -> str:
        """The number Word draws before ``paragraph`` ("一、", "（二）", "3. "), or "" if none."""
        num_id, level = self._number_reference(paragraph)
        levels = self.levels.get(num_id or "")
        if not levels or level not in levels:
            return ""
        counts = self.counts.setdefault(num_id or "", {})
        counts[level] = counts.get(level, levels[level][0] - 1) + 1
        for deeper in [other for other in counts if other > level]:
            del counts[deeper]  # a new item restarts the levels below it
        _, form, text = levels[level]
        if form in ("bullet", "none") or not text:
            return ""

        def number(match: re.Match[str]) -> str:
            at = int(match.group(1)) - 1
            at_start, at_form, _ = levels.get(at, (1, "decimal", ""))
            return _formatted(counts.get(at, at_start), at_form)

        label = re.sub(r"%(\d)", number, text)
        return label + " " if label.endswith(".") else label  # "1. 标题", as typed plans write it

    def _number_reference(self, paragraph: Any) -> tuple[str | None, int]:
        """The paragraph's (num id, level): its own, else its style's or a style it is based on."""
        holders = [paragraph._p.pPr]
        style = paragraph.style
        while style is not None:
            holders.append(style.element.pPr)
            style = style.base_style
        for properties in holders:
            reference = properties.find(f"{_W}numPr") if properties is not None else None
            if reference is None:
                continue
            num_id = reference.find(f"{_W}numId")
            level = reference.find(f"{_W}ilvl")
            return (
                num_id.get(f"{_W}val") if num_id is not None else None,
                int(level.get(f"{_W}val", "0")) if level is not None else 0,
            )
        return None, 0


def _value(node: Any, name: str, default: str) -> str:
    child = node.find(f"{_W}{name}")
    return child.get(f"{_W}val", default) if child is not None else default


def _formatted(number: int, form: str) -> str:
    """``number`` in one of Word's number formats (Chinese counting up to 99, else decimal)."""
    if form.startswith(("chineseCounting", "japaneseCounting", "ideographDigital", "taiwaneseCounting")):
        if form.startswith("ideographDigital"):
            return "".join(_CHINESE_DIGITS[int(digit)] for digit in str(number))
        if 0 < number < 100:
            tens, units = divmod(number, 10)
            return (
                ("" if tens < 2 else _CHINESE_DIGITS[tens])
                + ("十" if tens else "")
                + (_CHINESE_DIGITS[units] if units else "")
            )
    if form in ("upperLetter", "lowerLetter") and 0 < number <= 26:
        letter = chr(ord("A") + number - 1)
        return letter if form == "upperLetter" else letter.lower()
    if form == "decimalEnclosedCircle" and 0 < number <= 20:
        return chr(0x2460 + number - 1)
    return str(number)


def _read_txt(path: Path) -> str:
    return _decode(path, path.read_bytes())


def _decode(path: Path, raw: bytes, declared: str | None = None) -> str:
    """UTF-8 (with or without BOM), else the declared charset, else GB18030 — the Chinese government norm."""
    for encoding in ("utf-8-sig", declared, "gb18030"):
        if encoding is None:
            continue
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise DocumentError(path, "无法解码 neither UTF-8 nor GB18030 text; save it as UTF-8")


_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure"),
        *("footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre"),
        *("section", "table", "tbody", "td", "th", "thead", "tr", "ul"),
    }
)
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)


class _TextParser(HTMLParser):
    """Collects an HTML page's visible text, a line break at each block element's edge."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\t" if tag in ("td", "th") else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS and tag not in ("td", "th"):  # a table's cells share their row's line
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:  # <br/>, <hr/>
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            # White space inside a block is layout, not text: HTML renders runs of it as one space.
            self.parts.append(re.sub(r"\s+", " ", data))


def _read_html(path: Path) -> str:
    raw = path.read_bytes()
    declared = _META_CHARSET.search(raw[:4096])
    text = _decode(path, raw, declared.group(1).decode("ascii") if declared else None)
    parser = _TextParser()
    parser.feed(text)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
