"""Names for proposals: an English rendering (pinyin of the words, the kind word translated), a unique
slug id, and the likeness test behind the duplicate and lineage flags."""

from __future__ import annotations

import re
from typing import Any

import jieba
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise

# The kind words' English, so that a reviewer reads the rendering at a glance.
_KIND_EN = {
    "产业集群": "Industrial Cluster",
    "集群": "Cluster",
    "聚集区": "Agglomeration Zone",
    "集聚区": "Agglomeration Zone",
    "走廊": "Corridor",
    "产业带": "Industrial Belt",
    "经济带": "Economic Belt",
    "城市群": "City Group",
    "城市圈": "City Circle",
    "都市圈": "Metropolitan Area",
    "基地": "Base",
    "产业园区": "Industrial Park",
    "产业园": "Industrial Park",
    "园区": "Park",
    "示范区": "Demonstration Zone",
    "开发区": "Development Zone",
    "发展区": "Development Zone",
    "实验室": "Laboratory",
    "创新中心": "Innovation Centre",
    "中心": "Centre",
    "研究院": "Research Institute",
    "平台": "Platform",
    "联盟": "Alliance",
    "设施": "Facility",
    "节点": "Node",
}
_QUOTES = re.compile(r"[“”\"'《》\s]")


def english_words(text: str) -> str:
    """Pinyin of ``text`` word by word (jieba's words), capitalised; Latin and digits as written."""
    words = [word for word in jieba.lcut(_QUOTES.sub("", text)) if word.strip()]
    rendered = []
    for word in words:
        if re.fullmatch(r"[\x00-\x7f]+", word):
            rendered.append(word)
        elif re.fullmatch(r"[\u4e00-\u9fff]+", word):
            rendered.append("".join(lazy_pinyin(word)).capitalize())
    return " ".join(rendered) or "Unnamed"


def english_name(name_zh: str) -> str:
    """A pinyin rendering of the name with its kind word in English: 京山包装机械产业集群 → Jingshan
    Baozhuang Jixie Industrial Cluster. The reviewer may edit it."""
    bare = _QUOTES.sub("", name_zh)
    for word in sorted(_KIND_EN, key=len, reverse=True):
        if bare.endswith(word) and len(bare) > len(word):
            return f"{english_words(bare[: -len(word)])} {_KIND_EN[word]}"
    return english_words(bare)


def slug(text: str, limit: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens, cut at a word within ``limit`` characters."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    result = ""
    for word in words:
        candidate = f"{result}-{word}" if result else word
        if len(candidate) > limit:
            break
        result = candidate
    return result or "entity"


def unique_slug(text: str, taken: set[str]) -> str:
    """A slug of ``text`` not in ``taken`` (a number appended where needed)."""
    base = slug(text)
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def bare_name(name: str) -> str:
    """A name without quotation marks and white space, brackets half-width."""
    return _QUOTES.sub("", name).replace("（", "(").replace("）", ")")


def names_alike(first: str, second: str) -> bool:
    """True if one name holds the other (four characters at least), or they are mostly the same."""
    a, b = bare_name(first), bare_name(second)
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= 4 and shorter in longer:
        return True
    return fuzz.ratio(a, b) >= 75


def places_overlap(first: list[Any], second: list[Any], gazetteer: Any) -> bool:
    """True if the two member lists share a place, or both are the whole province."""
    one, two = _adcodes(first, gazetteer), _adcodes(second, gazetteer)
    return bool(one & two)


def _adcodes(members: list[Any], gazetteer: Any) -> set[int]:
    codes: set[int] = set()
    for member in members:
        unit = gazetteer.resolve(member)
        if unit is not None:
            codes.add(unit.adcode)
    return codes
