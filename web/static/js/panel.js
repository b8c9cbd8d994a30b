// The side panel's browse view: kind checkboxes, plan and status choices, the sector tree, the list of
// what the filters show, the download links and the county toggle. It renders state and reports choices;
// what is shown is decided by visibility.js.

import { KINDS } from "../i18n.js";
import { $, el } from "./dom.js";
import { filterParams } from "./permalink.js";

/** A button that opens an entity's profile (in the list, and in a place's profile). */
export function entityButton(atlas, entity) {
  const { tr, nameOf } = atlas;
  return el(
    "button",
    { type: "button", class: "entity", onclick: () => atlas.actions.openEntity(entity.id, { fly: true }) },
    el("span", { class: `kind-swatch kind-${entity.kind}`, style: `--c:${entity.colour}`, "aria-hidden": "true" }),
    el("span", { class: "entity-name" }, nameOf(entity)),
    el("span", { class: "entity-kind" }, tr(`kind_${entity.kind}`)),
  );
}

export function renderKinds(atlas) {
  const { state, tr } = atlas;
  $("#kind-options").replaceChildren(
    ...KINDS.map((kind) => {
      const input = el("input", { type: "checkbox", value: kind, checked: state.kinds.has(kind) });
      input.addEventListener("change", () => {
        input.checked ? state.kinds.add(kind) : state.kinds.delete(kind);
        atlas.actions.update();
      });
      return el("label", { class: "check" }, input, el("span", { class: `kind-swatch kind-${kind}`, "aria-hidden": "true" }), ` ${tr(`kind_${kind}`)}`);
    }),
  );
}

export function renderSectorTree(atlas) {
  const { state, data, tr, nameOf } = atlas;
  const radio = (id, text, count, colour) => {
    const input = el("input", { type: "radio", name: "sector", value: id, checked: state.sector === id });
    input.addEventListener("change", () => {
      state.sector = id;
      atlas.actions.update();
    });
    return el(
      "label",
      { class: "sector" },
      input,
      colour ? el("span", { class: "swatch", style: `background:${colour}`, "aria-hidden": "true" }) : null,
      ` ${text}`,
      count === null ? null : el("span", { class: "count" }, ` (${count})`),
    );
  };
  // Only the top-level sectors show their colour swatch: a sub-sector takes its top sector's colour.
  const branch = (node, top) =>
    el(
      "li",
      {},
      radio(node.id, nameOf(node), node.entity_count, top ? node.colour : null),
      node.children.length ? el("ul", {}, ...node.children.map((child) => branch(child, false))) : null,
    );
  $("#sector-tree").replaceChildren(radio("", tr("allSectors"), null, null), el("ul", {}, ...data.tree.map((node) => branch(node, true))));
  const current = state.sector && data.sectors.get(state.sector);
  $("#sector-current").textContent = current ? `· ${nameOf(current)}` : "";
}

/** The list of what the filters show: the entities on the map, then the province-wide ones. */
export function renderResults(atlas, { shown, onMap, provinceWide }) {
  const { tr } = atlas;
  const items = onMap.map((entity) => el("li", {}, entityButton(atlas, entity)));
  if (provinceWide.length) {
    items.push(el("li", { class: "group-heading" }, tr("provinceWide")));
    items.push(...provinceWide.map((entity) => el("li", {}, entityButton(atlas, entity))));
  }
  $("#results").replaceChildren(...items);
  $("#result-count").textContent = tr("count", shown.length);
}

export function renderDownloadLinks(atlas) {
  const params = filterParams(atlas.state).toString();
  const query = params ? `?${params}` : "";
  $("#dl-geojson").href = `/downloads/clusters.geojson${query}`;
  $("#dl-csv").href = `/downloads/clusters.csv${query}`;
}

export function syncControls(atlas) {
  const { state } = atlas;
  $("#plan").value = state.plan;
  $("#status").value = state.status;
  $("#counties").checked = state.counties;
}

export function showLoadError(atlas) {
  $("#result-count").textContent = atlas.tr("loadError");
}

/** Wires the panel's fixed controls to the state; the rendered ones wire themselves. */
export function bindPanel(atlas) {
  const { state, actions } = atlas;
  $("#plan").addEventListener("change", (event) => {
    state.plan = event.target.value;
    actions.update();
  });
  $("#status").addEventListener("change", (event) => {
    state.status = event.target.value;
    actions.update();
  });
  $("#counties").addEventListener("change", (event) => {
    state.counties = event.target.checked;
    actions.showCounties();
    actions.writeHash();
  });
  $("#reset").addEventListener("click", () => actions.resetFilters());
  // A phone shows the list first.
  if (window.innerWidth <= 700) $("#sectors-box").open = false;
}
