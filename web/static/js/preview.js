// The review server's proposed layer (atlas serve --preview PROPOSALS): the proposals of a plan drawn as
// dashed outlines of their places, in a pane of their own above the catalogue's entities, each with its
// quote between the sentences around it. main.js imports this module only when the page config says
// preview; the public atlas never loads it, and its server has no /preview route.

import { getJSON } from "./api.js";
import { el } from "./dom.js";

const URL = "/preview/proposals";
const LABEL = "待审核 proposed";
// Colour by the review decision, all dashed: what is pending stands out, what was rejected fades.
const DECISION_STYLE = {
  pending: { color: "#c2185b", opacity: 0.95, fillOpacity: 0.06 },
  accepted: { color: "#2e7d32", opacity: 0.9, fillOpacity: 0.04 },
  rejected: { color: "#8a8a8a", opacity: 0.5, fillOpacity: 0 },
};
const DECISION_WORDS = { pending: "待审核 pending", accepted: "已接受 accepted", rejected: "已拒绝 rejected" };

/** Draws the proposals on the atlas's map, with a control that names and toggles the layer. */
export async function showProposals(atlas, mapView) {
  const map = mapView.leaflet;
  // Above the entities' outlines (overlay pane, 400), under the place names (450) and the selection (640).
  map.createPane("proposed").style.zIndex = "420";
  const count = el("span", { class: "proposed-count" }, "…");
  const toggle = el("input", { type: "checkbox", checked: true, "aria-label": LABEL });
  const control = L.control({ position: "topright" });
  control.onAdd = () => {
    const box = el("label", { class: "proposed-control leaflet-bar", style: "display:block;background:#fff;padding:4px 8px;font-size:13px" }, toggle, " ", el("span", { style: "border-bottom:2px dashed #c2185b" }, LABEL), " ", count);
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  control.addTo(map);
  let collection;
  try {
    collection = await getJSON(URL);
  } catch {
    count.textContent = "— 无法读取 cannot be read";
    return;
  }
  const layer = L.geoJSON(collection, {
    pane: "proposed",
    style: (feature) => ({
      ...(DECISION_STYLE[feature.properties.decision] || DECISION_STYLE.pending),
      weight: 3,
      dashArray: "8 6",
      fillColor: (DECISION_STYLE[feature.properties.decision] || DECISION_STYLE.pending).color,
      className: `proposed proposed-${feature.properties.id}`,
      // A click on a proposal opens its popup only: the map's own click (the entity chooser) is not for it.
      bubblingMouseEvents: false,
    }),
    onEachFeature: (feature, shape) => {
      const properties = feature.properties;
      shape.bindTooltip(() => `${LABEL} · ${properties.name_zh} · ${atlas.tr(`kind_${properties.kind}`)}`, { sticky: true });
      shape.bindPopup(() => popup(atlas, properties), { maxWidth: 360, className: "proposed-popup" });
    },
  }).addTo(map);
  toggle.addEventListener("change", () => (toggle.checked ? layer.addTo(map) : layer.remove()));
  const drawn = collection.features.filter((feature) => feature.geometry).length;
  count.textContent = `(${collection.features.length})`;
  map.getContainer().dataset.proposalsDrawn = String(drawn);
}

/** What the reviewer reads: name, kind, places, sectors, decision, the quote in context, reason, flags. */
function popup(atlas, properties) {
  const row = (label, value) => el("div", {}, el("b", {}, `${label}: `), value);
  const quotes = properties.quotes.map((ref) =>
    el(
      "blockquote",
      { class: "proposed-quote", style: "margin:6px 0;padding-left:6px;border-left:3px solid #c2185b" },
      el("span", { style: "color:#666" }, ref.before),
      el("mark", {}, ref.quote),
      el("span", { style: "color:#666" }, ref.after),
      el("div", { style: "color:#666;font-size:11px" }, ref.section),
    ),
  );
  const flags = [
    properties.unresolved.length ? row("未识别地点 Unknown places", properties.unresolved.join("、")) : null,
    properties.duplicates.length ? row("可能重复 Possible duplicate of", properties.duplicates.join(", ")) : null,
    properties.lineage.length ? row("前版对应 Earlier edition", properties.lineage.join(", ")) : null,
  ];
  return el(
    "div",
    { class: "proposed-details", "data-proposal": properties.id },
    el("div", { style: "font-weight:bold" }, `${properties.name_zh}`),
    el("div", {}, properties.name_en),
    row("类型 Kind", atlas.tr(`kind_${properties.kind}`)),
    row("地点 Places", properties.places.join("、") || "—"),
    row("行业 Sectors", properties.sectors.join(", ") || "—"),
    row("审核 Review", DECISION_WORDS[properties.decision] || properties.decision),
    ...quotes,
    row("理由 Reason", properties.reason),
    ...flags,
  );
}
