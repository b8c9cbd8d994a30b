// The map's legend: what the map draws and only that. The kinds among the entities drawn (a symbol each)
// and the colours the map gives them for the current filter (palette.js: top sectors with no sector
// chosen, the chosen sector's sub-sectors with one), each with how many are drawn. Province-wide entities
// are listed in the panel, not drawn, so they are not in the legend either.

import { KINDS } from "../i18n.js";
import { el } from "./dom.js";
import { NONE, OTHER, colourScheme } from "./palette.js";

function legendContent(atlas, shown) {
  const { state, data, tr, nameOf } = atlas;
  const drawn = shown.filter((entity) => !entity.province_wide);
  const { categories } = colourScheme(drawn, state.sector, data.sectors);
  const kinds = KINDS.filter((kind) => drawn.some((entity) => entity.kind === kind)).map((kind) =>
    el("li", { "data-kind": kind }, el("span", { class: `kind-swatch kind-${kind}`, "aria-hidden": "true" }), ` ${tr(`kind_${kind}`)}`),
  );
  if (drawn.some((entity) => entity.kind === "corridor" && entity.ordered)) {
    kinds.push(el("li", { "data-kind": "stops" }, el("span", { class: "legend-stop", "aria-hidden": "true" }, "1"), ` ${tr("stopOrder")}`));
  }
  const sector = state.sector && data.sectors.get(state.sector);
  const categoryName = (category) => {
    if (category.id === OTHER) return tr("sectorOther");
    if (category.id === NONE) return tr("sectorNone");
    const node = data.sectors.get(category.id);
    if (!node) return category.id;
    // The chosen sector itself, among its sub-sectors: entities that name no finer sector.
    return sector && category.id === sector.id ? tr("sectorItself", nameOf(node)) : nameOf(node);
  };
  const colours = categories.map((category) =>
    el(
      "li",
      { "data-colour": category.colour, "data-category": category.id },
      el("span", { class: "swatch", style: `background:${category.colour}`, "aria-hidden": "true" }),
      el("span", { class: "legend-name" }, ` ${categoryName(category)}`),
      el("span", { class: "count" }, ` ${category.count}`),
    ),
  );
  const heading = sector ? tr("colourBySub", nameOf(sector)) : tr("colourByTop");
  // Folded on a phone, where it would cover the map.
  return el(
    "details",
    { open: window.innerWidth > 700 },
    el("summary", {}, tr("legend")),
    kinds.length ? el("ul", { class: "legend-kinds" }, ...kinds) : null,
    colours.length ? el("p", { class: "legend-heading" }, heading) : null,
    colours.length ? el("ul", { class: "legend-colours" }, ...colours) : null,
  );
}

/** Fills the map's legend box for the entities shown (the print sheet makes its own, print.js). */
export function renderLegend(atlas, mapBox, shown) {
  const open = mapBox.querySelector("details")?.open;
  const content = legendContent(atlas, shown);
  if (open !== undefined) content.open = open; // a re-render keeps the reader's choice
  mapBox.replaceChildren(content);
  content.addEventListener("toggle", () => mapBox.dispatchEvent(new Event("legendchange")));
  mapBox.dispatchEvent(new Event("legendchange")); // the map keeps its fitted view and its names clear of it
}
