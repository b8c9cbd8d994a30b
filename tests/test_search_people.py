"""Search that understands people (issue 11, point 5): the words people type — the plan's own (新能源汽车,
东风), synonyms (电动汽车, 石油设备), English (NEV, car, oil equipment), pinyin (xinpian) and former place
names (襄樊) — find the sector, entity or place they mean first, on both backends; sector hits stand for
the sector filter; a place at two levels is one hit; a query that finds nothing says "did you mean".

The aliases behind this live in data/clusters.yaml (sectors, entities) and data/boundaries/aliases.csv
(places); their rules are checked here too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from app.admin_units import ALIASES_FILE, AdminUnits, BoundaryError
from app.gazetteer import Gazetteer
from app.plan_texts import squeeze
from app.settings import REPO_DATA_DIR, Settings
from app.store.search import ALIAS, EXACT, NEAREST, PINYIN, PREFIX
from app.text_search import fold
from app.validation import DataInvalid, ValidData, validate

from .conftest import MINIMAL_CATALOGUE, entity_ids
from .test_web_e2e import DESK, visiting

AUTO_CORRIDOR = "han-xiao-sui-xiang-shi-auto-corridor"
XIANGYANG = "420600"

# (query, type, id of the first hit): each case of the issue with its Chinese, English and pinyin twins.
FIRST_HITS = [
    *[(q, "sector", "auto-nev") for q in ("新能源汽车", "xinnengyuan qiche", "new energy vehicles", "NEV")],
    *[(q, "sector", "auto-nev") for q in ("EV", "electric vehicle", "电动汽车", "diandong qiche")],
    *[(q, "sector", "specialty-oil-equipment") for q in ("石油装备", "shiyou zhuangbei", "petroleum equipment")],
    *[(q, "sector", "specialty-oil-equipment") for q in ("石油设备", "shiyou shebei", "oil equipment")],
    *[(q, "entity", AUTO_CORRIDOR) for q in ("汽车走廊", "qiche zoulang", "auto corridor", "automotive corridor")],
    *[(q, "sector", "auto") for q in ("car", "automobile", "汽车", "qiche")],
    *[(q, "sector", "auto-parts") for q in ("auto parts", "汽车零部件", "汽车配件", "qiche lingbujian")],
    *[(q, "entity", AUTO_CORRIDOR) for q in ("东风", "Dongfeng", "东风汽车集团", "dongfeng qiche jituan")],
    *[(q, "sector", "optoelectronics-ic-equipment") for q in ("芯片", "xinpian", "chips", "semiconductor")],
    *[(q, "entity", "space-ground-equipment-cluster") for q in ("北斗", "beidou", "BeiDou navigation")],
    *[(q, "place", XIANGYANG) for q in ("襄樊", "xiangfan", "Xiang Fan", "襄凡")],  # 襄凡: a homophone
]


def search(api: httpx.Client, query: str, **params: str) -> dict:
    response = api.get("/api/search", params={"q": query, **params})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(("query", "kind", "expected"), FIRST_HITS)
def test_each_case_finds_what_people_mean_first(api: httpx.Client, query: str, kind: str, expected: str) -> None:
    hits = search(api, query)["hits"]
    assert hits, f"{query!r} finds nothing"
    assert (hits[0]["type"], hits[0]["id"]) == (kind, expected), hits[:3]
    ranks = [hit["rank"] for hit in hits]
    assert ranks == sorted(ranks, reverse=True), "best first"
    # The first hit is found by its name or an alias, never only by a related word or a guess.
    assert hits[0]["rank"] >= PINYIN - 5


@pytest.mark.parametrize(
    ("query", "rank"),
    [("新能源与智能网联汽车", EXACT), ("新能源汽车", ALIAS), ("新能源与", PREFIX), ("xinnengyuan qiche", PINYIN)],
)
def test_rank_by_field_and_closeness(api: httpx.Client, query: str, rank: int) -> None:
    """Exact name > alias > start > inside > pinyin: the NEV sector by each of them."""
    first = search(api, query)["hits"][0]
    assert (first["id"], first["rank"]) == ("auto-nev", rank)


def test_exact_name_outranks_an_alias_and_a_prefix(api: httpx.Client) -> None:
    hits = search(api, "xianning")["hits"]
    assert (hits[0]["type"], hits[0]["id"], hits[0]["rank"]) == ("place", "421200", EXACT)
    crane = next(hit for hit in hits if hit["id"] == "xianning-crane-cluster")
    assert crane["rank"] == PREFIX < hits[0]["rank"]


@pytest.mark.parametrize("query", ["新能源汽车", "NEV", "石油装备", "芯片", "car"])
def test_a_sector_hit_is_a_sector_and_its_filter_selects_its_entities(
    api: httpx.Client, shipped: ValidData, query: str
) -> None:
    hit = search(api, query)["hits"][0]
    assert hit["type"] == "sector"
    sector = shipped.catalogue.sector(hit["id"])
    assert (hit["name_zh"], hit["category"]) == (sector.name_zh, sector.plan_refs[0].plan)
    # the alias the query matched is the sector's own, in the catalogue
    assert fold(query) in {fold(form) for alias in sector.aliases for form in alias.forms()} | {
        fold(sector.name_zh),
        fold(sector.name_en),
    }
    wanted = entity_ids(shipped, sector=hit["id"])
    body = api.get("/api/clusters", params={"sector": hit["id"], "limit": "500"}).json()
    assert wanted and sorted(item["id"] for item in body["items"]) == sorted(wanted)


def test_dongfeng_comes_from_the_quote_people_are_shown(api: httpx.Client, shipped: ValidData) -> None:
    """An entity's alias is the plan's wording: the quote that names 东风 is in the entity's profile."""
    hit = search(api, "东风")["hits"][0]
    quotes = [ref["quote"] for ref in api.get(f"/api/clusters/{hit['id']}").json()["plan_refs"]]
    assert any("东风汽车集团" in quote for quote in quotes)


def test_every_entity_alias_stands_in_its_quotes(shipped: ValidData) -> None:
    with_aliases = [entity for entity in shipped.catalogue.entities if entity.aliases]
    assert len(with_aliases) >= 3
    for entity in with_aliases:
        quotes = [squeeze(ref.quote) for ref in entity.plan_refs]
        for alias in entity.aliases:
            assert alias.zh is not None and any(squeeze(alias.zh) in quote for quote in quotes), entity.id


@pytest.mark.parametrize(
    ("query", "adcode"),
    [("仙桃", "429004"), ("xiantao", "429004"), ("潜江", "429005"), ("Tianmen", "429006"), ("神农架", "429021")],
)
def test_a_place_at_two_levels_is_one_hit(api: httpx.Client, shipped: ValidData, query: str, adcode: str) -> None:
    assert {unit.level.value for unit in shipped.units if unit.adcode == int(adcode)} == {"prefecture", "county"}
    hits = search(api, query)["hits"]
    places = [hit for hit in hits if hit["type"] == "place"]
    assert [(hit["id"], hit["category"]) for hit in places] == [(adcode, "prefecture")]
    assert hits[0]["id"] == adcode


def test_no_hit_is_shown_twice(api: httpx.Client) -> None:
    for query in ("市", "qu", "湖北", "equipment"):
        body = search(api, query, limit="100")
        keys = [(hit["type"], hit["id"]) for hit in body["hits"]]
        assert len(keys) == len(set(keys)) > 0, query


@pytest.mark.parametrize(("query", "nearest"), [("xianing", "421200"), ("咸林", "421200"), ("Guangshu1", "421381")])
def test_did_you_mean_for_a_near_miss(api: httpx.Client, query: str, nearest: str) -> None:
    body = search(api, query)
    assert body["hits"] == []
    assert body["suggestions"][0]["id"] == nearest
    assert {hit["rank"] for hit in body["suggestions"]} == {NEAREST}


def test_did_you_mean_for_nonsense(api: httpx.Client) -> None:
    body = search(api, "qqzzxx")
    assert body["hits"] == [] and 1 <= len(body["suggestions"]) <= 3
    keys = [(hit["type"], hit["id"]) for hit in body["suggestions"]]
    assert len(keys) == len(set(keys))


def test_suggestions_only_without_hits(api: httpx.Client) -> None:
    assert search(api, "NEV")["suggestions"] == []


def test_the_list_filter_understands_aliases(api: httpx.Client, shipped: ValidData) -> None:
    """`q` of /api/clusters reads the same aliases: 襄樊 lists what the plans put in 襄阳."""
    in_xiangyang = set(entity_ids(shipped, place=int(XIANGYANG)))
    found = {item["id"] for item in api.get("/api/clusters", params={"q": "襄樊", "limit": "500"}).json()["items"]}
    assert found and found <= in_xiangyang
    nev = {item["id"] for item in api.get("/api/clusters", params={"q": "NEV", "limit": "500"}).json()["items"]}
    assert set(entity_ids(shipped, sector="auto-nev")) <= nev


# --- the aliases' rules ------------------------------------------------------------------------------


def test_gazetteer_reads_former_names_after_current_ones() -> None:
    gazetteer = Gazetteer(AdminUnits.load(REPO_DATA_DIR / "boundaries"))
    assert gazetteer.resolve("襄樊").adcode == 420600  # type: ignore[union-attr]
    assert gazetteer.resolve("Xiangfan").adcode == 420600  # type: ignore[union-attr]
    assert gazetteer.resolve("荆州").adcode == 421000  # type: ignore[union-attr]
    assert gazetteer.suggest("襄凡", limit=1)[0].adcode == 420600


def _boundaries_with_aliases(tmp_path: Path, text: str) -> Path:
    directory = tmp_path / "boundaries"
    directory.mkdir()
    for source in (REPO_DATA_DIR / "boundaries").iterdir():
        (directory / source.name).write_bytes(source.read_bytes())
    (directory / ALIASES_FILE).write_text(text, encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ("999999,某地,Moudi,a test", "not the adcode"),
        ("420600,襄樊,Xiangfan,", "a note"),
        ("420600,,,renamed", "give an alias"),
        ("420600,襄樊,Xiangfan,renamed,2010", "no more on any line"),
        pytest.param("420600,襄樊,Xiangfan," + "x" * 300_000, "at most", id="too-large"),
    ],
)
def test_a_place_alias_needs_a_unit_and_a_reason(tmp_path: Path, rows: str, problem: str) -> None:
    directory = _boundaries_with_aliases(tmp_path, "adcode,alias_zh,alias_en,note\n" + rows + "\n")
    with pytest.raises(BoundaryError, match=problem):
        AdminUnits.load(directory)


def _faults(make_data_dir: Callable[..., Path], catalogue: str) -> list[str]:
    with pytest.raises(DataInvalid) as raised:
        validate(Settings(data_dir=make_data_dir(catalogue)))
    return [str(fault) for fault in raised.value.faults]


def test_an_entity_alias_must_be_the_plans_wording(make_data_dir: Callable[..., Path]) -> None:
    catalogue = MINIMAL_CATALOGUE.replace(
        "    name_en: Xianning Crane Industrial Cluster\n",
        "    name_en: Xianning Crane Industrial Cluster\n    aliases:\n      - {zh: 塔吊, en: [tower crane]}\n",
    )
    (fault,) = _faults(make_data_dir, catalogue)
    assert (
        "entity xianning-crane-cluster" in fault and "aliases[0].zh" in fault and "none of the entity's quotes" in fault
    )


def test_an_alias_names_one_record(make_data_dir: Callable[..., Path]) -> None:
    catalogue = MINIMAL_CATALOGUE.replace(
        "    name_en: Specialty equipment\n",
        "    name_en: Specialty equipment\n    aliases:\n      - {en: [cranes]}\n",
    )
    (fault,) = _faults(make_data_dir, catalogue)
    assert "sector specialty" in fault and "'cranes' already names sector specialty-cranes" in fault


@pytest.mark.parametrize(
    ("alias", "problem"), [("{}", "an alias needs zh, en or both"), ("{zh: 吊车, spelling: diaoche}", "unknown field")]
)
def test_an_alias_is_checked_like_any_field(make_data_dir: Callable[..., Path], alias: str, problem: str) -> None:
    catalogue = MINIMAL_CATALOGUE.replace(
        "    name_en: Cranes\n", f"    name_en: Cranes\n    aliases:\n      - {alias}\n"
    )
    # The sector does not parse, so the entity tagged with it is a second fault.
    first = _faults(make_data_dir, catalogue)[0]
    assert "sector specialty-cranes" in first and "aliases[0]" in first and problem in first


def test_shipped_aliases_validate(shipped: ValidData) -> None:
    sectors = {sector.id: sector for sector in shipped.catalogue.sectors}
    assert {"新能源汽车", "NEV"} <= {form for alias in sectors["auto-nev"].aliases for form in alias.forms()}
    assert "襄樊" in shipped.units.get(int(XIANGYANG)).aliases  # type: ignore[union-attr]


# --- the page -------------------------------------------------------------------------------------------


@pytest.mark.slow  # Chromium and a live server
def test_choosing_the_sector_suggestion_sets_the_sector_filter(
    browser: Browser, servers: dict[str, str], shipped: ValidData
) -> None:
    sector = shipped.catalogue.sector("auto-nev")
    wanted = entity_ids(shipped, sector=sector.id)
    with visiting(browser, f"{servers['spatialite']}/", width=DESK["width"], height=DESK["height"]) as visit:
        page = visit.page
        page.locator("#search").fill("新能源汽车")
        option = page.locator("#suggestions [role=option]").first
        expect(option).to_contain_text(sector.name_zh)
        expect(option.locator(".hit-kind")).to_have_text("行业")
        option.click()
        expect(page.locator(f"#sector-tree input[value={sector.id}]")).to_be_checked()
        expect(page.locator("#result-count")).to_have_text(f"{len(wanted)} 项")
        assert f"sector={sector.id}" in page.url
        assert f"sector={sector.id}" in (page.locator("#dl-csv").get_attribute("href") or "")


@pytest.mark.slow  # Chromium and a live server
def test_the_page_says_did_you_mean(browser: Browser, servers: dict[str, str]) -> None:
    with visiting(browser, f"{servers['spatialite']}/") as visit:
        page = visit.page
        page.locator("#search").fill("xianing")
        expect(page.locator("#suggestions")).to_contain_text("你是不是要找")
        guess = page.locator("#suggestions [role=option]", has_text="咸宁市")
        expect(guess).to_have_count(1)
        page.locator("#search").press("Enter")  # Enter does not take a guess for the reader
        expect(page.locator("#profile h2")).to_have_count(0)
        page.locator("#search").fill("xianing")
        guess.click()
        expect(page.locator("#profile h2")).to_have_text("咸宁市")
