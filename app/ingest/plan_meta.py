"""The plan record of a new plan (``plans:`` in clusters.yaml): what the planner gives, the rest read
from the document's own words where it states them (title line, issuer line, 2021年12月31日, 2021—2025年).

Every guess is reported, so the planner sees what to check; what cannot be read must be given.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import ValidationError

from app.catalogue import Plan
from app.errors import AtlasError
from app.ingest.naming import english_words

_TITLE_ENDS = ("规划", "方案", "计划", "纲要", "意见", "办法")
_ISSUER = re.compile(
    r"^(湖北省?|[\u4e00-\u9fff]{2,4}[省市州县])[\u4e00-\u9fff]{0,20}?(厅|委员会|人民政府|办公厅|局|委)(?:文件)?$"
)
_DATE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日")
_PERIOD = re.compile(r"((?:19|20)\d{2})年?\s*[—–\-－至到]\s*((?:19|20)\d{2})年")
_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,10}〔(?:19|20)\d{2}〕\d{1,4}号$")


class PlanMetaError(AtlasError):
    """The plan record cannot be made: something the document does not state must be given."""


def plan_record(text: str, plan_id: str, given: dict[str, str | int | None]) -> tuple[Plan, list[str]]:
    """The plan record for ``plan_id``: the ``given`` fields (title_zh, title_en, year, issuer_zh,
    issuer_en, number, date, period) and, for those not given, what the text states. Returns the record
    and one line per guessed field, for the planner to check."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    guessed: list[str] = []

    def pick(field: str, found: str | int | None) -> str | int | None:
        value = given.get(field)
        if value not in (None, ""):
            return value
        if found not in (None, ""):
            guessed.append(f"{field}: {found}")
        return found

    title = pick("title_zh", next((line for line in lines if _is_title(line)), None))
    issuer = pick("issuer_zh", next((line.removesuffix("文件") for line in lines if _ISSUER.match(line)), None))
    day = pick("date", _first_date(text))
    period_match = _PERIOD.search(text)
    period = pick("period", f"{period_match.group(1)}—{period_match.group(2)}" if period_match else None)
    number = pick("number", next((line for line in lines[:40] if _NUMBER.match(line)), None))
    year_found = int(str(day)[:4]) if day else (int(str(period)[:4]) if period else None)
    year = pick("year", year_found)
    missing = [name for name, value in (("--title", title), ("--issuer", issuer), ("--date", day)) if not value]
    if missing:
        raise PlanMetaError(
            f"规划未写明 the document does not state its {', '.join(m[2:] for m in missing)}: "
            f"give {' and '.join(missing)}"
        )
    title_en = pick("title_en", english_words(str(title)))
    issuer_en = pick("issuer_en", english_words(str(issuer)))
    try:
        plan = Plan(
            id=plan_id,
            file=f"plans/{plan_id}.txt",
            year=int(year) if year is not None else date.fromisoformat(str(day)).year,
            title_zh=str(title),
            title_en=str(title_en),
            issuer_zh=str(issuer),
            issuer_en=str(issuer_en),
            number=str(number) if number else None,
            date=date.fromisoformat(str(day)),
            period=str(period) if period else None,
        )
    except (ValidationError, ValueError) as exc:
        raise PlanMetaError(f"规划信息有误 the plan record is not valid: {exc}") from None
    return plan, guessed


def _is_title(line: str) -> bool:
    """A short line ending in 规划, 方案 … (a period in brackets after it aside: …行动计划（2024—2026年）)."""
    bare = re.sub(r"[（(][^）)]*[）)]$", "", line)
    return len(line) <= 50 and not re.search(r"[，。：；]", line) and bare.endswith(_TITLE_ENDS)


def _first_date(text: str) -> str | None:
    match = _DATE.search(text)
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
