"""Make a DOCX and a PDF of a plan text, so that the evaluation runs ``atlas propose`` on the formats plans
arrive in (issue 13, point 4): ``python eval/documents.py PLAN.txt OUT_DIR`` writes OUT_DIR/PLAN.docx and
OUT_DIR/PLAN.pdf.

One paragraph per non-empty line; heading lines (一、 （一）) as headings. The PDF is laid out on A4 pages
with a running header and page numbers, which the normaliser must remove again.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import docx

_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")
FONT = "'Noto Serif CJK SC', 'Noto Sans CJK SC', serif"
RUNNING_HEADER = "湖北省规划文件"


def paragraphs(text: str) -> list[str]:
    """The text's non-empty lines."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def write_docx(text: str, path: Path) -> Path:
    """The text as a Word document, headings as headings."""
    document = docx.Document()
    for line in paragraphs(text):
        if _HEADING.match(line) and len(line) < 40:
            document.add_heading(line, level=1 if "、" in line[:4] else 2)
        else:
            document.add_paragraph(line)
    document.save(str(path))
    return path


def write_pdf(text: str, path: Path) -> Path:
    """The text as an A4 PDF with a running header and page numbers (WeasyPrint)."""
    from weasyprint import HTML  # imported here: WeasyPrint takes a while to import

    body = "".join(f"<p>{html.escape(line)}</p>" for line in paragraphs(text))
    css = f"""
      @page {{ size: A4; margin: 2.5cm 2cm;
        @top-center {{ content: "{RUNNING_HEADER}"; font-family: {FONT}; font-size: 9pt }}
        @bottom-center {{ content: "- " counter(page) " -"; font-family: {FONT}; font-size: 9pt }} }}
      body {{ font-family: {FONT}; font-size: 12pt; line-height: 1.6 }}
      p {{ margin: 0 0 .4em; text-indent: 2em }}
    """
    page = f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{css}</style></head><body>{body}</body></html>"
    HTML(string=page).write_pdf(path)
    return path


def main(argv: list[str]) -> None:
    """``documents.py PLAN.txt OUT_DIR``."""
    source, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    text = source.read_text(encoding="utf-8")
    write_docx(text, out / f"{source.stem}.docx")
    write_pdf(text, out / f"{source.stem}.pdf")


if __name__ == "__main__":
    main(sys.argv[1:])
