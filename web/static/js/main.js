// The atlas page's entry: reads the server's config, builds the state and the map, wires the modules
// together and loads the data. The decisions live in the modules: visibility.js (what is shown),
// permalink.js (the address bar), bands.js (which outlines for a zoom).

import { KINDS, nameOf as nameIn, otherNameOf as otherNameIn, t } from "../i18n.js";
import { getJSON, layerURLs } from "./api.js";
import { $ } from "./dom.js";
import { applyLanguage } from "./language.js";
import { renderLegend } from "./legend.js";
import { createMap } from "./map.js";
import { bindMatrix } from "./matrix.js";
import {
  bindPanel,
  renderDownloadLinks,
  renderCounts,
  renderKinds,
  renderResults,
  renderSectorTree,
  showLoadError,
  showLoading,
  syncControls,
} from "./panel.js";
import { initialState, isNavigation, parseHash, serialiseHash, snapshot } from "./permalink.js";
import { bindPhone } from "./phone.js";
import { choiceProvinces, createPlanPicker, defaultChoice, knownChoice, plansQuery } from "./plans.js";
import { bindPrint } from "./print.js";
import { bindMapKeyboard, createProfiles } from "./profiles.js";
import { bindSearch } from "./search.js";
import { createTargets } from "./targets.js";
import { createCompare } from "./compare.js";
import { bindShare } from "./share.js";
import { indexSectors, visibleEntities } from "./visibility.js";

const config = JSON.parse($("#atlas-config").textContent);
const state = initialState();
const data = {
  tree: [], // the top-level sectors of /api/sectors, with their children
  sectors: new Map(), // id -> sector node of /api/sectors (colour, descendants, children)
  entities: [], // GeoJSON features of the clusters layer in the band drawn
  routes: new Map(), // corridor id -> route feature
  places: new Map(), // adcode -> place (highest level)
  plans: [], // /api/plans, newest first (the picker's groups; the default choice)
};
// What every module is handed: the config, the one state, the data, words in the current language, and
// the actions other modules may take (filled in below, so that modules need not import each other's).
const atlas = {
  config,
  state,
  data,
  layerURL: layerURLs(config.layers),
  tr: (key, n) => t(key, state.lang, n),
  nameOf: (item) => nameIn(item, state.lang),
  otherNameOf: (item) => otherNameIn(item, state.lang),
  // What narrows the entity layers' requests: the chosen plans only (plans.js), none when all are wanted.
  entityParams: () => ({ plans: plansQuery(state.plans) }),
  // ... and the boundaries' and places': the chosen plans' provinces only (none with every plan).
  boundaryParams: () => ({ provinces: choiceProvinces(state.plans, data.plans) }),
  actions: {},
};

const mapView = createMap(atlas);
atlas.targets = createTargets(atlas); // before the profiles, which show a place's targets
atlas.compareEditions = createCompare(atlas); // before the profiles, which open it and show counterparts
const profiles = createProfiles(atlas, mapView);

// The state the current history entry shows. A new selection or new filters push an entry, so that the
// browser's Back and Forward walk through profiles and views; anything else rewrites the entry in place.
let entryState = snapshot(state);
let entryHash = location.hash; // what the address bar says we show (see followAddressBar)

function writeHash() {
  const hash = serialiseHash(state, mapView.view());
  if (isNavigation(entryState, state)) {
    // Each entry remembers the selection it came from: "← back" names it, and goes there by history.
    const depth = (history.state?.depth ?? 0) + 1;
    history.pushState({ depth, from: entryState.selection }, "", hash);
  } else {
    history.replaceState(history.state, "", hash);
  }
  entryState = snapshot(state);
  entryHash = location.hash;
}

/** "← back": to where the page came from, by history, so that it and the browser's Back agree. */
function back() {
  if (history.state?.depth > 0) history.back();
  else profiles.closeProfile();
}

/** Everything that follows the filters: the map, the list, the legend, the links, the hash. */
function update() {
  const visible = visibleEntities(data.entities.map((feature) => feature.properties), state, data.sectors);
  const drawn = new Set(visible.onMap);
  mapView.drawEntities(data.entities.filter((feature) => drawn.has(feature.properties)));
  renderResults(atlas, visible);
  renderCounts(atlas, data.entities.map((feature) => feature.properties));
  renderDownloadLinks(atlas);
  renderLegend(atlas, mapView.legendBox(), visible.shown);
  printSheet?.refresh(); // a re-render while printing (a band loaded for the paper's zoom) keeps the sheet's legend
  matrixView?.refresh(); // compare places follows the filters and the language
  atlas.targets.renderSector(); // the chosen sector's targets above the list
  atlas.compareEditions.renderSector(); // "compare editions" for the chosen sector
  writeHash();
}

function renderAll() {
  applyLanguage(atlas, mapView);
  planPicker.render();
  renderKinds(atlas);
  renderSectorTree(atlas);
  syncControls(atlas);
  update();
  profiles.openSelection();
}

function chooseSector(id) {
  state.sector = id;
  profiles.closeProfile({ write: false }); // update() writes the one history entry for both
  renderSectorTree(atlas);
  update();
}

function resetFilters() {
  Object.assign(state, { sector: "", kinds: new Set(KINDS), plan: "", status: "" });
  renderAll();
}

async function loadBand() {
  const asked = plansQuery(state.plans);
  const entities = await mapView.loadBand();
  if (!entities || asked !== plansQuery(state.plans)) return; // the choice changed meanwhile: its own load follows
  data.entities = entities;
  loadedPlans = asked;
  if (data.sectors.size) update();
}

// The plan choice the entities in data.entities were loaded for ("": every plan).
let loadedPlans = null;

/** The choice the page can use: the link's known plans, else the default (plans.js argues it). */
function settlePlans() {
  state.plans = knownChoice(state.plans, data.plans) ?? defaultChoice(data.plans);
}

/** Corridor routes of the chosen plans (kept once fetched: a profile may draw one of another plan). */
async function loadRoutes() {
  const corridors = await getJSON(atlas.layerURL("corridors", undefined, atlas.entityParams()));
  corridors.features.forEach((feature) => data.routes.set(feature.id, feature));
}

// The provinces whose places data.places holds ("": all).
let loadedPlaces = null;

/** The places of the chosen plans' provinces (all without a choice), added to those known. */
async function loadPlaces() {
  const provinces = choiceProvinces(state.plans, data.plans);
  if (provinces === loadedPlaces || loadedPlaces === "") return; // all are known already
  const places = await getJSON(provinces ? `/api/places?provinces=${provinces}` : "/api/places");
  [...places].reverse().forEach((place) => data.places.set(place.adcode, place)); // the higher level wins
  loadedPlaces = provinces;
}

/** Loads the chosen plans' entities (if other than those loaded) and shows them. */
async function loadChosenPlans() {
  const asked = plansQuery(state.plans);
  if (asked === loadedPlans) return;
  const [entities] = await Promise.all([mapView.loadEntities(), loadRoutes(), loadPlaces()]);
  if (!entities || asked !== plansQuery(state.plans)) return;
  data.entities = entities;
  loadedPlans = asked;
  update();
  await atlas.actions.showCounties(); // fetched again for other provinces
}

/**
 * Adds plans to the choice, if one is active and lacks them (an entity opened from search, a place's
 * profile or a link belongs to a plan not loaded): its plan loads, so that the map and list show it.
 */
async function includePlans(ids) {
  if (!state.plans || ids.every((id) => state.plans.includes(id))) return;
  state.plans = [...new Set([...state.plans, ...ids])].sort();
  planPicker.render();
  // Part of opening the entity, not a step of its own: the entry is rewritten, so Back leaves both at once
  // (a pushed entry would reopen the entity, and add the plan again, on every Back).
  history.replaceState(history.state, "", serialiseHash(state, mapView.view()));
  entryState = snapshot(state);
  entryHash = location.hash;
  await loadChosenPlans();
}

const planPicker = createPlanPicker(atlas, async (ids) => {
  state.plans = ids;
  planPicker.render();
  update(); // the new choice goes into the permalink at once, as its own history entry
  await loadChosenPlans();
});

Object.assign(atlas.actions, {
  update,
  writeHash,
  back,
  chooseSector,
  resetFilters,
  includePlans,
  openEntity: profiles.openEntity,
  openPlace: profiles.openPlace,
  showCounties: () => mapView.showCounties(state.counties),
  renderDownloads: () => renderDownloadLinks(atlas),
});

/** Takes the state (and the view, if the hash has one) from the address bar. */
function readHash() {
  const { state: read, view } = parseHash(location.hash);
  Object.assign(state, read);
  // A link that names a selection shows it fitted to this screen: the sender's zoom and centre would give
  // a phone a fragment of it (the view is kept in the link for links without a selection).
  const shown = read.selection ? null : view;
  if (shown) mapView.setView(shown);
  else if (read.selection) mapView.fitNextSelection();
  entryState = snapshot(state);
  entryHash = location.hash;
  return shown;
}

/** Back, Forward or an edited address: show what the address bar now says (once, though both events come). */
function followAddressBar() {
  if (location.hash === entryHash) return;
  const profileWasOpen = !$("#profile").hidden;
  readHash();
  settlePlans();
  renderAll();
  loadChosenPlans(); // Back may return to another choice of plans
  if (profileWasOpen && !state.selection) $("#results button")?.focus();
}

bindPanel(atlas);
bindSearch(atlas);
const printSheet = bindPrint(atlas, mapView);
const matrixView = bindMatrix(atlas);
bindPhone(atlas, mapView);
bindShare(atlas, mapView);
$("#lang").addEventListener("click", () => {
  state.lang = state.lang === "en" ? "zh" : "en";
  renderAll();
});
mapView.leaflet.on("moveend", async () => {
  if (mapView.bandLoaded()) await loadBand();
  atlas.actions.showCounties();
  if (data.entities.length) writeHash();
});
window.addEventListener("popstate", followAddressBar);
window.addEventListener("hashchange", followAddressBar);
bindMapKeyboard(atlas, mapView.leaflet.getContainer());

async function start() {
  const view = readHash();
  applyLanguage(atlas, mapView);
  showLoading(atlas);
  try {
    // The plans first: which of them to load is decided from their list (plans.js), so that the first view
    // never asks for every plan's entities when there are many.
    const sectors = getJSON("/api/sectors"); // needs no choice: asked for meanwhile
    sectors.catch(() => {}); // a failure is handled below (Promise.all), not reported while plans load
    data.plans = await getJSON("/api/plans");
    settlePlans();
    entryState = snapshot(state); // the default choice is where the page starts, not a step to go back from
    planPicker.setPlans(data.plans);
    const [tree, corridors] = await Promise.all([
      sectors,
      getJSON(atlas.layerURL("corridors", undefined, atlas.entityParams())),
      loadPlaces(),
      loadBand(),
    ]);
    data.tree = tree;
    data.sectors = indexSectors(tree);
    if (!view) mapView.fitProvince();
    corridors.features.forEach((feature) => data.routes.set(feature.id, feature));
    await loadBand(); // the fitted zoom may want another band
  } catch {
    showLoadError(atlas);
    return;
  }
  renderAll();
  await atlas.actions.showCounties();
  document.body.dataset.ready = "true";
}

start();
// A review server (atlas serve --preview) adds the proposed layer from a module of its own; the public
// page's config never says preview, so it never loads the module or asks for the proposals.
if (config.preview) import("./preview.js").then(({ showProposals }) => showProposals(atlas, mapView));
