// Profiles in the side panel: an entity (names, kind, places, sectors, status, how it was placed and the
// plan's own words) and a place (what the plans put there, each with its words inline, the groups it
// belongs to, their sectors). Opening one selects it: the state records it and the map highlights it.
// Both follow the filters by the one rule of visibility.js: what the filters leave out is set apart and
// marked, never mixed in. Also here: the way back, Escape, and map features reachable by keyboard.

import { getJSON, getJSONOrNull as fetchOrNull } from "./api.js";
import { $, el } from "./dom.js";
import { entityButton, showLoadError } from "./panel.js";
import { isVisible, planYears, sectorsCarried, splitByVisibility } from "./visibility.js";

// A profile that arrives within this time shows no loading state (it would only flicker).
const LOADING_DELAY_MS = 150;

function showProfile(atlas, ...content) {
  $("#browse").hidden = true;
  $("#profile").hidden = false;
  $("#profile-body").replaceChildren(...content.filter(Boolean));
  $("#back").textContent = backLabel(atlas);
  $("#profile-body h2")?.focus();
}

/** "← back to 襄阳市" when the page came here from a profile, else "← back to the list". */
function backLabel(atlas) {
  const { data, tr, nameOf } = atlas;
  const from = history.state?.depth > 0 ? history.state.from : null;
  if (!from) return tr("back");
  const item =
    from.type === "place"
      ? data.places.get(Number(from.id))
      : data.entities.find((feature) => feature.properties.id === from.id)?.properties;
  return item ? tr("backTo", nameOf(item)) : tr("back");
}

/** One passage of a plan: its words, then plan, year and section (where a reader finds it in the plan). */
function quoteBlock(atlas, ref) {
  const { tr } = atlas;
  return el(
    "blockquote",
    { class: "quote", lang: "zh-CN" },
    // The plan's words set apart as a block quote, with no quotation marks of our own: many quotes begin
    // with a quoted name (“汉孝随襄十”…), which added marks would double.
    el("p", {}, ref.quote),
    el(
      "footer",
      {},
      // The plan cited as everywhere else (app/citation.py): title, issuer, number, date, period.
      el("cite", {}, ref.citation || tr(`planTitle_${ref.plan}`)),
      el("span", { class: "year" }, ` · ${tr("yearOf", ref.year)}`),
      el("span", { class: "section" }, ` · ${ref.section}`),
    ),
  );
}

const chip = (text, onclick) => el("button", { type: "button", class: "chip", onclick }, text);

/** Names near an unknown id, from /api/search: the id as typed, then its words (old ids were shorter). */
async function nearNames(id) {
  const queries = [id, id.replace(/[-_]+/g, " "), id.split(/[-_]/)[0]].filter((query, index, all) => query && all.indexOf(query) === index);
  for (const q of queries) {
    try {
      const { hits } = await getJSON(`/api/search?${new URLSearchParams({ q: q.slice(0, 100), limit: "6" })}`);
      if (hits.length) return hits;
    } catch {
      return [];
    }
  }
  return [];
}

/** The profile functions of a page: open an entity or a place, close the profile. */
/** Which of an entity's sectors are inferred (not the plan's words for it), named as the chips are; null if none. */
function inferredSectors(atlas, detail) {
  const inferred = new Set(detail.inferred_sectors ?? []);
  const names = detail.sector_names.filter((sector) => inferred.has(sector.id)).map((sector) => atlas.nameOf(sector));
  return names.length ? el("dd", { class: "inferred-sectors" }, atlas.tr("inferredSectorsOf", names.join(atlas.state.lang === "en" ? ", " : "、"))) : null;
}

// What /api/places says of a place (a profile says more: its entities, groups, outline).
const PLACE_FIELDS = ["adcode", "name_zh", "short_name_zh", "name_en", "pinyin", "level", "parent_adcode", "seat_lon", "seat_lat"];
const placeOf = (profile) => Object.fromEntries(PLACE_FIELDS.map((key) => [key, profile[key]]));

export function createProfiles(atlas, mapView) {
  const { state, data, tr, nameOf, otherNameOf, actions } = atlas;

  // Shows "loading" in the profile if the answer takes a while; returns the function that cancels it.
  function loadingSoon() {
    const timer = setTimeout(() => showProfile(atlas, el("p", { class: "loading" }, tr("loadingProfile"))), LOADING_DELAY_MS);
    return () => clearTimeout(timer);
  }

  async function showUnknown(message, id) {
    const hits = await nearNames(id);
    if (state.selection?.id !== id) return;
    const open = (hit) => () => (hit.type === "place" ? openPlace(Number(hit.id), { fly: true }) : hit.type === "entity" ? openEntity(hit.id, { fly: true }) : actions.chooseSector(hit.id));
    showProfile(
      atlas,
      el("h2", { tabindex: "-1" }, message),
      el("div", { class: "notice unknown", role: "status" }, el("p", {}, hits.length ? tr("didYouMean") : tr("noSuggestions"))),
      hits.length ? el("ul", { class: "suggested" }, ...hits.map((hit) => el("li", {}, chip(nameOf(hit), open(hit))))) : null,
    );
    mapView.clearHighlight();
  }

  // The map layer lists every entity and /api/places every place: an id outside them is unknown without
  // asking the server (whose 404 the browser would log as an error). With a choice of plans (plans.js) the
  // layer holds the chosen plans' only, so the server is asked.
  const knownEntity = (id) =>
    !data.entities.length || state.plans || data.entities.some((feature) => feature.properties.id === id);
  const knownPlace = (adcode) => !data.places.size || state.plans || data.places.has(Number(adcode));

  async function openEntity(id, { fly }) {
    state.selection = { type: "entity", id };
    actions.writeHash();
    actions.renderDownloads(); // back to the list's (a place's profile may have been open)
    if (!knownEntity(id)) return showUnknown(tr("unknownEntity", id), id);
    const cancel = loadingSoon();
    let detail;
    try {
      detail = await fetchOrNull(`/api/clusters/${encodeURIComponent(id)}`);
    } catch {
      cancel();
      return showLoadError(atlas);
    }
    cancel();
    if (state.selection?.id !== id) return; // another selection came meanwhile
    if (!detail) return showUnknown(tr("unknownEntity", id), id);
    actions.includePlans?.(detail.plan_refs.map((ref) => ref.plan)); // an unchosen plan's entity: load its plan too
    const members = detail.member_places.map((place) => chip(nameOf(place), () => openPlace(place.adcode, { fly: true })));
    const sectors = detail.sector_names.map((sector) => chip(nameOf(sector), () => actions.chooseSector(sector.id)));
    const shape = detail.route || detail.geometry;
    const years = planYears(detail);
    // The catalogue's curation note is English working text for editors: it stays in the API and the
    // files. Readers get the placement in their language instead (inferred placements say so).
    showProfile(
      atlas,
      el("h2", { tabindex: "-1" }, nameOf(detail)),
      el("p", { class: "alt-name", lang: state.lang === "en" ? "zh-CN" : "en" }, otherNameOf(detail)),
      el(
        "p",
        { class: "badges" },
        el("span", { class: "badge" }, tr(`kind_${detail.kind}`)),
        el("span", { class: "badge" }, tr(detail.status)),
        years.length ? el("span", { class: "badge plan-badge" }, tr("planBadge", years.join("·"))) : null,
        detail.confidence === "inferred" ? el("span", { class: "badge inferred-badge" }, tr("inferredBadge")) : null,
        detail.inferred_sectors?.length ? el("span", { class: "badge inferred-badge inferred-sector-badge" }, tr("inferredSectorBadge")) : null,
      ),
      isVisible(detail, state, data.sectors) ? null : el("p", { class: "notice hidden-note", role: "note" }, tr("entityHidden")),
      el(
        "dl",
        {},
        el("dt", {}, tr("members")),
        el("dd", {}, ...(members.length ? members : [tr("none")])),
        el("dt", {}, tr("sectorsOf")),
        el("dd", {}, ...(sectors.length ? sectors : [tr("none")])),
        inferredSectors(atlas, detail),
        el("dt", {}, tr("confidence")),
        el("dd", { class: `placement placement-${detail.confidence}` }, tr(`placement_${detail.confidence}`)),
      ),
      el("h3", {}, tr("quotes")),
      ...detail.plan_refs.map((ref) => quoteBlock(atlas, ref)),
      el("div", { class: "entity-lineage-slot" }),
      el("button", { type: "button", class: "button", onclick: () => mapView.highlight(shape, { fly: true }) }, tr("zoomTo")),
    );
    mapView.highlight(shape, { fly });
    // Its counterparts in other plan editions (compare.js): "2014 年：… / 2021 年：…".
    atlas.compareEditions.entityLines(id).then((block) => {
      if (block && state.selection?.id === id) $("#profile-body .entity-lineage-slot")?.replaceChildren(block);
    });
  }

  /** A place's entities (or groups), each with the plans' words inline; those the filters hide set apart. */
  function entityList(entities) {
    const row = (entity) =>
      el(
        "li",
        { class: "with-quotes" },
        entityButton(atlas, entity),
        el(
          "details",
          { class: "inline-quotes", open: true },
          el("summary", {}, tr("quotesCount", entity.plan_refs.length)),
          ...entity.plan_refs.map((ref) => quoteBlock(atlas, ref)),
        ),
      );
    const { visible, hidden } = splitByVisibility(entities, state, data.sectors);
    return [
      visible.length ? el("ul", { class: "results" }, ...visible.map(row)) : el("p", {}, tr("none")),
      hidden.length
        ? el(
            "details",
            { class: "hidden-by-filter" },
            el("summary", {}, tr("hiddenByFilter", hidden.length)),
            el("ul", { class: "results" }, ...hidden.map(row)),
          )
        : null,
    ];
  }

  function setAllQuotes(open) {
    document.querySelectorAll("#profile-body details.inline-quotes").forEach((details) => (details.open = open));
  }

  async function openPlace(adcode, { fly }) {
    state.selection = { type: "place", id: String(adcode) };
    actions.writeHash();
    actions.renderDownloads(); // the place's own, once its profile says how many
    if (!knownPlace(adcode)) return showUnknown(tr("unknownPlace", adcode), String(adcode));
    const cancel = loadingSoon();
    let profile;
    try {
      profile = await fetchOrNull(`/api/places/${adcode}`);
    } catch {
      cancel();
      return showLoadError(atlas);
    }
    cancel();
    if (state.selection?.id !== String(adcode)) return;
    if (!profile) return showUnknown(tr("unknownPlace", adcode), String(adcode));
    // A place outside the chosen plans' provinces (plans.js) is known from now on, as /api/places gives it.
    if (!data.places.has(profile.adcode)) data.places.set(profile.adcode, placeOf(profile));
    // The sector chips follow what is listed, not everything the place has.
    const listed = [...profile.entities, ...profile.groups].filter((entity) => isVisible(entity, state, data.sectors));
    // The downloads give what this profile shows (panel.renderDownloadLinks).
    atlas.placeShown = { adcode: String(adcode), count: listed.length };
    actions.renderDownloads();
    const sectors = sectorsCarried(profile.sectors, listed, data.sectors).map((sector) => chip(nameOf(sector), () => actions.chooseSector(sector.id)));
    showProfile(
      atlas,
      el("h2", { tabindex: "-1" }, nameOf(profile)),
      el("p", { class: "alt-name" }, `${tr(`level_${profile.level}`)} · ${otherNameOf(profile)} · ${profile.adcode}`),
      // The place's one-page brief (PDF, made by the server): for a leader's desk.
      // The standalone map (config.offline) has no server to make a brief or compare editions.
      atlas.config.offline
        ? null
        : el("p", { class: "place-actions" }, atlas.compareEditions.placeButton(adcode), " ", el("a", { class: "button brief-link", href: `/briefs/places/${profile.adcode}.pdf`, target: "_blank", rel: "noopener", title: tr("briefPdfTitle") }, tr("briefPdf"))),
      el(
        "p",
        { class: "quote-toggles" },
        el("button", { type: "button", class: "link", onclick: () => setAllQuotes(true) }, tr("expandAll")),
        " · ",
        el("button", { type: "button", class: "link", onclick: () => setAllQuotes(false) }, tr("collapseAll")),
      ),
      el("h3", {}, tr("entitiesHere")),
      ...entityList(profile.entities),
      el("h3", {}, tr("groupsHere")),
      ...entityList(profile.groups),
      el("h3", {}, tr("sectorsOf")),
      el("p", {}, ...(sectors.length ? sectors : [tr("none")])),
    );
    mapView.highlight(profile.geometry, { fly });
    // The plans' targets about the place (app/targets.py), before what the plans put there.
    atlas.targets.placeBlock(adcode).then((block) => {
      if (block && state.selection?.id === String(adcode)) $("#profile-body .quote-toggles")?.before(block);
    });
  }

  function showBrowse() {
    mapView.clearHighlight();
    actions.renderDownloads();
    $("#profile").hidden = true;
    $("#browse").hidden = false;
  }

  /** Closes the profile (a step Back undoes); `write: false` when the caller writes the address itself. */
  function closeProfile({ write = true } = {}) {
    state.selection = null;
    showBrowse();
    if (write) actions.writeHash();
  }

  /** Shows what the state has selected, or the list when nothing is (after a link, Back, a language switch). */
  function openSelection() {
    const selection = state.selection;
    if (!selection) return showBrowse();
    if (selection.type === "place") openPlace(Number(selection.id), { fly: false });
    else openEntity(selection.id, { fly: false });
  }

  $("#back").addEventListener("click", () => actions.back());
  // Escape closes a profile, unless something inside had a use for it (the search box, a chooser).
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented || $("#profile").hidden || event.target === $("#search")) return;
    closeProfile();
    $("#results button")?.focus();
  });

  return { openEntity, openPlace, closeProfile, openSelection };
}

/**
 * Makes the map's features reachable by keyboard: every drawn place and entity shape (SVG paths carrying
 * `place-ADCODE` or `entity-ID`, as map.js draws them) and every platform symbol (a marker's icon, which
 * carries the same class) becomes a named button that Enter or Space opens.
 * A focused shape is one feature, so it opens that profile directly (a pointer's click may hit several).
 * Watches the map, so that redrawn shapes are named too.
 */
export function bindMapKeyboard(atlas, container) {
  const { data, tr, nameOf } = atlas;
  const featureOf = (path) => {
    for (const name of path.classList) {
      if (name.startsWith("place-")) return { type: "place", id: name.slice(6) };
      if (name.startsWith("entity-")) return { type: "entity", id: name.slice(7) };
    }
    return null;
  };
  const nameFor = (path) => {
    for (const name of path.classList) {
      if (name.startsWith("place-")) {
        const place = data.places.get(Number(name.slice(6)));
        return place ? nameOf(place) : null;
      }
      if (name.startsWith("entity-")) {
        const entity = data.entities.find((feature) => feature.properties.id === name.slice(7))?.properties;
        return entity ? `${nameOf(entity)} · ${tr(`kind_${entity.kind}`)}` : null;
      }
    }
    return null;
  };
  const FEATURES = "path.leaflet-interactive, .platform-icon";
  const label = () => {
    for (const path of container.querySelectorAll(FEATURES)) {
      const name = nameFor(path);
      if (!name) continue;
      path.setAttribute("tabindex", "0");
      path.setAttribute("role", "button");
      path.setAttribute("aria-label", name);
    }
  };
  new MutationObserver(label).observe(container, { childList: true, subtree: true });
  container.addEventListener("keydown", (event) => {
    const path = event.target;
    if (!(event.key === "Enter" || event.key === " ") || !path.matches?.(FEATURES) || !path.hasAttribute("aria-label")) return;
    event.preventDefault();
    event.stopPropagation(); // Leaflet's own keyboard handling of the map has no use for it
    const feature = featureOf(path);
    if (feature?.type === "place") atlas.actions.openPlace(Number(feature.id), { fly: false });
    else if (feature) atlas.actions.openEntity(feature.id, { fly: false });
  });
  return { relabel: label };
}
