// The plan picker (issue 13, point 5): with tens of plans the page loads only the entities of the plans a
// reader chose, grouped by province, city and year as /api/plans describes them (province and city read
// from each plan's issuer by the server). The choice lives in state.plans (null: every plan, no `plans=`
// in any request) and in the permalink (`plans=a,b`). The functions above `createPlanPicker` are pure
// and node-tested (web/tests/plans.test.mjs).

import { $, el } from "./dom.js";

// The atlas's own province (app.admin_units.PROVINCE_ADCODE): its plans come first and give the default.
export const HOME_PROVINCE = 420000;

// Up to this many plans the page loads them all, as it always has: today's two plans are 83 entities and
// about 60 KB of outlines, and a reader comparing editions wants both on the map at once. Past it, loading
// every plan's entities would grow the first view with every plan added (30 plans × 60 entities ≈ 1 MB
// gzipped; bench/many_plans.py), so the page starts from the newest province-level plan(s) of the home
// province — the plan a planner there works to now — and offers the others in the picker. Four keeps a
// province's current and previous editions plus a couple of city plans on the map without a choice.
export const FEW_PLANS = 4;

const PLAN_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const WORDS = {
  plans: ["规划选择", "Plans"],
  chosen: ["已选 {n}/{m}", "{n} of {m} chosen"],
  provinceLevel: ["省级规划", "Province's plans"],
  otherIssuers: ["其他发布机关", "Other issuers"],
  entities: ["{n} 条", "{n} entries"],
  all: ["全选", "All"],
  newest: ["最新", "Newest"],
};

/** A word of the picker in the language (中文 first in the table). */
export function word(key, lang, n = "", m = "") {
  const [zh, en] = WORDS[key];
  return (lang === "en" ? en : zh).replace("{n}", n).replace("{m}", m);
}

/** The plans chosen by default: null (all, no filter) for few plans, else the home province's newest. */
export function defaultChoice(plans, { home = HOME_PROVINCE, few = FEW_PLANS } = {}) {
  if (plans.length <= few) return null;
  const provinceLevel = plans.filter((plan) => plan.province?.adcode === home && !plan.city);
  const pool = provinceLevel.length ? provinceLevel : plans;
  const newest = Math.max(...pool.map((plan) => plan.year));
  return pool.filter((plan) => plan.year === newest).map((plan) => plan.id).sort();
}

/** The choice a permalink's `plans=` holds: plan ids (sorted, each once), or null when it holds none. */
export function parsePlans(text) {
  if (text === null || text === undefined) return null;
  const ids = [...new Set(String(text).split(",").map((id) => id.trim()).filter((id) => PLAN_ID.test(id)))];
  return ids.length ? ids.sort() : null;
}

/**
 * The choice as the page uses it: known ids only (an old link may name a removed plan); null for every
 * plan or nothing known — the default then applies. Pure.
 */
export function knownChoice(chosen, plans) {
  if (!chosen) return null;
  const known = new Set(plans.map((plan) => plan.id));
  const kept = chosen.filter((id) => known.has(id));
  return kept.length ? kept.sort() : null;
}

/**
 * `provinces=` of the requests for boundaries and places: the chosen plans' provinces, or "" (every unit)
 * for every plan or when a chosen plan's issuer names no province (its entities could lie anywhere).
 */
export function choiceProvinces(chosen, plans) {
  if (!chosen?.length) return "";
  const picked = plans.filter((plan) => chosen.includes(plan.id));
  if (!picked.length || picked.some((plan) => !plan.province)) return "";
  return [...new Set(picked.map((plan) => plan.province.adcode))].sort((a, b) => a - b).join(",");
}

/** `plans=` of the requests for entities: "" when every plan is wanted. */
export function plansQuery(chosen) {
  return chosen?.length ? [...chosen].sort().join(",") : "";
}

/**
 * Plans grouped for the picker: provinces (the home one first, then by adcode, plans whose issuer names no
 * province last), in each the province's own plans then its cities' (by adcode), in each the years newest
 * first. Every group: {key, place (or null), plans}; provinces hold `cities`, cities hold `years`.
 */
export function groupPlans(plans, home = HOME_PROVINCE) {
  const provinces = new Map();
  for (const plan of plans) {
    const provinceKey = plan.province?.adcode ?? 0;
    if (!provinces.has(provinceKey)) provinces.set(provinceKey, { key: provinceKey, place: plan.province ?? null, cities: new Map() });
    const cities = provinces.get(provinceKey).cities;
    const cityKey = plan.city?.adcode ?? 0;
    if (!cities.has(cityKey)) cities.set(cityKey, { key: cityKey, place: plan.city ?? null, years: new Map() });
    const years = cities.get(cityKey).years;
    if (!years.has(plan.year)) years.set(plan.year, []);
    years.get(plan.year).push(plan);
  }
  const rank = (key) => (key === home ? -1 : key === 0 ? Infinity : key);
  return [...provinces.values()]
    .sort((a, b) => rank(a.key) - rank(b.key))
    .map((province) => ({
      ...province,
      cities: [...province.cities.values()]
        .sort((a, b) => a.key - b.key) // the province's own plans (key 0) first
        .map((city) => ({
          ...city,
          years: [...city.years.entries()]
            .sort(([a], [b]) => b - a)
            .map(([year, items]) => ({ year, plans: [...items].sort((a, b) => a.id.localeCompare(b.id)) })),
        })),
    }));
}

/** The plans of a group (province or city), for its "all" box. */
/**
 * A plan's name in the picker: its title, and where another plan has the same title (two editions of a
 * plan, a city's and the province's plan of one name) what tells them apart: the document number, else
 * the issuer, else the id.
 */
export function planLabel(plan, plans, lang) {
  const title = (each) => (lang === "en" ? each.title_en : each.title_zh);
  if (!plans.some((other) => other.id !== plan.id && title(other) === title(plan))) return title(plan);
  const issuer = lang === "en" ? plan.issuer_en : plan.issuer_zh;
  return `${title(plan)} (${plan.number || issuer || plan.id})`;
}

export function plansIn(group) {
  if (group.years) return group.years.flatMap((year) => year.plans);
  return group.cities.flatMap(plansIn);
}

/**
 * The picker in the panel (made here, so the template needs no change): a collapsible box of checkboxes
 * grouped province › city › year, each plan with its entity count. It shows only when there are more
 * plans than FEW_PLANS. `onChange(ids)` is called with the new choice (sorted ids).
 */
export function createPlanPicker(atlas, onChange) {
  let plans = [];
  const box = el("details", { id: "plans-box", class: "plans-box" });
  $("#sectors-box").before(box);
  box.hidden = true;

  const checkbox = (ids, label, extra = null) => {
    const chosen = new Set(atlas.state.plans ?? plans.map((plan) => plan.id));
    const on = ids.filter((id) => chosen.has(id)).length;
    const input = el("input", { type: "checkbox", value: ids.join(","), checked: on === ids.length && on > 0 });
    input.indeterminate = on > 0 && on < ids.length;
    input.addEventListener("change", () => {
      const next = new Set(atlas.state.plans ?? plans.map((plan) => plan.id));
      for (const id of ids) input.checked ? next.add(id) : next.delete(id);
      if (!next.size) {
        input.checked = true; // an empty choice would show an empty atlas: keep at least one plan
        return;
      }
      onChange([...next].sort());
    });
    return el("label", { class: "check plan-choice" }, input, " ", label, extra);
  };

  function render() {
    const { state, nameOf } = atlas;
    const lang = state.lang;
    box.hidden = plans.length <= FEW_PLANS && !atlas.state.plans; // a link may choose among few plans too
    if (box.hidden) return;
    const chosenCount = state.plans ? state.plans.length : plans.length;
    const groups = groupPlans(plans).map((province) =>
      el(
        "li",
        { class: "plan-province", "data-province": String(province.key) },
        checkbox(plansIn(province).map((plan) => plan.id), el("strong", {}, province.place ? nameOf(province.place) : word("otherIssuers", lang))),
        el(
          "ul",
          {},
          ...province.cities.map((city) =>
            el(
              "li",
              { class: "plan-city", "data-city": String(city.key) },
              checkbox(plansIn(city).map((plan) => plan.id), city.place ? nameOf(city.place) : word("provinceLevel", lang)),
              el(
                "ul",
                {},
                ...city.years.map((year) =>
                  el(
                    "li",
                    { class: "plan-year", "data-year": String(year.year) },
                    el("span", { class: "plan-year-label" }, String(year.year)),
                    el(
                      "ul",
                      {},
                      ...year.plans.map((plan) =>
                        el(
                          "li",
                          { "data-plan": plan.id },
                          checkbox([plan.id], planLabel(plan, plans, lang), el("span", { class: "count" }, ` (${word("entities", lang, plan.entities)})`)),
                        ),
                      ),
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
    const wasOpen = box.open;
    box.replaceChildren(
      el("summary", {}, el("span", {}, word("plans", lang)), " ", el("span", { class: "muted", id: "plans-current" }, word("chosen", lang, chosenCount, plans.length))),
      el("ul", { class: "plan-tree" }, ...groups),
    );
    box.open = wasOpen;
  }

  return {
    /** Takes the plans of /api/plans (newest first) and shows the picker if there are many. */
    setPlans(list) {
      plans = list;
      render();
    },
    render,
  };
}
