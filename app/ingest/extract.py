"""Propose a plan's entities and targets from its text (``atlas propose``): patterns, the gazetteer and
the sector taxonomy — never the catalogue's entity names or quotes.

For every sentence: the names ending in a kind word (app.ingest.mentions) and the city specialisations
(a city 在…领域, 以…为核心, 支持…发展); their places from the gazetteer (the name's own, else the sentence's,
else the whole province — data/README.md's inclusion rule); sectors from the taxonomy's names and aliases
(the name's, else the words before it in the sentence, else the heading's); status from the plan's verb;
the clause as the verbatim quote, the heading path, and the sentences before and after. Every number with
a unit becomes a target or baseline. Only after all that is the catalogue consulted, to flag proposals
that look like catalogued entities (``duplicates``) or earlier editions' (``lineage``): flags, never merges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.catalogue import Catalogue, Kind, Plan, PlanRef, Status
from app.gazetteer import Gazetteer
from app.ingest import naming
from app.ingest.mentions import Mention, find_mentions
from app.ingest.placenames import PROVINCE, Place
from app.ingest.proposals import Proposal, ProposalFile, Review, Source
from app.ingest.proposed_targets import propose_targets
from app.ingest.reading import Reader
from app.ingest.sentences import Sentence
from app.plan_texts import squeeze
from app.validation import ValidData

# Status from the plan's verb (data/README.md, "Status"); the nearest verb before the name decides,
# else the first after it; a plan mostly calls for things, so a name with no verb is planned.
_EXISTING = (
    "已形成", "已建成", "已经形成", "形成了", "现有", "拥有", "依托", "发挥", "有效利用", "利用", "取得", "初具",
    "作为",
)  # fmt: skip
_PLANNED = (
    "建设", "打造", "创建", "培育", "支持", "推进", "推动", "加快", "筹建", "搭建", "构建", "建立", "建成",
    "形成", "布局", "发展", "争创", "组建", "探索", "启动",
)  # fmt: skip
# Words after a name in its clause that say the plan finds it at work.
_EXISTING_AFTER = ("取得", "参与", "初具", "实力显著增强", "发挥作用")
_VERBS = re.compile("|".join(sorted((*_EXISTING, *_PLANNED), key=len, reverse=True)))
_CLAUSE_MARK = re.compile(r"[，；：]")
_MAX_REFS = 3
_SPECIALISATION = [
    (re.compile(r"^(?P<place>{places})(?:市)?在(?P<what>[^，。；]{{2,60}}?)等?领域"), "在…领域"),
    (re.compile(r"以(?P<place>{places})为核心(?!，以)"), "以…为核心"),
    (
        re.compile(
            r"(?:支持|推动|鼓励)(?P<place>(?:{places})(?:[、和](?:{places}))*)(?:大力|重点|加快)?发展"
            r"(?P<what>[^，。；、]{{2,30}})"
        ),
        "支持…发展",
    ),
    (re.compile(r"(?P<place>{places})[^。；]{{0,80}}?(?:大力|重点|加快)发展(?P<what>[^，。；、]{{2,30}})"), "…发展"),
]


@dataclass
class _Found:
    """A proposal being put together: one name (and places) of the plan, with every sentence naming it."""

    name: str
    kind: Kind
    members: list[str]
    places_from: str
    sectors: list[str]
    sectors_from: str
    status: Status
    status_from: str
    pattern: str
    refs: list[tuple[Sentence, str]] = field(default_factory=list)


def propose(text: str, plan: Plan, data: ValidData, source: Source) -> ProposalFile:
    """The proposals for one plan: its entities and targets, each with its quote and review block."""
    reader = Reader.of(text, plan, data)
    title = squeeze(plan.title_zh)
    found: list[_Found] = []
    for sentence in reader.sentences:
        if title in sentence.text:
            continue  # the title block names the document (湖北省…产业集群发展行动计划), not an entity it places
        for item in _entities_in(reader, sentence):
            same = next((earlier for earlier in found if _same_thing(earlier, item)), None)
            if same is None:
                found.append(item)
            elif len(same.refs) < _MAX_REFS and all(quote != item.refs[0][1] for _, quote in same.refs):
                same.refs.extend(item.refs)  # a passage the text repeats (a PDF artefact) is cited once
    taken = {entity.id for entity in data.catalogue.entities}
    entities = [_proposal(reader, item, taken) for item in found]
    for entity in entities:
        _flag(entity, plan, data.catalogue, data.gazetteer)
    targets = propose_targets(reader)
    return ProposalFile(plan=plan, source=source, entities=entities, targets=targets)


def _same_thing(earlier: _Found, later: _Found) -> bool:
    """Whether a later mention is the plan naming an earlier proposal again (one proposal, two quotes).

    The same name at the same places or once province-wide (长江经济带); a city group of the same cities
    (“宜荆荆恩”城市群 and the belt it forms); a specialisation of the same city (a plan gives a city one);
    or a like name of the same kind at the same places (“汉孝随襄十”汽车走廊 after “汉孝随襄十”千里汽车
    产业走廊). Only the plan's own mentions are merged, never a catalogue entity.
    """
    if earlier.name == later.name:
        return earlier.members == later.members or PROVINCE in (*earlier.members, *later.members)
    if earlier.kind is not later.kind or earlier.members != later.members:
        return False
    placed = PROVINCE not in earlier.members
    if placed and (later.kind is Kind.specialisation or (later.kind is Kind.city_group and len(later.members) >= 2)):
        return True
    return naming.names_alike(earlier.name, later.name)


# --- entities ------------------------------------------------------------------------------------------


def _entities_in(reader: Reader, sentence: Sentence) -> list[_Found]:
    """The entities one sentence names: its names by kind word, then a city specialisation if any."""
    words = sentence.text
    places = reader.places.find(words)
    mentions = find_mentions(words)
    found: list[_Found] = []
    placed: list[tuple[Mention, list[str], str]] = []
    previous_end = 0
    floor = 0  # places before a name bound to an earlier one by 的 are that name's alone
    for mention in mentions:
        members, places_from = _members(reader, mention, places, words, mentions, placed, floor)
        if places_from.startswith("places from the sentence") and "的" in words[floor : mention.start]:
            floor = mention.end
        placed.append((mention, members, places_from))
        if placed[:-1] and words[placed[-2][0].end : mention.start].startswith(("是", "为")):
            continue  # 武汉经济技术开发区是全国重要的汽车生产基地: the second name says what the first is
        # A class of institution is not catalogued; a class of cluster or base is where places are named
        # (鼓励武汉、襄阳…建设特色产业集群).
        if mention.is_class and (mention.kind is Kind.platform or places_from.startswith("province")):
            continue
        if words.rfind("《", 0, mention.start) > words.rfind("》", 0, mention.start):
            continue  # inside a document's title (《湖北省…产业集群发展规划》): a document cited, not an entity
        kind = _kind(mention)
        sectors, sectors_from = _sectors(reader, sentence, mention.name, words[previous_end : mention.start])
        status, status_from = _status(words, mention.start, mention.end)
        quote = _quote(words, mention.start, mention.end)
        pattern = f"“…{mention.kind_word}” (name read back to “{mention.stopped_by}”)"
        item = _Found(mention.name, kind, members, places_from, sectors, sectors_from, status, status_from, pattern)
        item.refs.append((sentence, quote))
        found.append(item)
        previous_end = mention.end
    found.extend(_specialisations(reader, sentence, places, mentions))
    return found


def _members(
    reader: Reader,
    mention: Mention,
    places: list[Place],
    words: str,
    mentions: list[Mention],
    placed: list[tuple[Mention, list[str], str]],
    floor: int,
) -> tuple[list[str], str]:
    """The entity's places (data/README.md, "Place"): those its name gives; else those it shares through
    和 with the name before it (荆州…集群和建筑工程机械集群); else those of the city group the sentence ties
    it to (“襄十随神”城市群沿汉江千里产业走廊); else the sentence's places that no other name holds and no
    earlier name binds by 的; else the whole province."""
    own = [place for place in places if mention.start <= place.start and place.end <= mention.end]
    if own:
        return _unique(own), "places from the name" + _hows(own)
    if placed:
        before, members, how = placed[-1]
        if words[before.end : mention.start] in ("和", "及", "与") and not how.startswith("province"):
            return members, f"places shared through “{words[before.end : mention.start]}” with {before.name}"
    groups = [(m, members) for m, members, how in placed if m.kind is Kind.city_group and how.startswith("places")]
    if groups and mention.kind in (Kind.corridor, Kind.city_group, Kind.base, Kind.cluster):
        group, members = groups[-1]
        return members, f"places of {group.name}, which the sentence ties it to"
    others = [other for other in mentions if other is not mention]
    free = [
        place
        for place in places
        if place.start >= floor
        and not any(other.start <= place.start and place.end <= other.end for other in others)
        and place.unit.level.value != "province"
    ]
    if free:
        return _unique(free), "places from the sentence" + _hows(free)
    said = reader.places.province_words(words)
    if said:
        return [PROVINCE], f"province-wide: the sentence says {'、'.join(said)}"
    return [PROVINCE], "province-wide: the plan names no place within Hubei for it (shown at province level)"


def _unique(places: list[Place]) -> list[str]:
    members: list[str] = []
    adcodes: set[int] = set()
    for place in places:
        if place.unit.adcode not in adcodes:
            adcodes.add(place.unit.adcode)
            members.append(place.member)
    return members


def _hows(places: list[Place]) -> str:
    abbreviations = sorted({place.how for place in places if place.how != "name"})
    return f" ({'; '.join(abbreviations)})" if abbreviations else ""


def _kind(mention: Mention) -> Kind:
    """The kind word's kind; a cluster strung stop by stop along the river (沿江, A—B—C) is a corridor."""
    if mention.kind is Kind.cluster and "沿江" in mention.name and "—" in mention.name:
        return Kind.corridor
    return mention.kind


def _sectors(reader: Reader, sentence: Sentence, name: str, before: str) -> tuple[list[str], str]:
    """Sectors the name names; else the words before it in the sentence; else its nearest heading that
    names one. Words for the whole industry (装备制造业, the plan title's field) give every top-level sector."""
    heading = reader.heading(sentence)
    for words, where in [(name, "the name"), (before, "the sentence")] + [
        (part, f"the heading “{part}”") for part in reversed(heading.split(" › ") if heading else [])
    ]:
        hits = reader.sectors.find(words)
        if hits:
            return [hit.sector for hit in hits], f"sectors from {where} (" + "、".join(h.words for h in hits) + ")"
        whole = reader.sectors.whole_industry(words)
        if whole:
            return reader.sectors.top_level, f"every top-level sector: {where} names the whole field ({whole})"
    return [], "no sector named"


def _status(words: str, start: int, end: int) -> tuple[Status, str]:
    """Status from the plan's verb for the name (data/README.md, "Status")."""
    clause_end = min([m.start() for m in _CLAUSE_MARK.finditer(words, end)] or [len(words)])
    found = next((word for word in _EXISTING_AFTER if word in words[end:clause_end]), None)
    if found is not None:  # …联盟取得实质成效, …联盟参与工程招投标: the plan relies on what is there
        return Status.existing, f"status from “…{found}”"
    if words[end : end + 2] == "建设":  # 国家航天产业基地建设: the plan calls for it
        return Status.planned, "status from “…建设”"
    before = list(_VERBS.finditer(words, 0, start))
    if not before and start == 0 and end < len(words):  # the name is the sentence's subject: it is there
        return Status.existing, "status existing: the name opens the sentence as its subject"
    after = list(_VERBS.finditer(words, end))
    verb = before[-1].group() if before else (after[0].group() if after else None)
    if verb is None:
        return Status.planned, "status planned: no verb found"
    status = Status.existing if verb in _EXISTING else Status.planned
    return status, f"status from “{verb}”"


def _quote(words: str, start: int, end: int) -> str:
    """The clause(s) holding the name, from the clause before it when the name opens its clause."""
    marks = [m.start() for m in _CLAUSE_MARK.finditer(words)]
    left = max((mark + 1 for mark in marks if mark < start), default=0)
    if start - left < 2 and left > 0:  # the name opens its clause: take the clause before for its verb
        left = max((mark + 1 for mark in marks if mark < left - 1), default=0)
    right = min((mark for mark in marks if mark >= end), default=len(words))
    return words[left:right]


def _specialisations(reader: Reader, sentence: Sentence, places: list[Place], mentions: list[Mention]) -> list[_Found]:
    """What a city is to do or has, said without a kind word: 宜昌市在…领域, 以武汉为核心, 支持武汉…发展."""
    names = sorted({place.written for place in places if place.how == "name"}, key=len, reverse=True)
    names = [name for name in names if reader.places.gazetteer.resolve(name).level.value != "province"]
    if not names:
        return []
    alternatives = "|".join(re.escape(name) for name in names)
    words = sentence.text
    for template, label in _SPECIALISATION:
        match = re.compile(template.pattern.format(places=alternatives)).search(words)
        if match is None or any(m.start <= match.start("place") < m.end for m in mentions):
            continue
        place = match.group("place")
        members = _unique([p for p in places if match.start("place") <= p.start and p.end <= match.end("place")])
        place = members[0] if len(members) == 1 else "、".join(members)
        what = match.groupdict().get("what") or ""
        if what and any(word in what for word in ("产业集群", "基地", "平台", "实验室", "中心")):
            continue  # a kind word: the name is proposed as such
        first = re.split(r"[、和及与]", what)[0] if what else "为核心"
        name = f"{place}{first}" if what else f"以{place}为核心"
        sectors, sectors_from = _sectors(reader, sentence, what, words)
        status, status_from = _status(words, match.start("place"), match.end())
        if label != "在…领域":  # 以…为核心, …发展: the plan calls for it
            status, status_from = Status.planned, f"status from “{label}”"
        item = _Found(
            name, Kind.specialisation, members, "places from the sentence", sectors, sectors_from,
            status, status_from, f"city specialisation “{label}”",
        )  # fmt: skip
        item.refs.append((sentence, _quote(words, match.start(), match.end())))
        return [item]
    return []


def _proposal(reader: Reader, item: _Found, taken: set[str]) -> Proposal:
    name_en = naming.english_name(item.name)
    identifier = naming.unique_slug(name_en, taken)
    taken.add(identifier)
    first_sentence = item.refs[0][0]
    refs = [
        PlanRef(
            plan=reader.plan.id,
            year=reader.plan.year,
            section=reader.section(sentence),
            quote=quote,
        )
        for sentence, quote in item.refs
    ]
    reason = "; ".join([f"matched pattern {item.pattern}", item.places_from, item.sectors_from, item.status_from])
    return Proposal(
        id=identifier,
        name_zh=item.name,
        name_en=name_en,
        kind=item.kind,
        sectors=item.sectors,
        members=item.members,
        status=item.status,
        plan_refs=refs,
        review=Review(reason=reason, context=reader.context(first_sentence)),
    )


# --- flags (after extraction) --------------------------------------------------------------------------


def _flag(entity: Proposal, plan: Plan, catalogue: Catalogue, gazetteer: Gazetteer) -> None:
    """Flag catalogued entities that look like ``entity``: of this plan or its year (duplicates), of
    earlier plans (lineage candidates). Only flags: nothing is merged."""
    years = {each.id: each.year for each in catalogue.plans}
    for other in catalogue.entities:
        if not naming.names_alike(entity.name_zh, other.name_zh):
            continue
        if not naming.places_overlap(entity.members, other.members, gazetteer):
            continue
        plan_years = {years.get(ref.plan, 0) for ref in other.plan_refs}
        plans = {ref.plan for ref in other.plan_refs}
        if plan.id in plans or plan.year in plan_years:
            entity.review.duplicates.append(other.id)
        elif plan_years and max(plan_years) < plan.year:
            entity.review.lineage.append(other.id)


# --- targets -------------------------------------------------------------------------------------------
