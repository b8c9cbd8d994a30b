// The printed sheet: one A4 landscape page with the map on the left and, on the right, the title, the
// filters in words, the legend of what is drawn, the sources with their document numbers, the approval
// line and the date.
//
// Leaflet lays its map out in pixels for the size its box had when it last measured it, so printing the
// screen's map into a smaller paper box cut it (only north-west Hubei) and split it across pages. Here the
// map box is given its paper size (in mm, the same in both media: atlas.css, "Print" block) before the
// print layout happens, the map measures it and fits what is shown, and the screen's view comes back
// afterwards. That is done on `beforeprint` (the browser's print) and when the print media query starts to
// match (a PDF made with print media emulated, which fires no beforeprint).

import { KINDS } from "../i18n.js";
import { getJSON } from "./api.js";
import { $, el } from "./dom.js";
import { colourScheme, NONE, OTHER } from "./palette.js";
import { visibleEntities } from "./visibility.js";

// Hubei's extent, for a print before the outlines have arrived (they are measured once they have).
const HUBEI_BOUNDS = [
  [29.03, 108.36],
  [33.28, 116.13],
];

/** The filters in words: sector, plan, status and kinds, each named (the printed sheet, the standalone map). */
export function filtersInWords(atlas) {
  const { state, data, tr, nameOf } = atlas;
  const sector = state.sector && data.sectors.get(state.sector);
  const labelled = (label, words) => `${tr(label)}${tr("colon")}${words}`;
  return [
    // An unknown sector from an old link is named as it was written.
    labelled("sectors", state.sector ? (sector ? nameOf(sector) : state.sector) : tr("allSectors")),
    labelled("plan", state.plan ? tr(`plan${state.plan}`) : tr("allPlans")),
    labelled("status", state.status ? tr(state.status) : tr("allStatus")),
    labelled("kinds", KINDS.length === state.kinds.size ? tr("allKinds") : [...state.kinds].map((kind) => tr(`kind_${kind}`)).join("、") || tr("none")),
  ].join(" · ");
}

function anyFilter(state) {
  return Boolean(state.sector || state.plan || state.status || state.kinds.size !== KINDS.length);
}

/** The entities the map draws for the current filters (the province-wide ones have no place to draw). */
function drawnEntities(atlas) {
  const { data, state } = atlas;
  return visibleEntities(data.entities.map((feature) => feature.properties), state, data.sectors).onMap;
}

/**
 * The legend of what is drawn, and only that: the boundaries, the kinds among the drawn entities and the
 * colour categories of the drawn entities as palette.js colours them for the filter (the map's rule).
 */
function printedLegend(atlas, drawn) {
  const { state, data, tr, nameOf } = atlas;
  const kinds = KINDS.filter((kind) => drawn.some((entity) => entity.kind === kind));
  const { categories } = colourScheme(drawn, state.sector, data.sectors);
  // Named as the map's legend names them (legend.js), so that screen and paper read alike.
  const chosen = state.sector && data.sectors.get(state.sector);
  const categoryName = (id) => {
    if (id === OTHER) return tr("sectorOther");
    if (id === NONE) return tr("sectorNone");
    const sector = data.sectors.get(id);
    if (!sector) return id;
    return chosen && id === chosen.id ? tr("sectorItself", nameOf(sector)) : nameOf(sector);
  };
  const item = (swatch, text) => el("li", {}, swatch, ` ${text}`);
  return [
    el("h2", {}, tr("legend")),
    el(
      "ul",
      { class: "print-kinds" },
      item(el("span", { class: "kind-swatch print-boundary", "aria-hidden": "true" }), tr("prefectures")),
      ...kinds.map((kind) => item(el("span", { class: `kind-swatch kind-${kind}`, "aria-hidden": "true" }), tr(`kind_${kind}`))),
      drawn.some((entity) => entity.kind === "corridor" && entity.ordered) ? item(el("span", { class: "legend-stop", "aria-hidden": "true" }, "1"), tr("stopOrder")) : null,
    ),
    categories.length ? el("p", { class: "print-heading" }, chosen ? tr("colourBySub", nameOf(chosen)) : tr("colourByTop")) : null,
    el(
      "ul",
      { class: "print-sectors" },
      ...categories.map((category) =>
        item(el("span", { class: "swatch", style: `background:${category.colour}`, "aria-hidden": "true" }), categoryName(category.id)),
      ),
    ),
  ];
}

/** Fills the sheet's words for the current state; called just before printing. */
function fillSheet(atlas, drawn) {
  const { config, state, tr } = atlas;
  $("#print-filters").textContent = filtersInWords(atlas);
  const selected = state.selection && !$("#profile").hidden && $("#profile h2")?.textContent;
  $("#print-selection").textContent = selected ? tr("selectedNow", selected) : "";
  $("#print-legend").replaceChildren(...printedLegend(atlas, drawn).filter(Boolean));
  $("#print-approval").textContent = config.approval_number ? tr("approval", config.approval_number) : tr("approvalNone");
  $("#print-date").textContent = tr("printedOn", new Date().toISOString().slice(0, 10));
}

/** The box the printed map fits: what is drawn when a filter narrows it, else the whole province. */
function boundsToFit(atlas, mapView, drawn) {
  if (anyFilter(atlas.state) && drawn.length) {
    const features = atlas.data.entities.filter((feature) => drawn.includes(feature.properties));
    const bounds = L.geoJSON({ type: "FeatureCollection", features }).getBounds();
    if (bounds.isValid()) return bounds;
  }
  return provinceBounds(mapView.leaflet);
}

/** The extent of the prefecture outlines the map draws (Hubei's, as a constant, before they arrive). */
function provinceBounds(map) {
  const bounds = L.latLngBounds([]);
  map.eachLayer((layer) => {
    if (layer.feature?.properties?.level === "prefecture" && layer.getBounds) bounds.extend(layer.getBounds());
  });
  return bounds.isValid() ? bounds : L.latLngBounds(HUBEI_BOUNDS);
}

const PADDING = 6; // px around what is shown inside the printed map's frame

/**
 * Shortens the printed map's box to what it shows. Hubei is wider than the paper box is tall, so a map
 * fitted by its width left bands of empty paper inside the frame above and below the province; the box
 * now takes the fitted content's height (never more than its paper height) and the map is fitted again.
 */
function hugContent(map, bounds) {
  const box = map.getSize();
  const top = map.latLngToContainerPoint(bounds.getNorthWest());
  const bottom = map.latLngToContainerPoint(bounds.getSouthEast());
  const needed = bottom.y - top.y + 2 * PADDING;
  if (!(needed > 0) || needed >= box.y - 1) return;
  const container = map.getContainer();
  const paperHeight = container.getBoundingClientRect().height;
  container.style.setProperty("--print-map-height", `${(paperHeight * needed) / box.y}px`);
  map.invalidateSize({ animate: false });
  map.fitBounds(bounds, { padding: [PADDING, PADDING], animate: false });
}

export function bindPrint(atlas, mapView) {
  const map = mapView.leaflet;
  let saved = null; // the screen's view while the print layout is on
  // The sources as every quote cites them (app/citation.py, /api/plans): title, issuer, number, date,
  // period. The page's own words stay if the list cannot be had.
  getJSON("/api/plans")
    .then((plans) => {
      const lines = plans.map((plan) => el("p", { class: "plan-source" }, plan.citation));
      const fallbacks = [...document.querySelectorAll(".print-sources [data-i18n^=printSource]")];
      if (!lines.length || !fallbacks.length) return;
      fallbacks[0].replaceWith(...lines);
      fallbacks.slice(1).forEach((line) => line.remove());
    })
    .catch(() => {});

  function enter() {
    const drawn = drawnEntities(atlas);
    fillSheet(atlas, drawn);
    if (!saved) saved = { view: mapView.view(), zoomSnap: map.options.zoomSnap };
    document.body.classList.add("print-layout");
    map.invalidateSize({ animate: false });
    // A fine zoom step lets the fitted view fill the paper box rather than the nearest half zoom level.
    map.options.zoomSnap = 0.1;
    const bounds = boundsToFit(atlas, mapView, drawn);
    map.fitBounds(bounds, { padding: [PADDING, PADDING], animate: false });
    hugContent(map, bounds);
    document.body.dataset.print = "fitted";
  }

  function leave() {
    if (!saved) return;
    document.body.classList.remove("print-layout");
    map.getContainer().style.removeProperty("--print-map-height");
    delete document.body.dataset.print;
    map.options.zoomSnap = saved.zoomSnap;
    map.invalidateSize({ animate: false });
    mapView.setView(saved.view);
    saved = null;
  }

  $("#print").addEventListener("click", () => window.print());
  window.addEventListener("beforeprint", enter);
  window.addEventListener("afterprint", leave);
  matchMedia("print").addEventListener("change", (event) => (event.matches ? enter() : leave()));
  return {
    /** Refills the sheet after the page re-rendered its own parts while the print layout is on. */
    refresh() {
      if (saved) fillSheet(atlas, drawnEntities(atlas));
    },
  };
}
