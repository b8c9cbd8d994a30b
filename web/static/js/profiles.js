// Profiles in the side panel: an entity (names, kind, places, sectors, status, how it was placed and the
// plan's own words) and a place (what the plans put there, the groups it belongs to, their sectors).
// Opening one selects it: the state records it and the map highlights it.

import { getJSON } from "./api.js";
import { $, el } from "./dom.js";
import { entityButton, showLoadError } from "./panel.js";

function showProfile(...content) {
  $("#browse").hidden = true;
  $("#profile").hidden = false;
  $("#profile-body").replaceChildren(...content);
  $("#profile-body h2")?.focus();
}

function quoteBlock(atlas, ref) {
  return el(
    "blockquote",
    { class: "quote", lang: "zh-CN" },
    el("p", {}, `“${ref.quote}”`),
    el("footer", {}, el("cite", {}, atlas.tr(`plan_${ref.plan}`)), el("span", { class: "section" }, ` · ${ref.section}`)),
  );
}

const chip = (text, onclick) => el("button", { type: "button", class: "chip", onclick }, text);

/** The profile functions of a page: open an entity or a place, close the profile. */
export function createProfiles(atlas, mapView) {
  const { state, tr, nameOf, otherNameOf, actions } = atlas;

  async function openEntity(id, { fly }) {
    state.selection = { type: "entity", id };
    actions.writeHash();
    let detail;
    try {
      detail = await getJSON(`/api/clusters/${encodeURIComponent(id)}`);
    } catch {
      return showLoadError(atlas);
    }
    if (state.selection?.id !== id) return; // another selection came meanwhile
    const members = detail.member_places.map((place) => chip(nameOf(place), () => openPlace(place.adcode, { fly: true })));
    const sectors = detail.sector_names.map((sector) => chip(nameOf(sector), () => actions.chooseSector(sector.id)));
    const shape = detail.route || detail.geometry;
    showProfile(
      el("h2", { tabindex: "-1" }, nameOf(detail)),
      el("p", { class: "alt-name", lang: state.lang === "en" ? "zh-CN" : "en" }, otherNameOf(detail)),
      el("p", { class: "badges" }, el("span", { class: "badge" }, tr(`kind_${detail.kind}`)), el("span", { class: "badge" }, tr(detail.status))),
      el(
        "dl",
        {},
        el("dt", {}, tr("members")),
        el("dd", {}, ...(members.length ? members : [tr("none")])),
        el("dt", {}, tr("sectorsOf")),
        el("dd", {}, ...(sectors.length ? sectors : [tr("none")])),
        el("dt", {}, tr("confidence")),
        el("dd", {}, tr(detail.confidence)),
        detail.note ? el("dt", {}, tr("note")) : null,
        detail.note ? el("dd", { class: "note", lang: "en" }, detail.note) : null,
      ),
      el("h3", {}, tr("quotes")),
      ...detail.plan_refs.map((ref) => quoteBlock(atlas, ref)),
      el("button", { type: "button", class: "button", onclick: () => mapView.highlight(shape, { fly: true }) }, tr("zoomTo")),
    );
    mapView.highlight(shape, { fly });
  }

  async function openPlace(adcode, { fly }) {
    state.selection = { type: "place", id: String(adcode) };
    actions.writeHash();
    let profile;
    try {
      profile = await getJSON(`/api/places/${adcode}`);
    } catch {
      return showLoadError(atlas);
    }
    if (state.selection?.id !== String(adcode)) return;
    const list = (entities) =>
      entities.length
        ? el("ul", { class: "results" }, ...entities.map((entity) => el("li", {}, entityButton(atlas, entity))))
        : el("p", {}, tr("none"));
    const sectors = profile.sectors.map((sector) => chip(nameOf(sector), () => actions.chooseSector(sector.id)));
    showProfile(
      el("h2", { tabindex: "-1" }, nameOf(profile)),
      el("p", { class: "alt-name" }, `${tr(`level_${profile.level}`)} · ${otherNameOf(profile)} · ${profile.adcode}`),
      el("h3", {}, tr("entitiesHere")),
      list(profile.entities),
      el("h3", {}, tr("groupsHere")),
      list(profile.groups),
      el("h3", {}, tr("sectorsOf")),
      el("p", {}, ...(sectors.length ? sectors : [tr("none")])),
    );
    mapView.highlight(profile.geometry, { fly });
  }

  function closeProfile() {
    state.selection = null;
    mapView.clearHighlight();
    $("#profile").hidden = true;
    $("#browse").hidden = false;
    actions.writeHash();
  }

  /** Opens what the state has selected (after a permalink or a language switch). */
  function openSelection() {
    const selection = state.selection;
    if (!selection) return;
    if (selection.type === "place") openPlace(Number(selection.id), { fly: false });
    else openEntity(selection.id, { fly: false });
  }

  $("#back").addEventListener("click", () => {
    closeProfile();
    $("#results button")?.focus();
  });

  return { openEntity, openPlace, closeProfile, openSelection };
}
