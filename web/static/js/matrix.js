// Compare places: a view over the map with the prefectures as rows and the top-level sectors as columns,
// how many entities the plans put in each, and with a sector chosen a ranking of the places for it. Each
// cell opens that place's profile with that sector chosen, and lists what the cell counts.
//
// The counting is the API's (app/matrix.py, /api/matrix), worked out here from what the page has loaded
// by the page's one visibility rule (visibility.js), so that the matrix follows kind, plan and status as
// the list and the map do (all kinds unticked: nothing), with no request of its own:
// - an entity counts once in each prefecture-level unit it lies in; a county-level member counts for its
//   prefecture; entities in no prefecture (province-wide) count in the 全省 row only;
// - a cell counts the entities carrying the column's sector or a sub-sector, so an entity under several
//   top-level sectors counts in each of their columns; a row's total counts each entity once;
// - with a plan chosen, the columns are that plan's sectors.
// The pure functions (prefecturesOf, buildMatrix, rankPlaces) have node tests (web/tests/matrix.test.mjs).

import { KINDS } from "../i18n.js";
import { $, el } from "./dom.js";
import { renderSectorTree } from "./panel.js";
import { isVisible } from "./visibility.js";

export const PROVINCE = 420000;

/**
 * The prefecture-level units an entity lies in, from its `members` (adcodes) and `places` (adcode -> the
 * place of the highest level with that adcode: level, parent_adcode). Empty for a province-wide entity.
 */
export function prefecturesOf(entity, places) {
  const found = new Set();
  for (const adcode of entity.members ?? []) {
    const place = places.get(adcode);
    if (place?.level === "prefecture") found.add(adcode);
    else if (place?.level === "county" && places.get(place.parent_adcode)?.level === "prefecture") found.add(place.parent_adcode);
  }
  return found;
}

/** The filters with the sector left out (the matrix's columns are sectors), or with `sector` set. */
const withSector = (filters, sector) => ({ ...filters, sector });

/** The columns: the top-level sectors of /api/sectors (`tree`), or only the chosen plan's. */
export function matrixColumns(tree, plan) {
  return tree.filter((node) => !plan || String(node.plan_year) === String(plan));
}

/**
 * The matrix of `entities` (published properties) for `filters` ({kinds, plan, status}; the sector is the
 * ranking's, not the matrix's) over `columns` (sector nodes): {columns, rows, provinceWide, sums, entities,
 * placements}. `sectors` is every sector node by id, `places` adcode -> place.
 */
export function buildMatrix(entities, places, columns, filters, sectors) {
  const prefectures = [...places.values()]
    .filter((place) => place.level === "prefecture" && place.parent_adcode === PROVINCE)
    .sort((a, b) => a.adcode - b.adcode);
  const blank = (place) => ({ place, counts: new Map(columns.map((column) => [column.id, 0])), total: 0 });
  const rows = new Map(prefectures.map((place) => [place.adcode, blank(place)]));
  const provinceWide = blank(null);
  const shown = entities.filter((entity) => isVisible(entity, withSector(filters, ""), sectors));
  let placements = 0;
  for (const entity of shown) {
    const there = [...prefecturesOf(entity, places)].filter((adcode) => rows.has(adcode));
    const carried = columns.filter((column) => isVisible(entity, withSector(filters, column.id), sectors));
    for (const row of there.length ? there.map((adcode) => rows.get(adcode)) : [provinceWide]) {
      row.total += 1;
      placements += 1;
      for (const column of carried) row.counts.set(column.id, row.counts.get(column.id) + 1);
    }
  }
  const sums = new Map(columns.map((column) => [column.id, [...rows.values()].reduce((sum, row) => sum + row.counts.get(column.id), 0)]));
  return { columns, rows: [...rows.values()], provinceWide, sums, entities: shown.length, placements };
}

/**
 * The prefectures with at least one entity that the filters, sector included, show: most first, ties
 * sharing a rank (1, 2, 2, 4) in the prefectures' order. Returns {places: [{rank, place, count}], provinceWide}.
 */
export function rankPlaces(entities, places, filters, sectors) {
  const { rows, provinceWide } = buildMatrix(entities, places, [{ id: filters.sector }], filters, sectors);
  const ranked = rows.map((row) => ({ place: row.place, count: row.counts.get(filters.sector) })).filter((row) => row.count > 0);
  ranked.sort((a, b) => b.count - a.count); // stable: ties keep the prefectures' order
  let rank = 0;
  ranked.forEach((row, index) => {
    rank = index > 0 && ranked[index - 1].count === row.count ? rank : index + 1;
    row.rank = rank;
  });
  return { places: ranked, provinceWide: provinceWide.counts.get(filters.sector) };
}

/** The query of /api/matrix's files for the filters (kind, plan, status, sector). */
export function matrixParams(filters, lang) {
  const params = new URLSearchParams();
  const kinds = KINDS.filter((kind) => filters.kinds.has(kind));
  if (kinds.length !== KINDS.length) params.set("kind", kinds.join(","));
  if (filters.plan) params.set("plan", filters.plan);
  if (filters.status) params.set("status", filters.status);
  if (filters.sector) params.set("sector", filters.sector);
  if (lang === "en") params.set("lang", "en");
  return params;
}

// A cell's shade: by its share of the largest count in the matrix, in four steps (classes, not inline
// styles: the page's CSP allows no style attributes in markup).
function shade(count, largest) {
  if (!count) return "heat-0";
  return `heat-${Math.min(4, Math.ceil((4 * count) / Math.max(largest, 1)))}`;
}

/** The view: the "compare places" button opens it; filters re-render it; a cell opens a place. */
export function bindMatrix(atlas) {
  const { state, data, tr, nameOf, actions } = atlas;
  const button = $("#compare");
  const view = $("#matrix-view");

  const isOpen = () => !view.hidden;

  function filtersLine() {
    const kinds = state.kinds.size === KINDS.length ? tr("allKinds") : [...state.kinds].map((kind) => tr(`kind_${kind}`)).join("、") || tr("none");
    return [
      `${tr("plan")}${tr("colon")}${state.plan ? tr(`plan${state.plan}`) : tr("allPlans")}`,
      `${tr("status")}${tr("colon")}${state.status ? tr(state.status) : tr("allStatus")}`,
      `${tr("kinds")}${tr("colon")}${kinds}`,
    ].join(" · ");
  }

  /** Opens the place's profile with the sector chosen: one history entry for both. */
  function openCell(adcode, sector) {
    close({ focus: false });
    state.sector = sector;
    state.selection = { type: "place", id: String(adcode) };
    renderSectorTree(atlas);
    actions.update();
    actions.openPlace(adcode, { fly: true });
  }

  function table(matrix) {
    const largest = Math.max(0, ...matrix.rows.flatMap((row) => [...row.counts.values()]));
    // The chosen sector's column, or the column of the top-level sector it belongs to.
    const selected = (column) => (state.sector && (column.descendants ?? [column.id]).includes(state.sector) ? " selected" : "");
    const head = el(
      "tr",
      {},
      el("th", { scope: "col", class: "place-head" }, tr("matrixPlace")),
      ...matrix.columns.map((column) =>
        el(
          "th",
          { scope: "col", class: `sector-col${selected(column)}`, "data-sector": column.id, title: tr("matrixRankBy", nameOf(column)) },
          el("button", { type: "button", class: "link column-choice", onclick: () => actions.chooseSector(column.id) }, nameOf(column)),
        ),
      ),
      el("th", { scope: "col", class: "total-head" }, tr("matrixTotal")),
    );
    const row = (item) =>
      el(
        "tr",
        { class: "place-row", "data-adcode": item.place.adcode },
        el("th", { scope: "row" }, nameOf(item.place)),
        ...matrix.columns.map((column) => {
          const count = item.counts.get(column.id);
          return el(
            "td",
            { class: `${shade(count, largest)}${selected(column)}` },
            el(
              "button",
              {
                type: "button",
                class: "cell",
                "data-adcode": item.place.adcode,
                "data-sector": column.id,
                "aria-label": tr("matrixCell", `${nameOf(item.place)} · ${nameOf(column)} · ${count}`),
                onclick: () => openCell(item.place.adcode, column.id),
              },
              String(count),
            ),
          );
        }),
        el("td", { class: "total" }, String(item.total)),
      );
    const footer = (label, cls, counts, total) =>
      el(
        "tr",
        { class: cls },
        el("th", { scope: "row" }, label),
        ...matrix.columns.map((column) => el("td", { class: `number${selected(column)}` }, String(counts.get(column.id)))),
        el("td", { class: "total" }, String(total)),
      );
    const prefectureTotal = matrix.rows.reduce((sum, item) => sum + item.total, 0);
    return el(
      "div",
      { class: "matrix-scroll" },
      el(
        "table",
        { class: "matrix" },
        el("caption", { class: "sr-only" }, tr("matrixTitle")),
        el("thead", {}, head),
        el(
          "tbody",
          {},
          ...matrix.rows.map(row),
          footer(tr("matrixProvinceWide"), "province-row", matrix.provinceWide.counts, matrix.provinceWide.total),
          footer(tr("matrixSum"), "sum-row", matrix.sums, prefectureTotal),
        ),
      ),
    );
  }

  function ranking() {
    const sector = state.sector && data.sectors.get(state.sector);
    if (!sector) return el("p", { class: "ranking-hint" }, tr("matrixRankHint"));
    const { places: ranked, provinceWide } = rankPlaces(data.entities.map((feature) => feature.properties), data.places, state, data.sectors);
    return el(
      "div",
      { class: "ranking" },
      el("h3", {}, tr("matrixRanking", nameOf(sector))),
      ranked.length
        ? el(
            "ol",
            {},
            ...ranked.map((item) =>
              el(
                "li",
                { "data-adcode": item.place.adcode },
                el("span", { class: "rank" }, String(item.rank)),
                el("button", { type: "button", class: "link", onclick: () => openCell(item.place.adcode, sector.id) }, nameOf(item.place)),
                // The bar's length through the CSSOM (dom.js), which the CSP allows where a style attribute is not.
                el("span", { class: "bar" }, el("span", { class: `bar-fill ${shade(item.count, ranked[0].count)}`, style: `width: ${(100 * item.count) / ranked[0].count}%` })),
                el("span", { class: "count-value" }, String(item.count)),
              ),
            ),
          )
        : el("p", {}, tr("matrixRankNone")),
      provinceWide ? el("p", { class: "muted" }, tr("matrixRankProvinceWide", provinceWide)) : null,
    );
  }

  function render() {
    button.setAttribute("aria-expanded", String(isOpen()));
    if (!isOpen()) return;
    const entities = data.entities.map((feature) => feature.properties);
    const matrix = buildMatrix(entities, data.places, matrixColumns(data.tree, state.plan), state, data.sectors);
    const query = matrixParams(state, state.lang).toString();
    const files = state.kinds.size
      ? el(
          "p",
          { class: "actions" },
          el("a", { class: "button", href: `/api/matrix.csv${query ? `?${query}` : ""}`, download: "" }, tr("downloadCsv")),
          el("a", { class: "button", href: `/api/matrix.xlsx${query ? `?${query}` : ""}`, download: "" }, tr("matrixExcel")),
        )
      : null;
    view.replaceChildren(
      el(
        "header",
        { class: "matrix-header" },
        el("h2", { id: "matrix-title", tabindex: "-1" }, tr("matrixTitle")),
        el("button", { type: "button", class: "button matrix-close", onclick: () => close() }, tr("close")),
      ),
      el("p", { class: "matrix-filters" }, filtersLine()),
      el("p", { class: "matrix-note" }, tr("matrixNote", matrix.entities)),
      table(matrix),
      ranking(),
      ...(files ? [files] : []), // replaceChildren would write a null as the text "null"
    );
  }

  function open() {
    view.hidden = false;
    render();
    $("#matrix-title").focus();
  }

  function close({ focus = true } = {}) {
    view.hidden = true;
    render();
    if (focus) button.focus();
  }

  button.addEventListener("click", () => (isOpen() ? close() : open()));
  // Before the profile's own Escape (capture): Escape closes the view first, and only the view.
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Escape" || !isOpen() || event.target === $("#search")) return;
      event.preventDefault();
      close();
    },
    true,
  );
  return { refresh: render, open, close };
}
