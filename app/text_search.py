"""Text folding for matching names typed in 中文, English or pinyin."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pypinyin import lazy_pinyin
from rapidfuzz import process

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SEPARATORS = re.compile(r"[\s'’‘\-–—·.,，、。()（）“”\"/]")


def fold(text: str) -> str:
    """Fold case, width, spaces, quotes, apostrophes and hyphens, and drop control characters (which
    no name contains and PostgreSQL refuses): ``Jiang'an`` → ``jiangan``."""
    folded = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).casefold())
    return "".join(character for character in folded if unicodedata.category(character) != "Cc")


def pinyin(text: str) -> str:
    """Toneless pinyin of the Chinese characters in ``text``, folded: 咸宁起重 → ``xianningqizhong``."""
    return fold("".join(lazy_pinyin(text)))


def romanise(text: str) -> str:
    """Capitalised pinyin with apostrophes where syllables would run together: 江岸 → ``Jiang'an``."""
    syllables = lazy_pinyin(text)
    out = syllables[0] if syllables else ""
    for syllable in syllables[1:]:
        out += ("'" if syllable[:1] in "aeo" else "") + syllable
    return out[:1].upper() + out[1:]


def has_chinese(text: str) -> bool:
    """True if ``text`` holds a CJK character (its pinyin then says something the text does not)."""
    return bool(_CJK.search(text))


def folded_terms(*texts: str | None, chinese: Iterable[str] = ()) -> str:
    """One searchable string: every text folded, plus the pinyin of the Chinese ones, joined by ``|``."""
    parts = [fold(text) for text in texts if text]
    parts += [pinyin(text) for text in chinese if text]
    return "|" + "|".join(dict.fromkeys(part for part in parts if part)) + "|"


def did_you_mean(value: str, choices: Iterable[str], cutoff: float = 50) -> str:
    """``; did you mean 'x'?`` for the choice nearest ``value`` (score ≥ ``cutoff``), else nothing."""
    found = process.extractOne(value, sorted(choices), score_cutoff=cutoff)
    return f"; did you mean {found[0]!r}?" if found else ""
