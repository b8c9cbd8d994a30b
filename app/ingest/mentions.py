"""Named entities in a sentence, found by the word that ends their name (…产业集群, …走廊, …实验室).

A name is read leftwards from its kind word to where the sentence stops it: punctuation, a verb or
function word (建设, 打造, 依托, 的, 和 …), the end of another name, or 30 characters. Quotation marks
and brackets are kept whole (“汉孝随襄十”千里汽车产业走廊, 首（台）套…平台). 和/与/及 end a name only once
it has three characters of its own (研发和制造基地 stays whole; 荆州…产业集群和建筑工程机械集群 is two);
等 ends it only after a list (医疗装备等高端装备产业集群 → 高端装备产业集群; 机床等产业数据平台 stays whole).
A name made only of generic words (国家级重大技术创新平台, 企业技术中心) names a class, not a thing; it is
kept only where the sentence places it (data/README.md: classes of institution are not catalogued).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.catalogue import Kind

# Kind words, longest first at any position; each with the kind it gives (data/README.md, "Kind").
KIND_WORDS: dict[str, Kind] = {
    "产业集群": Kind.cluster,
    "装备集群": Kind.cluster,
    "集群": Kind.cluster,
    "聚集区": Kind.cluster,
    "集聚区": Kind.cluster,
    "走廊": Kind.corridor,
    "产业带": Kind.corridor,
    "城市群": Kind.city_group,
    "城市圈": Kind.city_group,
    "都市圈": Kind.city_group,
    "经济带": Kind.city_group,
    "基地": Kind.base,
    "产业园区": Kind.base,
    "产业园": Kind.base,
    "园区": Kind.base,
    "示范区": Kind.base,
    "开发区": Kind.base,
    "高新区": Kind.base,
    "发展区": Kind.base,
    "试验区": Kind.base,
    "实验室": Kind.platform,
    "创新中心": Kind.platform,
    "中心": Kind.platform,
    "研究院": Kind.platform,
    "平台": Kind.platform,
    "联盟": Kind.platform,
    "设施": Kind.platform,
    "节点": Kind.platform,
}
_KIND_PATTERN = re.compile(
    "(?:" + "|".join(re.escape(word) for word in sorted(KIND_WORDS, key=len, reverse=True)) + ")"
    # not 集群化, 平台型, 平台经济, 中心城市, 平台装备, 集群加工系统, 设施配套, 整车平台研发 (a word that goes on is no
    # name's end: the kind word is part of a product or of another word)
    r"(?![化式型]|经济|城市|企业|装备|设备|系统|产品|加工|配套|网络|核心|研发)"
)
_HARD_STOPS = set("，。；：、！？,;:（(“《》")
# Verbs and function words that end a name on its left (longest first when matching).
_STOP_TEXT = """建设 加快 打造 创建 培育 发展 形成 建立 搭建 构建 推进 推动 支持 依托 发挥 利用 参与 建成 成为 作为
    筹建 布局 围绕 鼓励 实施 开展 提升 完善 壮大 促进 强化 加强 引进 对接 争创 组建 设立 聚焦 面向 依靠 探索
    启动 规划 谋划 申报 积极 大力 重点 着力 加速 推广 于一体 一体 一批 若干 一个 一些 多个 各类 各地 各市 通过 不同
    做强 做优 做大 争建 基于 引导 统筹协调 联合 让 使
    把 将 在 以 为 由 和 与 及 以及 或 等 的 了 着 个 各 其 该 这 沿"""
_STOP_WORDS = sorted(_STOP_TEXT.split(), key=len, reverse=True)
_JOINERS = {"和", "与", "及", "以及"}
# Verbs that may end a name's own words just before its kind word (产业发展示范区, 供需对接平台, 转型促进中心).
_NAME_VERBS = {"发展", "对接", "促进", "推广", "服务", "提升"}
# Words that name a class of thing rather than one thing (国家级重大技术创新平台): a name made of these
# and its kind word alone is a class.
_GENERIC_TEXT = """国家级 国家 省级 省 市级 市 重点 重大 工程 技术 企业 创新 研究 研发 制造业 公共 服务 产业
    绿色 示范 试点
    高水平 新型 协同 特色 优势 现代 高端 先进 骨干 龙头 综合 共性 关键 基础 科技 高新 合作 区域 检验 检测 应用
    工业 质量 行业 专业 相关 高质量 一批 各类 优势特色 企业级 内部 中小企业 认证 互联网"""
_GENERIC = sorted(_GENERIC_TEXT.split(), key=len, reverse=True)
MAX_NAME = 30
_FEATURED = re.compile(r"以([^，。；以]{2,40}?)为特色的")


@dataclass(frozen=True)
class Mention:
    """A name found in a sentence: its words, kind word, kind and span."""

    name: str
    kind_word: str
    kind: Kind
    start: int
    end: int
    stopped_by: str

    @property
    def is_class(self) -> bool:
        """True if the name is made of generic words alone (a class of thing, not one thing)."""
        core = self.name[: -len(self.kind_word)].strip("“”")
        while core:
            word = next((w for w in _GENERIC if core.startswith(w)), None)
            if word is None:
                return False
            core = core[len(word) :]
        return True


def find_mentions(sentence: str) -> list[Mention]:
    """The names in ``sentence``, in order."""
    mentions: list[Mention] = []
    last_end = 0
    for match in _KIND_PATTERN.finditer(sentence):
        kind_word = match.group()
        before = sentence[max(0, match.start() - 2) : match.start()]
        if (kind_word, before) in (("设施", "基础"), ("中心", "加工")):
            continue  # 基础设施 is infrastructure, 加工中心 a machine tool
        end = _extend_right(sentence, match.end())
        start, stopped_by = _left_edge(sentence, match.start(), last_end)
        if stopped_by == "的" and KIND_WORDS[kind_word] is Kind.platform and "组成" in sentence[last_end:start]:
            # An alliance the plan names by who forms it (由用户企业和制造企业组成的产业联盟): read on past 的.
            start, stopped_by = _left_edge(sentence, match.start(), last_end, described=True)
        name = sentence[start:end]
        featured = _FEATURED.search(sentence, last_end, match.start() + 1)
        if stopped_by == "的" and featured is not None and featured.end() == match.start():
            # 以航空航天、轨道交通、智能制造等为特色的产业集群: the fields it features name it
            start = featured.start()
            name = featured.group(1).removesuffix("等") + "特色" + sentence[match.start() : end]
            stopped_by = "以…为特色的"
        # 等… after a list is the list's label (…等区域特色装备产业集群), not a thing of its own.
        # 专栏N … is a box's heading, not a name.
        if len(name) - len(kind_word) < 2 or name.startswith(("等", "该", "此", "本", "上述", "这些", "专栏")):
            continue
        if _in_product_list(sentence, start, end):
            continue
        mentions.append(Mention(name, kind_word, KIND_WORDS[kind_word], start, end, stopped_by))
        last_end = match.end()
    return mentions


def _in_product_list(sentence: str, start: int, end: int) -> bool:
    """True if the name is an item of a list of products (重点发展…装备、自升式平台、…固井设备): a
    neighbouring item of four characters or more, and no neighbour ending in a kind word."""
    left = max(sentence.rfind(mark, 0, start) for mark in "，；：。")
    right = min([i for i in (sentence.find(mark, end) for mark in "，；：。") if i >= 0] or [len(sentence)])
    items = sentence[left + 1 : right].split("、")
    position = len(sentence[left + 1 : start].split("、")) - 1
    neighbours = [items[i] for i in (position - 1, position + 1) if 0 <= i < len(items)]
    if len(items) < 3 or any("的" in item for item in neighbours):
        return False  # a list of products has several items, each a noun
    if items[position] != sentence[start:end] or any(_KIND_PATTERN.search(item) for item in neighbours):
        return False  # the name is not a whole item of its list, or its neighbours are names too
    return any(len(item) >= 4 for item in neighbours)


def _extend_right(sentence: str, end: int) -> int:
    """Take in a short bracket right after the kind word that names a kind too: 示范园区（基地）."""
    match = re.match(r"[（(]([^）)]{1,6})[）)]", sentence[end:])
    if match and any(word in match.group(1) for word in KIND_WORDS):
        return end + match.end()
    return end


def _left_edge(sentence: str, kind_start: int, floor: int, described: bool = False) -> tuple[int, str]:
    """Where the name that ends in the kind word at ``kind_start`` begins, and what stopped it; a
    ``described`` name reads through 的 and 和/与/及 (由用户企业和制造企业组成的产业联盟)."""
    j = kind_start
    while j > floor and kind_start - j < MAX_NAME:
        char = sentence[j - 1]
        if char in "）)”":
            opening = sentence.rfind("（" if char == "）" else "(" if char == ")" else "“", floor, j - 1)
            if opening < 0:
                return j, char
            j = opening
            continue
        if char in _HARD_STOPS:
            return j, char
        word = next((w for w in _STOP_WORDS if sentence.endswith(w, floor, j)), None)
        core = sentence[j:kind_start]
        if described and word in (*_JOINERS, "的", "由", "在", "有"):
            word = None
        if word is not None and (core or word not in _NAME_VERBS) and _stops(sentence, word, j, core, floor):
            return j, word
        j -= 1
    return j, "start" if j <= floor else "length"


def _stops(sentence: str, word: str, j: int, core: str, floor: int) -> bool:
    """Whether the stop word ending at ``j`` ends the name (see the module's rules)."""
    if word in _JOINERS:  # 研发和制造基地 is one name; 荆州…集群和建筑工程机械集群 two; 企业和平台 no name
        return len(core) >= 3 or not core
    if word == "等":
        clause_start = max(sentence.rfind(mark, floor, j) for mark in "，；：")
        return "、" in sentence[max(clause_start, floor) : j]
    if word == "沿":
        return not core.startswith("江")
    # 园区产业发展公共服务平台: 产业发展 is a noun here
    return not (word == "发展" and sentence.endswith("产业发展", floor, j))
