// The plans' numeric targets and baselines (/api/targets) on the page: a small "规划目标 Targets" block in a
// place's profile and, with a sector chosen, above the list; and an inline SVG bar chart comparing the
// money targets of the 2014 and 2021 plans. Each number comes with the plan's words and its citation.
// No inline style (the page's CSP is self-only): the chart is drawn with SVG attributes and classes.

import { getJSON } from "./api.js";
import { $, el } from "./dom.js";

const WORDS = {
  heading: ["规划目标", "Targets"],
  target: ["目标", "target"],
  baseline: ["基数", "baseline"],
  about: ["约", "about "],
  over: ["超过", "over "],
  at_least: ["不少于", "at least "],
  chart: ["两版规划的产值目标（亿元）", "The two plans' money targets (100 million yuan)"],
  chartLabel: ["2014年与2021年规划的产值目标比较", "The money targets of the 2014 and 2021 plans compared"],
  byYear: ["{n}年", "by {n}"],
};
const SVG = "http://www.w3.org/2000/svg";
// Money units in 亿元, so that the two plans' targets share one axis.
const IN_YI = { 亿元: 1, 万亿元: 10000 };

function word(lang, key, n) {
  const text = WORDS[key][lang === "en" ? 1 : 0];
  return n === undefined ? text : text.replace("{n}", n);
}

/** A number as the plan writes it: 2.2, 5500, a range 3-5 (pure). */
export function formatValue(target) {
  const number = (value) => String(Number(value.toFixed(6)));
  const range = target.value_to == null ? number(target.value) : `${number(target.value)}-${number(target.value_to)}`;
  return `${range}${target.unit}`;
}

/** The bars of the comparison chart: every money target (亿元, 万亿元), in 亿元, older plan first (pure). */
export function chartBars(targets) {
  return targets
    .filter((target) => target.kind === "target" && target.unit in IN_YI)
    .map((target) => ({
      id: target.id,
      plan: target.plan,
      planYear: target.plan_year,
      year: target.year,
      label: target.metric_zh,
      labelEn: target.metric_en,
      text: formatValue(target),
      qualifier: target.qualifier,
      yi: target.value * IN_YI[target.unit],
    }))
    .sort((a, b) => a.planYear - b.planYear || b.yi - a.yi);
}

/** The comparison chart as an SVG element, or null when there is nothing to compare. */
export function ambitionChart(targets, lang) {
  const bars = chartBars(targets);
  if (bars.length === 0) return null;
  const rowHeight = 34;
  const width = 320;
  const labelWidth = 0;
  const barSpace = width - 8;
  const largest = Math.max(...bars.map((bar) => bar.yi));
  const svg = document.createElementNS(SVG, "svg");
  const height = bars.length * rowHeight + 4;
  for (const [name, value] of Object.entries({ class: "targets-chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": word(lang, "chartLabel") })) {
    svg.setAttribute(name, value);
  }
  const add = (tag, attributes, text) => {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  add("title", {}, word(lang, "chart"));
  bars.forEach((bar, index) => {
    const y = index * rowHeight + 2;
    const length = Math.max(2, (bar.yi / largest) * barSpace);
    add("rect", { x: labelWidth, y: y + 14, width: length.toFixed(1), height: 14, class: `bar bar-${bar.planYear}` });
    const hedge = bar.qualifier ? word(lang, bar.qualifier) : "";
    const caption = `${bar.planYear} · ${lang === "en" ? bar.labelEn : bar.label}: ${hedge}${bar.text} (${word(lang, "byYear", bar.year)})`;
    add("text", { x: labelWidth, y: y + 11, class: "bar-label" }, caption);
  });
  return svg;
}

/** One target as a list item: what, how much, by when, then the plan's words and citation. */
function targetItem(target, lang) {
  const qualifier = target.qualifier ? word(lang, target.qualifier) : "";
  const year = target.year == null ? "" : `（${word(lang, "byYear", target.year)}）`;
  const metric = lang === "en" ? target.metric_en : target.metric_zh;
  // The plan's words and citation fold away under the number: a profile lists many.
  return el(
    "li",
    { class: `target target-${target.kind}` },
    el(
      "details",
      {},
      el("summary", {}, el("span", { class: "badge" }, word(lang, target.kind)), " ", el("strong", {}, `${metric}：${qualifier}${formatValue(target)}`), year),
      el("blockquote", { class: "quote", lang: "zh-CN" }, el("p", {}, target.quote), el("footer", {}, el("cite", {}, target.citation), ` · ${target.section}`)),
    ),
  );
}

/** The "规划目标 Targets" block for these targets (with the chart if asked), or null when there are none. */
export function targetsBlock(targets, lang, { chart = false, id } = {}) {
  if (!targets.length) return null;
  return el(
    "section",
    { class: "targets", id },
    el("h3", {}, word(lang, "heading")),
    chart ? ambitionChart(targets, lang) : null,
    el("ul", { class: "target-list" }, ...targets.map((target) => targetItem(target, lang))),
  );
}

/** The page's targets: fetched per filter from /api/targets, kept for the session (the data change only with a load). */
export function createTargets(atlas) {
  const cache = new Map();
  const fetchTargets = (query) => {
    if (!cache.has(query)) cache.set(query, getJSON(`/api/targets?${query}`).then((answer) => answer.items).catch(() => []));
    return cache.get(query);
  };

  /** The block of a place's profile: the targets about the place (the province's for 湖北, with the chart). */
  async function placeBlock(adcode) {
    const targets = await fetchTargets(new URLSearchParams({ place: adcode }).toString());
    return targetsBlock(targets, atlas.state.lang, { chart: Number(adcode) === 420000 });
  }

  /** Above the list while a sector is chosen: that sector's targets (its sub-sectors' too). */
  async function renderSector() {
    const sector = atlas.state.sector;
    const targets = sector ? await fetchTargets(new URLSearchParams({ sector }).toString()) : [];
    if (atlas.state.sector !== sector) return; // another choice came meanwhile
    const block = targetsBlock(targets, atlas.state.lang, { id: "sector-targets" });
    const old = $("#sector-targets");
    if (block && old) old.replaceWith(block);
    else if (block) $(".results-heading")?.before(block);
    else old?.remove();
  }

  return { placeBlock, renderSector };
}
