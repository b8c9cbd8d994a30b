// The legend: the kinds the filters let through and the colours of the top-level sectors among the
// entities shown. The same content goes in the map's corner and on the printed sheet.

import { KINDS } from "../i18n.js";
import { $, el } from "./dom.js";
import { topSectors } from "./visibility.js";

function legendContent(atlas, shown) {
  const { state, data, tr, nameOf } = atlas;
  const tops = topSectors(shown);
  const kinds = KINDS.filter((kind) => state.kinds.has(kind)).map((kind) =>
    el("li", {}, el("span", { class: `kind-swatch kind-${kind}`, "aria-hidden": "true" }), ` ${tr(`kind_${kind}`)}`),
  );
  const sectors = data.tree
    .filter((node) => tops.has(node.id))
    .map((node) => el("li", {}, el("span", { class: "swatch", style: `background:${node.colour}`, "aria-hidden": "true" }), ` ${nameOf(node)}`));
  // Folded on a phone, where it would cover the map.
  return el("details", { open: window.innerWidth > 700 }, el("summary", {}, tr("legend")), el("ul", {}, ...kinds), el("ul", {}, ...sectors));
}

/** Fills the map's legend box and the print sheet's legend for the entities shown. */
export function renderLegend(atlas, mapBox, shown) {
  mapBox.replaceChildren(legendContent(atlas, shown));
  $("#print-legend").replaceChildren(legendContent(atlas, shown));
}
