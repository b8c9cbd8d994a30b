// The plan picker's rules (plans.js): the default choice, grouping by province › city › year, the
// permalink's plans= and the request's query.

import assert from "node:assert/strict";
import { test } from "node:test";

import { FEW_PLANS, choiceProvinces, defaultChoice, groupPlans, knownChoice, parsePlans, planLabel, plansIn, plansQuery } from "../static/js/plans.js";

const HUBEI = { adcode: 420000, name_zh: "湖北省", name_en: "Hubei" };
const HUNAN = { adcode: 430000, name_zh: "湖南省", name_en: "Hunan" };
const WUHAN = { adcode: 420100, name_zh: "武汉市", name_en: "Wuhan" };
const XIANGYANG = { adcode: 420600, name_zh: "襄阳市", name_en: "Xiangyang" };

const plan = (id, year, province, city = null) => ({ id, year, province, city, entities: 10 });
const SHIPPED = [plan("fyp2021", 2021, HUBEI), plan("action2014", 2014, HUBEI)];
const MANY = [
  plan("hubei-2026", 2026, HUBEI),
  plan("wuhan-2025", 2025, HUBEI, WUHAN),
  plan("hunan-2026", 2026, HUNAN),
  ...SHIPPED,
  plan("xiangyang-2023", 2023, HUBEI, XIANGYANG),
  plan("ministry-2024", 2024, null),
];

test("few plans load all, as the atlas always has: no choice, no plans= anywhere", () => {
  assert.equal(defaultChoice(SHIPPED), null);
  assert.equal(defaultChoice(MANY.slice(0, FEW_PLANS)), null);
  assert.equal(plansQuery(null), "");
});

test("many plans start from the home province's newest province-level plan(s), not a city's or another province's", () => {
  assert.deepEqual(defaultChoice(MANY), ["hubei-2026"]);
  // Two editions of the same year are both the newest.
  assert.deepEqual(defaultChoice([...MANY, plan("hubei-2026b", 2026, HUBEI)]), ["hubei-2026", "hubei-2026b"]);
  // No plan of the home province: the newest of all.
  const elsewhere = MANY.filter((each) => each.province?.adcode !== 420000);
  const copies = ["x", "y"].flatMap((suffix) => elsewhere.map((each) => ({ ...each, id: `${each.id}-${suffix}` })));
  assert.deepEqual(defaultChoice([...elsewhere, ...copies]), ["hunan-2026", "hunan-2026-x", "hunan-2026-y"]);
});

test("groups: the home province first, its own plans before its cities', years newest first, unknown issuers last", () => {
  const groups = groupPlans(MANY);
  assert.deepEqual(
    groups.map((group) => group.key),
    [420000, 430000, 0],
  );
  const hubei = groups[0];
  assert.deepEqual(
    hubei.cities.map((city) => city.place?.name_zh ?? null),
    [null, "武汉市", "襄阳市"],
  );
  assert.deepEqual(
    hubei.cities[0].years.map((year) => year.year),
    [2026, 2021, 2014],
  );
  assert.deepEqual(plansIn(hubei).map((each) => each.id).sort(), ["action2014", "fyp2021", "hubei-2026", "wuhan-2025", "xiangyang-2023"]);
  assert.equal(groups[2].place, null); // the ministry's plan: no province
});

test("the permalink's plans= reads ids only, sorted and once; unknown ids fall back to the default", () => {
  assert.deepEqual(parsePlans("fyp2021,action2014,fyp2021"), ["action2014", "fyp2021"]);
  assert.deepEqual(parsePlans("fyp2021,<script>,,"), ["fyp2021"]);
  assert.equal(parsePlans(null), null);
  assert.equal(parsePlans(""), null);
  assert.deepEqual(knownChoice(["gone-2010", "fyp2021"], MANY), ["fyp2021"]);
  assert.equal(knownChoice(["gone-2010"], MANY), null);
  assert.equal(plansQuery(["fyp2021", "action2014"]), "action2014,fyp2021");
});

test("boundaries and places are asked for the chosen plans' provinces, or all when a plan names none", () => {
  assert.equal(choiceProvinces(null, MANY), "");
  assert.equal(choiceProvinces(["hubei-2026", "wuhan-2025"], MANY), "420000");
  assert.equal(choiceProvinces(["hunan-2026", "hubei-2026"], MANY), "420000,430000");
  assert.equal(choiceProvinces(["hubei-2026", "ministry-2024"], MANY), ""); // its entities could lie anywhere
  assert.equal(choiceProvinces(["gone-2010"], MANY), "");
});

test("the list's downloads follow the chosen plans; a place's profile's give every plan's, as it shows them", async () => {
  const { downloadParams } = await import("../static/js/downloads.js");
  const { initialState } = await import("../static/js/permalink.js");
  const state = { ...initialState(), plans: ["fyp2021", "gen01-wuhan-2023"] };
  assert.equal(downloadParams(state).get("plans"), "fyp2021,gen01-wuhan-2023");
  assert.equal(downloadParams({ ...state, selection: { type: "place", id: "420100" } }).get("plans"), null);
});

test("plans of one title are told apart by number, else issuer, else id", () => {
  const a = { id: "a", title_zh: "装备规划", title_en: "Plan", number: "鄂经信〔2026〕1号", issuer_zh: "省经信厅", issuer_en: "HPDEIT" };
  const b = { id: "b", title_zh: "装备规划", title_en: "Plan", number: null, issuer_zh: "武汉市经信局", issuer_en: "" };
  const c = { id: "c", title_zh: "另一规划", title_en: "Other", number: null, issuer_zh: "", issuer_en: "" };
  const all = [a, b, c];
  assert.equal(planLabel(c, all, "zh"), "另一规划");
  assert.equal(planLabel(a, all, "zh"), "装备规划 (鄂经信〔2026〕1号)");
  assert.equal(planLabel(b, all, "zh"), "装备规划 (武汉市经信局)");
  assert.equal(planLabel(b, all, "en"), "Plan (b)");
});
