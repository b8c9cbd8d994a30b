"""How a plan is cited wherever one of its quotes appears: one function, one string, Chinese first.

The API's ``plan_refs``, the page's quotes, the files, the brief and the print sheet all cite a plan with
:func:`plan_citation`, so a reader sees the same title, issuer, document number, date and period
everywhere. A plan whose text bears no document number says so rather than leaving a gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

NO_NUMBER_ZH = "原文未载文号"
NO_NUMBER_EN = "no document number in the text"


def plan_citation(plan: Mapping[str, Any]) -> str:
    """``《title》，issuer，number，date，规划期 period / title, issuer, number, date, period``.

    ``plan`` is a plan record as a mapping (the catalogue's ``Plan.model_dump()`` or a row of the store's
    ``plans`` table): ``title_zh``, ``title_en``, ``issuer_zh``, ``issuer_en``, ``number`` (or None),
    ``date`` (a date or ISO text) and ``period`` (e.g. ``2021—2025``, or None)."""
    day = plan["date"] if isinstance(plan["date"], date) else date.fromisoformat(str(plan["date"]))
    number = plan.get("number")
    period = plan.get("period")
    zh = [f"《{plan['title_zh']}》", plan["issuer_zh"], number or NO_NUMBER_ZH, f"{day.year}年{day.month}月{day.day}日"]
    en = [plan["title_en"], plan["issuer_en"], number or NO_NUMBER_EN, day.isoformat()]
    if period:
        zh.append(f"规划期{period}年")
        en.append(f"period {period.replace('—', '–')}")
    return "，".join(zh) + " / " + ", ".join(en)
