// Compare editions (/api/compare): for the chosen sector or an open place, an earlier plan and a later one
// side by side — what continued (the relation, and the plans' own words on both sides), what is new, what
// was dropped — in a view over the map. Opened by a "比较两版规划 Compare editions" button in a place's
// profile and above the list while a sector is chosen. An entity's profile shows its counterparts in other
// editions (/api/lineage): "2014 年：… / 2021 年：…".
// The editions are the plans the sector tree names (any number of them): a new plan needs no code here.

import { getJSON } from "./api.js";
import { $, el } from "./dom.js";

const WORDS = {
  button: ["比较两版规划", "Compare editions"],
  title: ["两版规划比较", "Plan editions compared"],
  close: ["关闭", "Close"],
  from: ["较早", "Earlier"],
  to: ["较新", "Later"],
  sector: ["门类：{n}", "Sector: {n}"],
  place: ["地区：{n}", "Place: {n}"],
  whole: ["两版规划全部内容", "The whole plans"],
  continued: ["延续（{n}）", "Continued ({n})"],
  new: ["新增（{n}）", "New ({n})"],
  dropped: ["不再提及（{n}）", "Dropped ({n})"],
  sectors: ["门类的对应", "Sectors across editions"],
  none: ["无", "None"],
  elsewhere: ["（不在此地区/门类）", "(outside this scope)"],
  derived: ["未见对应（按数据推得）", "No counterpart recorded (derived)"],
  part: ["仅此部分：{n}", "Only this part: {n}"],
  year: ["{n} 年：", "In {n}: "],
  loading: ["正在加载…", "Loading…"],
  failed: ["无法加载比较。", "The comparison could not be loaded."],
  lineage: ["历版对应", "Across editions"],
  droppedBy: ["{n} 年规划未再提及", "Not named again in the {n} plan"],
  continues: ["延续", "continues"],
  renamed: ["更名", "renamed"],
  split: ["拆分", "split"],
  merged: ["合并", "merged"],
  widened: ["扩大", "widened"],
  narrowed: ["收窄", "narrowed"],
  changed: ["几经变化", "changed"],
  via: ["经 {n}", "via {n}"],
};

function word(lang, key, n) {
  const text = WORDS[key][lang === "en" ? 1 : 0];
  return n === undefined ? text : text.replace("{n}", n);
}

/** The plans the sector tree names, oldest first: [{id, year}] (pure; `tree` is /api/sectors). */
export function editions(tree) {
  const found = new Map();
  const walk = (nodes) => nodes.forEach((node) => (found.set(node.plan_id, node.plan_year), walk(node.children ?? [])));
  walk(tree);
  return [...found].map(([id, year]) => ({ id, year })).sort((a, b) => a.year - b.year);
}

/** The default pair: the two latest editions, or null with fewer than two (pure). */
export function defaultPair(plans) {
  return plans.length < 2 ? null : { from: plans.at(-2).id, to: plans.at(-1).id };
}

/** The query of /api/compare for a pair and a scope (pure). */
export function compareQuery(pair, scope) {
  const query = new URLSearchParams({ from: pair.from, to: pair.to });
  if (scope.sector) query.set("sector", scope.sector);
  if (scope.place) query.set("place", String(scope.place));
  return query.toString();
}

export function createCompare(atlas) {
  const { state, data, nameOf } = atlas;
  const w = (key, n) => word(state.lang, key, n);
  let view = null;
  let pair = null;
  let scope = {};

  const plans = () => editions(data.tree ?? []);
  const named = (item) => nameOf(item);

  function quote(side, plan) {
    return el(
      "blockquote",
      { class: "quote", lang: "zh-CN" },
      el("p", {}, side.quote ?? ""),
      el("footer", {}, el("cite", {}, plan ? named({ name_zh: plan.title_zh, name_en: plan.title_en }) : side.plan), ` · ${plan?.year ?? side.plan_year ?? ""}`, side.section ? ` · ${side.section}` : ""),
    );
  }

  function entityLink(entity) {
    return el("button", { type: "button", class: "link compare-entity", onclick: () => (close(), atlas.actions.openEntity(entity.id, { fly: true })) }, named(entity));
  }

  function sideBlock(side, plan) {
    const title = side.subject === "entity" ? entityLink(side) : el("strong", {}, named(side));
    return el("div", { class: "compare-side" }, title, side.in_scope === false ? el("span", { class: "muted" }, ` ${w("elsewhere")}`) : null, quote(side, plan));
  }

  /** "2021 年《…》（合并）→ 收窄": each record passed through, then each step's relation. */
  function viaText(link) {
    const years = new Map(plans().map((plan) => [plan.id, plan.year]));
    const records = link.via.map((step, index) => `${w("year", years.get(step.plan) ?? step.plan)}${named(step)}（${w(link.steps[index])}）`);
    return `${records.join(" → ")} → ${w(link.steps.at(-1))}`;
  }

  function linkRow(link, result) {
    return el(
      "li",
      { class: "compare-link" },
      el("span", { class: "badge relation" }, w(link.relation)),
      // A chain through the editions between the two compared names what it passed through, step by step.
      link.via?.length ? el("p", { class: "compare-via muted" }, w("via", viaText(link))) : null,
      el("div", { class: "compare-pair" }, sideBlock(link.from, result.from), sideBlock(link.to, result.to)),
    );
  }

  function single(entry, plan, recorded) {
    return el(
      "li",
      { class: "compare-single" },
      entityLink(entry.entity),
      ...entry.quotes.map((ref) => quote({ ...ref, plan: plan.id }, plan)),
      recorded === undefined ? null : recorded ? el("p", { class: "compare-note" }, recorded.note) : el("p", { class: "muted" }, w("derived")),
    );
  }

  const list = (items) => (items.length ? el("ul", { class: "compare-list" }, ...items) : el("p", {}, w("none")));

  function render(result) {
    const sectorLinks = result.sectors.continued.map((link) => linkRow(link, result));
    const sectorDrops = result.sectors.dropped.map((entry) =>
      el("li", { class: "compare-single" }, el("strong", {}, named(entry.sector)), entry.part ? el("p", {}, w("part", entry.part)) : null, quote({ ...entry, plan: result.from.id }, result.from), el("p", { class: "compare-note" }, entry.note)),
    );
    const where = result.scope.sector ? w("sector", named(result.scope.sector)) : result.scope.place ? w("place", named(result.scope.place)) : w("whole");
    view.querySelector(".compare-body").replaceChildren(
      el("p", { class: "matrix-filters compare-scope" }, where),
      el("h3", {}, w("continued", result.continued.length)),
      list(result.continued.map((link) => linkRow(link, result))),
      el("h3", {}, w("new", result.new.length)),
      list(result.new.map((entry) => single(entry, result.to))),
      el("h3", {}, w("dropped", result.dropped.length)),
      list(result.dropped.map((entry) => single(entry, result.from, entry.recorded))),
      sectorLinks.length || sectorDrops.length ? el("h3", {}, w("sectors")) : null,
      sectorLinks.length || sectorDrops.length ? list([...sectorLinks, ...sectorDrops]) : null,
    );
  }

  async function load() {
    const body = view.querySelector(".compare-body");
    body.replaceChildren(el("p", { class: "loading" }, w("loading")));
    const asked = compareQuery(pair, scope);
    try {
      const result = await getJSON(`/api/compare?${asked}`);
      if (compareQuery(pair, scope) === asked && !view.hidden) render(result);
    } catch {
      body.replaceChildren(el("p", { class: "notice" }, w("failed")));
    }
  }

  function chooser(key) {
    // A plan the page has no title for (a new edition) goes by its id.
    const title = (plan) => (atlas.tr(`planTitle_${plan.id}`) === `planTitle_${plan.id}` ? plan.id : atlas.tr(`planTitle_${plan.id}`));
    const options = plans().map((plan) => el("option", { value: plan.id, selected: plan.id === pair[key] }, `${plan.year} · ${title(plan)}`));
    const select = el("select", { id: `compare-${key}`, onchange: () => ((pair[key] = select.value), load()) }, ...options);
    return el("label", {}, `${w(key)} `, select);
  }

  function close() {
    if (!view) return;
    view.hidden = true;
  }

  function open(newScope) {
    pair = pair ?? defaultPair(plans());
    if (!pair) return;
    scope = newScope;
    if (!view) {
      view = el("section", { id: "compare-view", class: "matrix-view compare-view", role: "dialog", "aria-labelledby": "compare-title" });
      view.addEventListener("keydown", (event) => event.key === "Escape" && (event.preventDefault(), close()));
      document.body.append(view);
    }
    view.replaceChildren(
      el(
        "div",
        { class: "matrix-header" },
        el("h2", { id: "compare-title", tabindex: "-1" }, w("title")),
        el("button", { type: "button", class: "button compare-close", onclick: close }, w("close")),
      ),
      el("p", { class: "compare-editions" }, chooser("from"), " → ", chooser("to")),
      el("div", { class: "compare-body" }),
    );
    view.hidden = false;
    view.querySelector("h2").focus();
    load();
  }

  const button = (openScope) => (plans().length < 2 ? null : el("button", { type: "button", class: "button compare-editions-button", onclick: () => open(openScope()) }, w("button")));

  /** The button of a place's profile. */
  const placeButton = (adcode) => button(() => ({ place: adcode }));

  /** Above the list while a sector is chosen: the button for that sector. */
  function renderSector() {
    $("#sector-compare")?.remove();
    if (!state.sector) return;
    const sector = state.sector;
    const block = button(() => ({ sector }));
    if (block) $(".results-heading")?.before(el("p", { id: "sector-compare" }, block));
  }

  /** An entity's counterparts in other editions: "2014 年：… / 2021 年：…" lines, or null when it has none. */
  async function entityLines(id) {
    let lineage;
    try {
      lineage = await getJSON(`/api/lineage/${encodeURIComponent(id)}`);
    } catch {
      return null;
    }
    const line = (side, link) =>
      el("li", {}, el("span", { class: "compare-year" }, w("year", side.plan_year)), entityLink(side), el("span", { class: "badge relation" }, w(link.relation)), quote(side));
    const items = [
      ...lineage.earlier.map((link) => line(link.from, link)),
      ...lineage.later.map((link) => line(link.to, link)),
      ...lineage.dropped.map((record) => el("li", {}, el("span", { class: "compare-year" }, w("year", record.by.year)), w("droppedBy", record.by.year), el("p", { class: "compare-note" }, record.note))),
    ];
    if (!items.length) return null;
    return el("section", { class: "entity-lineage" }, el("h3", {}, w("lineage")), el("ul", { class: "compare-list" }, ...items));
  }

  return { open, close, placeButton, renderSector, entityLines };
}
