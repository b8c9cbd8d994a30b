"""Many plans, one atlas (issue 13, point 5): does the atlas stay light with tens of plans?

Generates, in a temporary directory (never in data/), a copy of the data with 30 more plans × 60 entities
over China — plans of several provinces and cities and years, entities on real prefectures and counties of
the national boundaries, every quote verbatim in a generated plan text so that validation passes — then,
in the same run, for today's shipped data and for the generated one, both with ``atlas load --scope china``
on SpatiaLite:

- load time: ``atlas load --scope china`` wall-clock (goal ≤ 60 s);
- first-view bytes: what the map page loads until it is ready, recorded in Chromium as bench/plan.py does,
  gzipped as a browser gets them (goal ≤ 300 KB);
- search and filtered-list latency: wrk p50 with the response cache off (``ATLAS_RESPONSE_CACHE_MB=0``), so
  every request runs its query (goal: less than 3× growth for 30× the entities).

    .venv/bin/python bench/many_plans.py --duration 10 --out bench/results/<date>-many-plans.md
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import measure
from plan import fetch, first_view

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from app.admin_units import AdminUnits  # noqa: E402  (the repository's code, after the path is set)
from app.national import national_units  # noqa: E402

PLANS, ENTITIES = 30, 60
# Provinces of the generated plans: Hubei and its neighbours, and some further off (adcode, issuer's office).
PROVINCES = [420000, 430000, 410000, 360000, 340000, 610000, 510000, 440000, 320000, 330000]
# Kinds of a generated plan's 60 entities, in roughly the shipped plans' proportions.
KIND_MIX = ["cluster"] * 30 + ["base"] * 8 + ["platform"] * 8 + ["specialisation"] * 6 + ["city_group"] * 4
KIND_MIX += ["corridor"] * 4
KIND_WORDS = {
    "cluster": ("产业集群", "cluster"),
    "base": ("产业基地", "base"),
    "platform": ("创新中心", "innovation centre"),
    "specialisation": ("特色产业", "specialty"),
    "city_group": ("协同发展区", "city group"),
    "corridor": ("产业走廊", "corridor"),
}
# The same queries on both stores: a place everywhere (Xianning is in Hubei's generated plans too), a word of
# the sector taxonomy (起重, cranes; percent-encoded as a client sends it), a sector list, and a list by kind
# and status.
ENDPOINTS = {
    "search": ["/api/search?q=xianning", "/api/search?q=%E8%B5%B7%E9%87%8D"],
    "list": ["/api/clusters?sector=auto", "/api/clusters?kind=cluster&status=planned"],
}
GOALS = {"load_s": 60.0, "first_view_kb": 300.0, "growth": 3.0}


@dataclass(frozen=True)
class Place:
    """A unit of China a generated entity can stand on."""

    adcode: int
    name_zh: str
    short_zh: str
    pinyin: str
    level: str
    parent: int | None


def china_places(national: bool = True) -> dict[int, Place]:
    """Every unit of China (the national boundaries the China scope loads), by adcode; Hubei's alone with
    ``national`` false (a store of the default scope, as the browser test uses)."""
    units = AdminUnits.load(REPO / "data" / "boundaries")
    if national:
        units = national_units(units)
    return {
        int(row.adcode): Place(
            int(row.adcode),
            row.name_zh,
            row.short_name_zh,
            row.pinyin,
            row.level,
            None if row.parent_adcode is None or str(row.parent_adcode) == "<NA>" else int(row.parent_adcode),
        )
        for row in units.frame.itertuples(index=False)
    }


def children(places: dict[int, Place], parent: int) -> list[Place]:
    """The units directly under ``parent``, by adcode."""
    return sorted((place for place in places.values() if place.parent == parent), key=lambda place: place.adcode)


def generate(
    data_dir: Path,
    plans: int = PLANS,
    entities_per_plan: int = ENTITIES,
    provinces: list[int] | None = None,
    seed: int = 13,
) -> dict[str, int]:
    """Copy data/ to ``data_dir`` and add ``plans`` generated plans of ``entities_per_plan`` entities each, of
    ``provinces`` (default PROVINCES, over China; ``[420000]`` keeps to Hubei's units); return counts."""
    provinces = provinces or PROVINCES
    shutil.copytree(REPO / "data", data_dir)
    catalogue_path = data_dir / "clusters.yaml"
    catalogue = yaml.safe_load(catalogue_path.read_text(encoding="utf-8"))
    sectors = [(sector["id"], sector["name_zh"], sector["name_en"]) for sector in catalogue["sectors"]]
    places = china_places(national=provinces != [420000])
    chance = random.Random(seed)
    entity_count = 0
    for index in range(plans):
        province = places[provinces[index % len(provinces)]]
        prefectures = [place for place in children(places, province.adcode) if place.level == "prefecture"]
        # Rounds: the provinces' 2021 plans, then a city of each (2022–2024), then the provinces' 2026 plans.
        round_ = index // len(provinces) % 3
        city = chance.choice(prefectures) if round_ == 1 else None
        year = (2021, 2022 + index % 3, 2026)[round_]
        issuer = city or province
        plan_id = f"gen{index:02d}-{issuer.pinyin.lower().replace(' ', '')}-{year}"
        plan_id = "".join(char for char in plan_id if char.isalnum() or char == "-")
        areas = children(places, city.adcode) if city else prefectures  # what its entities group
        spots = (
            areas if city else [county for prefecture in prefectures for county in children(places, prefecture.adcode)]
        )
        title = f"{issuer.name_zh}装备制造业发展规划（{year}—{year + 4}年）"
        lines = [title, "", "一、产业布局", ""]
        entities = []
        for number in range(1, entities_per_plan + 1):
            kind = KIND_MIX[(number - 1) % len(KIND_MIX)]
            sector_id, sector_zh, sector_en = chance.choice(sectors)
            if kind in ("corridor", "city_group"):
                members = chance.sample(areas, k=min(len(areas), chance.randint(2, 4)))
            elif kind == "specialisation":
                members = [chance.choice(areas)]
            else:
                members = chance.sample(
                    spots, k=min(len(spots), 1 if kind in ("base", "platform") else chance.randint(1, 3))
                )
            word_zh, word_en = KIND_WORDS[kind]
            joined = "".join(member.short_zh for member in members) if len(members) > 1 else members[0].short_zh
            name_zh = f"{joined}{sector_zh}{word_zh}"
            status = chance.choice(["planned", "existing"])
            verb = "建设" if status == "planned" else "做强现有"
            heading = f"（{number}）{name_zh}"
            quote = f"支持{'、'.join(member.name_zh for member in members)}{verb}{name_zh}，重点发展{sector_zh}。"
            lines += [heading, quote, ""]
            entities.append(
                {
                    "id": f"{plan_id}-{number:02d}",
                    "name_zh": name_zh,
                    "name_en": f"{' '.join(member.pinyin for member in members)} {sector_en} {word_en}",
                    "kind": kind,
                    "sectors": [sector_id],
                    "members": [member.adcode for member in members],
                    "status": status,
                    "confidence": "stated",
                    "plan_refs": [
                        {"plan": plan_id, "year": year, "section": f"一、产业布局 › {heading}", "quote": quote}
                    ],
                }
            )
        text_path = data_dir / "plans" / f"{plan_id}.txt"
        text_path.write_text("\n".join(lines), encoding="utf-8")
        catalogue["plans"].append(
            {
                "id": plan_id,
                "file": f"plans/{text_path.name}",
                "year": year,
                "title_zh": title,
                "title_en": f"{issuer.pinyin} Equipment Manufacturing Development Plan ({year}–{year + 4}), generated",
                "issuer_zh": f"{issuer.name_zh}人民政府",
                "issuer_en": f"People's Government of {issuer.pinyin}",
                "number": None,
                "date": f"{year}-06-30",
                "period": f"{year}—{year + 4}",
                "note": "Generated by bench/many_plans.py for the benchmark; not a real plan.",
            }
        )
        catalogue["entities"] += entities
        entity_count += len(entities)
    catalogue_path.write_text(yaml.safe_dump(catalogue, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return {"plans": len(catalogue["plans"]), "entities": len(catalogue["entities"]), "generated": entity_count}


def timed_load(data_dir: Path, store: Path) -> float:
    """Seconds ``atlas load --scope china`` takes to build the store from ``data_dir``."""
    env = environment(store) | {"ATLAS_DATA_DIR": str(data_dir)}
    started = time.perf_counter()
    done = subprocess.run(
        [str(REPO / ".venv/bin/atlas"), "load", "--scope", "china"], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"many_plans: atlas load failed for {data_dir}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return seconds


def environment(store: Path) -> dict[str, str]:
    """The server's environment: only our ATLAS_* variables, the response cache off."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ATLAS_")}
    return env | {"ATLAS_STORE_PATH": str(store), "ATLAS_RESPONSE_CACHE_MB": "0"}


@contextmanager
def serving(store: Path, data_dir: Path) -> Iterator[tuple[str, int]]:
    """An atlas server on ``store`` (one worker, a free loopback port): its base URL and process id."""
    from scale import free_port

    port = free_port()
    env = environment(store) | {"ATLAS_DATA_DIR": str(data_dir), "ATLAS_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    command = [str(REPO / ".venv/bin/python"), "-m", "uvicorn", "api.factory:create_app", "--factory"]
    process = subprocess.Popen(
        [*command, "--no-access-log", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        else:
            raise SystemExit(f"many_plans: the server on {store} did not start")
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=15)


def first_view_bytes(base: str) -> dict:
    """The map page's first view in Chromium: its requests and their gzipped bytes, and the entities drawn."""
    files, data = first_view(base)
    sizes = {path: len(fetch(base, path)[2]) for path in [*files, *data]}
    status, _, everything = fetch(base, "/api/map/clusters?zoom=7")
    return {
        "files": sum(sizes[path] for path in files),
        "data": [(path, sizes[path]) for path in data],
        "total": sum(sizes.values()),
        "all_entities_layer": len(everything) if status == 200 else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk measurement")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    load_average = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    with tempfile.TemporaryDirectory(prefix="atlas-many-plans-") as temporary:
        work = Path(temporary)
        counts = generate(work / "many")
        print(f"many_plans: generated {counts} in {work / 'many'}", file=sys.stderr, flush=True)
        setups = {"today": (REPO / "data", work / "today.sqlite"), "many": (work / "many", work / "many.sqlite")}
        results: dict[str, dict] = {}
        for name, (data_dir, store) in setups.items():
            print(f"many_plans: atlas load --scope china ({name})", file=sys.stderr, flush=True)
            results[name] = {"load_s": timed_load(data_dir, store)}
        with serving(*setups["today"][::-1]) as (today, today_pid), serving(*setups["many"][::-1]) as (many, many_pid):
            servers = {"today": today, "many": many}
            for name, base in servers.items():
                print(f"many_plans: first view in Chromium ({name})", file=sys.stderr, flush=True)
                results[name]["first_view"] = first_view_bytes(base)
                results[name]["entities"] = httpx.get(f"{base}/api/clusters?limit=1").json()["total"]
                results[name]["plans"] = len(httpx.get(f"{base}/api/plans").json())
            for paths in ENDPOINTS.values():
                for path in paths:
                    for name, base in servers.items():
                        print(f"many_plans: wrk {name} {path}", file=sys.stderr, flush=True)
                        found = measure(base, path, args.duration, args.warmup, [today_pid, many_pid])
                        results[name].setdefault("latency", {})[path] = found["wrk"]["p50_us"] / 1000
    args.out.write_text(report(results, counts, args, load_average), encoding="utf-8")
    print(f"many_plans: wrote {args.out}", file=sys.stderr)


def commit() -> str:
    """The commit measured, marked when the tree has uncommitted changes (others' included)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True)
    return head.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def report(results: dict[str, dict], counts: dict[str, int], args: argparse.Namespace, load_average: str) -> str:
    """The markdown report: goals and whether they are met, then the figures."""
    today, many = results["today"], results["many"]
    kb = 1024
    growth = {path: many["latency"][path] / today["latency"][path] for group in ENDPOINTS.values() for path in group}
    met = {
        "load": many["load_s"] <= GOALS["load_s"],
        "first view": many["first_view"]["total"] / kb <= GOALS["first_view_kb"],
        "latency": all(value < GOALS["growth"] for value in growth.values()),
    }
    word = {True: "**met**", False: "**not met**"}
    lines = [
        f"# Many plans, one atlas — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Today's data ({today['plans']} plans, {today['entities']} entities) against a generated catalogue of "
        f"{many['plans']} plans and {many['entities']} entities (today's plus {PLANS} plans × {ENTITIES} entities "
        "over China, made by `bench/many_plans.py` in a temporary directory), both loaded with "
        "`atlas load --scope china` on SpatiaLite and served with the response cache off "
        f"(`ATLAS_RESPONSE_CACHE_MB=0`), measured in the same run. wrk -t2 -c16, {args.duration} s after "
        f"{args.warmup} s of warm-up; {platform.node()}, {os.cpu_count()} cores, shared with wrk and Chromium; "
        f"load average {load_average} at the start; commit {commit()}.",
        "",
        "## Goals",
        "",
        f"- load ≤ {GOALS['load_s']:.0f} s: {many['load_s']:.1f} s — {word[met['load']]}",
        f"- first view ≤ {GOALS['first_view_kb']:.0f} KB gzipped: {many['first_view']['total'] / kb:.0f} KB — "
        f"{word[met['first view']]}",
        f"- search and list p50 grow < {GOALS['growth']:.0f}× for "
        f"{many['entities'] / today['entities']:.0f}× the entities: "
        + ", ".join(f"{value:.2f}×" for value in growth.values())
        + f" — {word[met['latency']]}",
        "",
        "## Figures",
        "",
        "| measure | today | many plans | ratio |",
        "|---|--:|--:|--:|",
        f"| plans / entities | {today['plans']} / {today['entities']} | {many['plans']} / {many['entities']} | "
        f"{many['entities'] / today['entities']:.1f}× entities |",
        f"| `atlas load --scope china` | {today['load_s']:.1f} s | {many['load_s']:.1f} s | "
        f"{many['load_s'] / today['load_s']:.2f}× |",
        f"| first view, gzipped (page files + data) | {today['first_view']['total'] / kb:.0f} KB | "
        f"{many['first_view']['total'] / kb:.0f} KB | "
        f"{many['first_view']['total'] / today['first_view']['total']:.2f}× |",
        f"| of which the page's files | {today['first_view']['files'] / kb:.0f} KB | "
        f"{many['first_view']['files'] / kb:.0f} KB | |",
        f"| every plan's entities at once (`/api/map/clusters?zoom=7`, not loaded by the page) | "
        f"{today['first_view']['all_entities_layer'] / kb:.0f} KB | "
        f"{many['first_view']['all_entities_layer'] / kb:.0f} KB | "
        f"{many['first_view']['all_entities_layer'] / today['first_view']['all_entities_layer']:.1f}× |",
    ]
    for group, paths in ENDPOINTS.items():
        for path in paths:
            lines.append(
                f"| {group} p50 `{path}` | {today['latency'][path]:.1f} ms | {many['latency'][path]:.1f} ms | "
                f"{growth[path]:.2f}× |"
            )
    lines += ["", "## The first view's data requests", ""]
    for name in ("today", "many"):
        lines.append(
            f"- {name}: "
            + ", ".join(f"`{path}` {size / kb:.1f} KB" for path, size in results[name]["first_view"]["data"])
        )
    lines += [
        "",
        "Only the ratios are claims (same machine, same run); absolute times depend on what else runs. The "
        "first view is what the page asks for by default: with more than a few plans, only the newest "
        "province-level plans of Hubei (web/static/js/plans.js); the other plans load when chosen.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
