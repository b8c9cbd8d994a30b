// The side panel's browse view: kind checkboxes, plan and status choices, the sector tree, the list of
// what the filters show, the download links and the county toggle. It renders state and reports choices;
// what is shown is decided by visibility.js.

import { KINDS } from "../i18n.js";
import { $, el } from "./dom.js";
import { DOWNLOAD_FORMATS, downloadLinks } from "./downloads.js";
import { facetCounts, filtersActive, planYears, unknownSector, visibleEntities } from "./visibility.js";

/**
 * A button that opens an entity's profile (in the list, and in a place's profile). It says which plan
 * (year) the entity comes from, and when its place is only inferred: readers weigh the two differently.
 */
export function entityButton(atlas, entity) {
  const { tr, nameOf } = atlas;
  const years = planYears(entity);
  return el(
    "button",
    { type: "button", class: "entity", "data-id": entity.id, onclick: () => atlas.actions.openEntity(entity.id, { fly: true }) },
    // The map's colours (by what the filter is about), so that a row and its shape agree.
    el("span", { class: `kind-swatch kind-${entity.kind}`, style: `--c:${(atlas.colourOf ?? (() => entity.colour))(entity)}`, "aria-hidden": "true" }),
    el("span", { class: "entity-name" }, nameOf(entity)),
    el(
      "span",
      { class: "entity-meta" },
      el("span", { class: "entity-kind" }, tr(`kind_${entity.kind}`)),
      years.length ? el("span", { class: "plan-badge" }, tr("planBadge", years.join("·"))) : null,
      entity.confidence === "inferred" ? el("span", { class: "inferred-badge" }, tr("inferredBadge")) : null,
      entity.inferred_sectors?.length ? el("span", { class: "inferred-badge inferred-sector-badge" }, tr("inferredSectorBadge")) : null,
    ),
  );
}

/** The panel's message box (above the list): what happened and what to do. Made here, not in the template. */
function noticeBox() {
  let box = $("#notice");
  if (!box) {
    box = el("div", { id: "notice", class: "notice", role: "status", hidden: true });
    $("#results").before(box);
  }
  return box;
}

/** Shows `content` in the message box, or hides it when there is none. */
export function showNotice(...content) {
  const box = noticeBox();
  const shown = content.filter(Boolean);
  box.replaceChildren(...shown);
  box.hidden = shown.length === 0;
}

/** The loading state: the data is on its way (until the first render replaces it). */
export function showLoading(atlas) {
  $("#result-count").textContent = "";
  showNotice(el("p", { class: "loading" }, atlas.tr("loading")));
  $("#panel").setAttribute("aria-busy", "true");
}

function clearFiltersButton(atlas) {
  return el("button", { type: "button", class: "button clear-filters", onclick: () => atlas.actions.resetFilters() }, atlas.tr("reset"));
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
      return el(
        "label",
        { class: "check" },
        input,
        el("span", { class: `kind-swatch kind-${kind}`, "aria-hidden": "true" }),
        ` ${tr(`kind_${kind}`)}`,
        el("span", { class: "count", "data-kind": kind }),
      );
    }),
  );
}

export function renderSectorTree(atlas) {
  const { state, data, tr, nameOf } = atlas;
  const radio = (id, text, count) => {
    const input = el("input", { type: "radio", name: "sector", value: id, checked: state.sector === id });
    input.addEventListener("change", () => {
      state.sector = id;
      atlas.actions.update();
    });
    return el(
      "label",
      { class: "sector" },
      input,
      ` ${text}`,
      count === null ? null : el("span", { class: "count", "data-sector": id }),
    );
  };
  // No colour swatches here: the map colours by what the filter is about, so a sector's colour changes
  // with the filter; the legend shows the colours of what is drawn.
  const branch = (node) =>
    el(
      "li",
      {},
      radio(node.id, nameOf(node), true),
      node.children.length ? el("ul", {}, ...node.children.map(branch)) : null,
    );
  $("#sector-tree").replaceChildren(radio("", tr("allSectors"), null), el("ul", {}, ...data.tree.map(branch)));
  const current = state.sector && data.sectors.get(state.sector);
  $("#sector-current").textContent = current ? `· ${nameOf(current)}` : "";
}

/**
 * The counts beside each kind, plan, status and sector: how many entities that choice would list with the
 * other filters as they are (visibility.facetCounts, the rule the list follows). Updated in place, so that
 * the control a keyboard user is on keeps its focus.
 */
export function renderCounts(atlas, entities) {
  const { state, data, tr } = atlas;
  const counts = facetCounts(entities, state, data.sectors);
  document.querySelectorAll("#kind-options .count").forEach((node) => (node.textContent = ` (${counts.kinds.get(node.dataset.kind) ?? 0})`));
  document.querySelectorAll("#sector-tree .count").forEach((node) => (node.textContent = ` (${counts.sectors.get(node.dataset.sector) ?? 0})`));
  for (const [select, byChoice] of [["#plan", counts.plans], ["#status", counts.statuses]]) {
    for (const option of $(select).options) {
      if (option.value) option.textContent = `${tr(option.dataset.i18n)} (${byChoice.get(option.value) ?? 0})`;
    }
  }
}

/** The list of what the filters show: the entities on the map, then the province-wide ones. */
export function renderResults(atlas, { shown, onMap, provinceWide }) {
  const { state, data, tr } = atlas;
  const items = onMap.map((entity) => el("li", {}, entityButton(atlas, entity)));
  if (provinceWide.length) {
    items.push(el("li", { class: "group-heading" }, tr("provinceWide")));
    items.push(...provinceWide.map((entity) => el("li", {}, entityButton(atlas, entity))));
  }
  $("#results").replaceChildren(...items);
  $("#result-count").textContent = tr("count", shown.length);
  $("#panel").removeAttribute("aria-busy");
  // An empty list says why and offers the way out, instead of a bare "0".
  if (unknownSector(state, data.sectors)) showNotice(el("p", {}, tr("unknownSector", state.sector)), clearFiltersButton(atlas));
  else if (!shown.length) showNotice(el("p", {}, tr("emptyResult")), filtersActive(state) ? clearFiltersButton(atlas) : null);
  else showNotice();
}

/**
 * The download buttons give what is shown (downloads.js): the list's entities, or those a place's profile
 * shows (`atlas.placeShown`, set by profiles.js). With nothing shown they are disabled, and say why.
 */
export function renderDownloadLinks(atlas) {
  const { state, data, tr, nameOf } = atlas;
  const place = state.selection?.type === "place" ? state.selection.id : null;
  let shown;
  if (!place) shown = visibleEntities(data.entities.map((feature) => feature.properties), state, data.sectors).shown.length;
  else if (!data.places.has(Number(place))) shown = 0; // an unknown place shows nothing
  else shown = atlas.placeShown?.adcode === place ? atlas.placeShown.count : null; // null: the profile is on its way
  const { hrefs, reason } = downloadLinks(state, shown);
  for (const { format, id } of DOWNLOAD_FORMATS) {
    const link = $(`#${id}`);
    if (hrefs) link.href = hrefs[format];
    else link.removeAttribute("href"); // a link without href cannot be followed, by pointer or keyboard
    link.setAttribute("aria-disabled", String(!hrefs));
    link.classList.toggle("disabled", !hrefs);
    if (hrefs) link.removeAttribute("aria-describedby");
    else link.setAttribute("aria-describedby", "dl-scope");
  }
  const scope = $("#dl-scope");
  scope.classList.toggle("download-none", !hrefs);
  if (!hrefs) scope.textContent = tr(reason);
  else if (place) scope.textContent = tr("downloadScopePlace", nameOf(data.places.get(Number(place)))).replace("{m}", shown ?? "…");
  else scope.textContent = tr("downloadScope", shown);
}

export function syncControls(atlas) {
  const { state } = atlas;
  $("#plan").value = state.plan;
  $("#status").value = state.status;
  $("#counties").checked = state.counties;
}

export function showLoadError(atlas) {
  $("#result-count").textContent = atlas.tr("loadError");
  $("#panel").removeAttribute("aria-busy");
  showNotice(el("p", {}, atlas.tr("loadError")));
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
