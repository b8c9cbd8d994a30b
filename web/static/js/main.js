// The atlas page's entry: reads the server's config, builds the state and the map, wires the modules
// together and loads the data. The decisions live in the modules: visibility.js (what is shown),
// permalink.js (the address bar), bands.js (which outlines for a zoom).

import { KINDS, nameOf as nameIn, otherNameOf as otherNameIn, t } from "../i18n.js";
import { getJSON, layerURLs } from "./api.js";
import { $ } from "./dom.js";
import { applyLanguage } from "./language.js";
import { renderLegend } from "./legend.js";
import { createMap } from "./map.js";
import {
  bindPanel,
  renderDownloadLinks,
  renderKinds,
  renderResults,
  renderSectorTree,
  showLoadError,
  syncControls,
} from "./panel.js";
import { initialState, parseHash, serialiseHash } from "./permalink.js";
import { bindPhone } from "./phone.js";
import { bindPrint } from "./print.js";
import { createProfiles } from "./profiles.js";
import { bindSearch } from "./search.js";
import { indexSectors, visibleEntities } from "./visibility.js";

const config = JSON.parse($("#atlas-config").textContent);
const state = initialState();
const data = {
  tree: [], // the top-level sectors of /api/sectors, with their children
  sectors: new Map(), // id -> sector node of /api/sectors (colour, descendants, children)
  entities: [], // GeoJSON features of the clusters layer in the band drawn
  routes: new Map(), // corridor id -> route feature
  places: new Map(), // adcode -> place (highest level)
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
  actions: {},
};

const mapView = createMap(atlas);
const profiles = createProfiles(atlas, mapView);

function writeHash() {
  history.replaceState(null, "", serialiseHash(state, mapView.view()));
}

/** Everything that follows the filters: the map, the list, the legend, the links, the hash. */
function update() {
  const visible = visibleEntities(data.entities.map((feature) => feature.properties), state, data.sectors);
  const drawn = new Set(visible.onMap);
  mapView.drawEntities(data.entities.filter((feature) => drawn.has(feature.properties)));
  renderResults(atlas, visible);
  renderDownloadLinks(atlas);
  renderLegend(atlas, mapView.legendBox(), visible.shown);
  printSheet?.refresh(); // a re-render while printing (a band loaded for the paper's zoom) keeps the sheet's legend
  writeHash();
}

function renderAll() {
  applyLanguage(atlas, mapView);
  renderKinds(atlas);
  renderSectorTree(atlas);
  syncControls(atlas);
  update();
  profiles.openSelection();
}

function chooseSector(id) {
  state.sector = id;
  profiles.closeProfile();
  renderSectorTree(atlas);
  update();
}

function resetFilters() {
  Object.assign(state, { sector: "", kinds: new Set(KINDS), plan: "", status: "" });
  renderAll();
}

async function loadBand() {
  const entities = await mapView.loadBand();
  if (!entities) return;
  data.entities = entities;
  if (data.sectors.size) update();
}

Object.assign(atlas.actions, {
  update,
  writeHash,
  chooseSector,
  resetFilters,
  openEntity: profiles.openEntity,
  openPlace: profiles.openPlace,
  showCounties: () => mapView.showCounties(state.counties),
});

/** Takes the state (and the view, if the hash has one) from the address bar. */
function readHash() {
  const { state: read, view } = parseHash(location.hash);
  Object.assign(state, read);
  if (view) mapView.setView(view);
  return view;
}

bindPanel(atlas);
bindSearch(atlas);
const printSheet = bindPrint(atlas, mapView);
bindPhone(atlas, mapView);
$("#lang").addEventListener("click", () => {
  state.lang = state.lang === "en" ? "zh" : "en";
  renderAll();
});
mapView.leaflet.on("moveend", async () => {
  if (mapView.bandLoaded()) await loadBand();
  atlas.actions.showCounties();
  if (data.entities.length) writeHash();
});
window.addEventListener("hashchange", () => {
  readHash();
  renderAll();
});

async function start() {
  const view = readHash();
  applyLanguage(atlas, mapView);
  try {
    const [tree, corridors, places] = await Promise.all([
      getJSON("/api/sectors"),
      getJSON(atlas.layerURL("corridors")),
      getJSON("/api/places"),
      loadBand(),
    ]);
    data.tree = tree;
    data.sectors = indexSectors(tree);
    if (!view) mapView.fitProvince();
    corridors.features.forEach((feature) => data.routes.set(feature.id, feature));
    [...places].reverse().forEach((place) => data.places.set(place.adcode, place)); // the higher level wins
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
