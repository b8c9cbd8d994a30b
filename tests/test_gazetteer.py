"""A place is found by its full name, short name, pinyin, English name or adcode."""

from __future__ import annotations

import pytest

from app.admin_units import AdminUnits, Level
from app.gazetteer import Gazetteer
from app.settings import REPO_DATA_DIR
from app.text_search import fold as normalise


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(AdminUnits.load(REPO_DATA_DIR / "boundaries"))


@pytest.mark.parametrize(
    "query",
    ["咸宁市", "咸宁", "xianning", "Xianning", "XIANNING", "Xianning City", " xian ning ", "421200", 421200],
)
def test_prefecture_in_every_form(gazetteer: Gazetteer, query: str | int) -> None:
    unit = gazetteer.resolve(query)
    assert unit is not None and (unit.adcode, unit.level) == (421200, Level.prefecture)


@pytest.mark.parametrize("query", ["广水市", "广水", "guangshui", "Guangshui"])
def test_county_level_city_in_every_form(gazetteer: Gazetteer, query: str) -> None:
    unit = gazetteer.resolve(query)
    assert unit is not None and (unit.adcode, unit.level) == (421381, Level.county)


@pytest.mark.parametrize(
    ("query", "adcode"),
    [
        ("Enshi Tujia and Miao Autonomous Prefecture", 422800),
        ("恩施", 422800),  # the prefecture, not the city 恩施市
        ("恩施市", 422801),
        ("荆州", 421000),  # the prefecture, not 荆州区
        ("荆州区", 421003),
        ("Jingzhou District", 421003),
        ("Shennongjia Forestry District", 429021),
        ("神农架", 429021),
        ("Jiang'an", 420102),
        ("jiangan", 420102),
        ("Fang County", 420325),
        ("房县", 420325),
        ("湖北", 420000),
        ("湖北省", 420000),
    ],
)
def test_ambiguous_and_special_names(gazetteer: Gazetteer, query: str, adcode: int) -> None:
    unit = gazetteer.resolve(query)
    assert unit is not None and unit.adcode == adcode


def test_ambiguous_name_lists_every_candidate_highest_first(gazetteer: Gazetteer) -> None:
    assert [unit.adcode for unit in gazetteer.candidates("jingzhou")] == [421000, 421003]


def test_unknown_names_are_not_guessed(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("咸宁县") is None
    assert gazetteer.resolve("Atlantis") is None


@pytest.mark.parametrize(("query", "expected"), [("咸宁县", 421200), ("xiannin", 421200), ("Guangshu", 421381)])
def test_suggestions_for_near_misses(gazetteer: Gazetteer, query: str, expected: int) -> None:
    assert gazetteer.suggest(query, limit=1)[0].adcode == expected


def test_normalise_folds_case_width_and_separators() -> None:
    assert normalise("Ｊｉａｎｇ’an  District") == normalise("jiangan-district") == "jianganDistrict".casefold()
