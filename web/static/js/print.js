// The printed sheet: the filters in words and the date, filled in just before printing (the legend is
// kept current by legend.js; the rest of the sheet is static markup).

import { $ } from "./dom.js";

function preparePrint(atlas) {
  const { state, data, tr, nameOf } = atlas;
  const sector = state.sector && data.sectors.get(state.sector);
  const summary = [
    // An unknown sector from an old link is named as it was written.
    state.sector ? (sector ? nameOf(sector) : state.sector) : tr("allSectors"),
    state.plan ? tr(`plan${state.plan}`) : tr("allPlans"),
    state.status ? tr(state.status) : tr("allStatus"),
    [...state.kinds].map((kind) => tr(`kind_${kind}`)).join("、"),
  ].join(" · ");
  $("#print-filters").textContent = tr("filtersNow", summary);
  $("#print-date").textContent = tr("printedOn", new Date().toISOString().slice(0, 10));
}

export function bindPrint(atlas) {
  $("#print").addEventListener("click", () => {
    preparePrint(atlas);
    window.print();
  });
  window.addEventListener("beforeprint", () => preparePrint(atlas));
}
