"""Numeric targets and baselines a plan states: a number with one of the targets schema's units.

A number counts when a unit of :data:`app.targets.UNITS` follows it (``2.2万亿元``, ``180家``, ``3-5个``).
Its year is the nearest year the sentence writes before it (else after it): ``2025年``, or the last year of
a five-year plan it names (“十三五”末, “十三五”期间 → 2020). A number the sentence states no year for is
a baseline of the year before the plan where the clause reports what is (拥有, 现有, 已), else a target of
the plan period's last year; the note says which. A year up to the plan's own is a baseline, a later one a
target. Hedges: 左右 → about, 超过/跨越/突破 → over, 以上 → at_least.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.targets import UNITS

_UNIT_WORDS = sorted({*UNITS, "％"}, key=len, reverse=True)
_NUMBER = r"(\d+(?:\.\d+)?)"
_DASHES = "-－–—~～至到"
_QUANTITY = re.compile(
    rf"(?<![\d.．]){_NUMBER}(?:[{_DASHES}]{_NUMBER})?({'|'.join(re.escape(u) for u in _UNIT_WORDS)})"
)
_YEAR = re.compile(r"((?:19|20)\d{2})年")
# Five-year plans by number, from the 11th (“十一五”, 2006–2010) on: each five years later (“十四五” 2021–2025).
_FIVE_YEAR = re.compile(r"“?十([一二三四五六七八九])五”?")
_NUMERALS = "一二三四五六七八九"
_REPORTS = ("拥有", "现有", "已有", "已经", "已", "累计", "实施了", "建成了")
_CLAUSE_BREAKS = re.compile(r"[，。；：！？]")
_LEADING_WORDS = re.compile(r"^(?:其中|到|至|力争|预计|实现|全年|累计|新增|共|约|达|由|是|为|和|及|与)+")
_TRAILING_WORDS = re.compile(r"(?:达到|达|实现|超过|突破|跨越|增长|提高到|提升到|提升至|提高至|为|到|至|约|在|保持)+$")


@dataclass(frozen=True)
class Quantity:
    """A number with its unit in a sentence, and what the sentence says about it."""

    value: float
    value_to: float | None
    unit: str
    qualifier: str | None
    year: int | None
    year_from: str  # "stated", "reported" (the year before the plan) or "period" (the period's last year)
    clause: str
    metric: str
    start: int
    end: int


def quantities(sentence: str, plan_year: int, period_end: int | None) -> list[Quantity]:
    """Every number with a unit in ``sentence``, with its year, hedge, clause and metric words."""
    found: list[Quantity] = []
    years = [(match.start(), int(match.group(1))) for match in _YEAR.finditer(sentence)]
    years += [(m.start(), 2010 + 5 * _NUMERALS.index(m.group(1))) for m in _FIVE_YEAR.finditer(sentence)]
    years.sort()
    for match in _QUANTITY.finditer(sentence):
        value, value_to, unit = float(match.group(1)), match.group(2), match.group(3)
        unit = "%" if unit == "％" else unit
        upper = float(value_to) if value_to is not None else None
        if upper is not None and upper <= value:
            continue
        before = [year for position, year in years if position < match.start()]
        after = [year for position, year in years if position > match.end()]
        year = before[-1] if before else (after[0] if after else None)
        clause_start, clause_end = _clause_around(sentence, match.start(), match.end())
        clause = sentence[clause_start:clause_end]
        year_from = "stated"
        if year is None:
            reported = any(word in sentence[clause_start : match.start()] for word in _REPORTS)
            year, year_from = (plan_year - 1, "reported") if reported else (period_end, "period")
        found.append(
            Quantity(
                value=value,
                value_to=upper,
                unit=unit,
                qualifier=_qualifier(sentence, match.start(), match.end()),
                year=year,
                year_from=year_from,
                clause=clause,
                metric=_metric(sentence[clause_start : match.start()]),
                start=match.start(),
                end=match.end(),
            )
        )
    return found


def _clause_around(sentence: str, start: int, end: int) -> tuple[int, int]:
    breaks = [m.start() for m in _CLAUSE_BREAKS.finditer(sentence)]
    left = max((b + 1 for b in breaks if b < start), default=0)
    right = min((b for b in breaks if b >= end), default=len(sentence))
    if sentence[right : right + 1] in ("。", "；"):
        right += 1
    return left, right


def _qualifier(sentence: str, start: int, end: int) -> str | None:
    after, before = sentence[end : end + 3], sentence[max(0, start - 4) : start]
    if after.startswith("左右"):
        return "about"
    if after.startswith("以上"):
        return "at_least"
    if any(word in before for word in ("超过", "跨越", "突破")):
        return "over"
    return None


def _metric(words: str) -> str:
    """What is counted: the clause's words before the number, without its year and verbs."""
    words = _YEAR.sub("", words)
    words = _TRAILING_WORDS.sub("", _LEADING_WORDS.sub("", words))
    return words.strip("，、：“”")
