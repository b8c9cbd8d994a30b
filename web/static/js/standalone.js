// The standalone map's entry (`atlas map --output FILE.html`, app/standalone_map.py): the page's own map
// (map.js: symbology, place names, corridor stops, the chooser), its legend (legend.js), filters in words
// (print.js) and profiles with the plans' words (profiles.js), in one file a leader opens from disk. There
// is no server: the file embeds the answers the page would fetch (#atlas-data, made by the same Python as
// the API's), and api.js answers the modules' requests from them. The page never loads this module.

import { KINDS, nameOf as nameIn, otherNameOf as otherNameIn, t } from "../i18n.js";
import { answerLocally, getJSON, layerURLs } from "./api.js";
import { $, el } from "./dom.js";
import { expandOutline } from "./geometry.js";
import { applyLanguage } from "./language.js";
import { renderLegend } from "./legend.js";
import { createMap } from "./map.js";
import { entityButton } from "./panel.js";
import { initialState } from "./permalink.js";
import { bindAttribution } from "./phone.js";
import { bindPrint, filtersInWords } from "./print.js";
import { bindMapKeyboard, createProfiles } from "./profiles.js";
import { indexSectors, visibleEntities } from "./visibility.js";

const book = JSON.parse($("#atlas-data").textContent);

for (const layer of [...Object.values(book.layers), book.province]) for (const feature of layer.features) feature.geometry = expandOutline(feature.geometry);

const featureOf = (layer, id) => (layer === "province" ? book.province : book.layers[layer]).features.find((feature) => feature.id === id);

// What the file holds once and the API repeats (app/standalone_map.py): the footprint of an entity at one
// place is that place's outline (the higher level's, as the API's members are), and every quote is cited
// as its plan is.
for (const feature of book.layers.clusters.features) {
  if (feature.outline_of) feature.geometry = ["province", "prefectures", "counties"].map((layer) => featureOf(layer, feature.outline_of)).find(Boolean).geometry;
}
const citations = new Map(book.plans.map((plan) => [plan.id, plan.citation]));
for (const entity of Object.values(book.entities)) for (const ref of entity.plan_refs) ref.citation = citations.get(ref.plan);

/** An entity as /api/clusters/{id} gives it: its properties, places, sectors, quotes, footprint and route. */
function entityDetail(id) {
  const entity = book.entities[id];
  if (!entity) return undefined;
  return { ...entity, geometry: featureOf("clusters", id)?.geometry ?? null, route: featureOf("corridors", id)?.geometry ?? null };
}

/** A place as /api/places/{adcode} gives it: what the map's entities put there, the groups, the outline. */
function placeProfile(adcode) {
  const place = book.places.find((each) => each.adcode === adcode);
  const profile = book.profiles[adcode];
  if (!place || !profile) return undefined;
  const outline = ["province", "prefectures", "counties"].map((layer) => featureOf(layer, adcode)).find(Boolean);
  return {
    ...place,
    entities: profile.entities.map((id) => book.entities[id]),
    groups: profile.groups.map((id) => book.entities[id]),
    sectors: profile.sectors,
    geometry: outline.geometry,
  };
}

/** The API's answer to a path, from the book; undefined where the server would answer 404. */
function answer(path) {
  const routes = [
    [/^\/api\/plans$/, () => book.plans],
    [/^\/api\/sectors$/, () => book.sectors],
    [/^\/api\/places$/, () => book.places],
    [/^\/api\/map\/(\w+)$/, (layer) => book.layers[layer]],
    [/^\/api\/clusters\/([^/]+)$/, (id) => entityDetail(decodeURIComponent(id))],
    [/^\/api\/places\/(\d+)$/, (adcode) => placeProfile(Number(adcode))],
  ];
  for (const [pattern, found] of routes) {
    const match = path.match(pattern);
    if (match) return found(match[1]);
  }
  return undefined;
}
answerLocally(answer);

const config = { ...book.config, offline: true };
const state = initialState();
const given = book.filters;
const fileFilters = { sector: given.sector, plan: given.plan, status: given.status, kinds: new Set(given.kinds.length ? given.kinds : KINDS) };
Object.assign(state, { lang: config.lang === "en" ? "en" : "zh" }, fileFilters, { kinds: new Set(fileFilters.kinds) });
const data = { tree: [], sectors: new Map(), entities: [], routes: new Map(), places: new Map(), plans: [] };
const atlas = {
  config,
  state,
  data,
  layerURL: layerURLs(config.layers),
  tr: (key, n) => t(key, state.lang, n), // the page's words (i18n.js)
  nameOf: (item) => nameIn(item, state.lang),
  otherNameOf: (item) => otherNameIn(item, state.lang),
  actions: {},
  // No server: no targets, no compare editions (profiles.js asks for both).
  targets: { placeBlock: async () => null, renderSector() {} },
  compareEditions: { entityLines: async () => null, placeButton: () => null, renderSector() {} },
};
const { tr, nameOf } = atlas;

const mapView = createMap(atlas);
const map = mapView.leaflet;
map.zoomControl.setPosition("topright"); // the title box takes the top left
const profiles = createProfiles(atlas, mapView);

// The title box: what the map is, its filters in words, what is drawn and what is not, the sources.
const titleBox = L.control({ position: "topleft" });
titleBox.onAdd = () => L.DomUtil.create("section", "map-title keep-clear");
titleBox.addTo(map);
L.DomEvent.disableClickPropagation(titleBox.getContainer());
L.DomEvent.disableScrollPropagation(titleBox.getContainer());
// Printed as the page prints (print.js): one A4 page, the map beside the title, filters, legend and sources.
const printButton = el("button", { id: "print", type: "button", class: "button print-button", "data-i18n": "print" });
const langButton = el("button", { id: "lang", type: "button", class: "lang-switch" });
titleBox.getContainer().append(langButton, printButton); // there from the start: applyLanguage labels them
langButton.addEventListener("click", () => {
  state.lang = state.lang === "en" ? "zh" : "en";
  renderAll();
});
const placeOfFile = given.place ? book.places.find((place) => place.adcode === given.place) : null;

function sameFilters() {
  const kinds = (set) => KINDS.filter((kind) => set.has(kind)).join();
  return state.sector === fileFilters.sector && state.plan === fileFilters.plan && state.status === fileFilters.status && kinds(state.kinds) === kinds(fileFilters.kinds);
}

function renderTitle(visible) {
  const other = state.lang === "en" ? "zh" : "en";
  const filters = [filtersInWords(atlas), placeOfFile ? `${tr("placeFilter")}${tr("colon")}${nameOf(placeOfFile)}` : null].filter(Boolean).join(" · ");
  const approval = config.approval_number ? tr("approval", config.approval_number) : null;
  const restore = () => {
    Object.assign(state, fileFilters, { kinds: new Set(fileFilters.kinds) });
    profiles.closeProfile();
    update();
  };
  const parts = [
    el("div", { class: "map-title-head" }, el("h1", {}, tr("title")), langButton),
    el("p", { class: "alt-title", lang: other === "en" ? "en" : "zh-CN" }, t("title", other)),
    el("p", { class: "map-filters", "data-role": "filters" }, filters),
    sameFilters() ? null : el("p", {}, el("button", { type: "button", class: "link", onclick: restore }, tr("reset"))),
    el("p", { class: "map-counts" }, tr("drawnCount", visible.onMap.length), " · ", tr("clickHint")),
    visible.provinceWide.length
      ? el(
          "details",
          { class: "province-wide" },
          el("summary", {}, tr("provinceWideCount", visible.provinceWide.length)),
          el("ul", { class: "results" }, ...visible.provinceWide.map((entity) => el("li", {}, entityButton(atlas, entity)))),
        )
      : null,
    el(
      "details",
      { class: "map-sources", open: window.innerHeight > 1000 },
      el("summary", {}, tr("sources")),
      el("p", {}, tr("sourceBoundaries")),
      ...data.plans.map((plan) => el("p", { class: "plan-source" }, plan.citation)),
    ),
    approval ? el("p", { class: "map-approval" }, approval) : null,
    el("div", { class: "map-title-foot" }, el("p", { class: "map-date" }, tr("madeOn", book.made)), printButton),
  ];
  titleBox.getContainer().replaceChildren(...parts.filter(Boolean));
}

/** Everything that follows the filters: the map, the legend, the title box. */
function update() {
  const visible = visibleEntities(data.entities.map((feature) => feature.properties), state, data.sectors);
  const drawn = new Set(visible.onMap);
  mapView.drawEntities(data.entities.filter((feature) => drawn.has(feature.properties)));
  renderTitle(visible); // after the map: its rows take the map's colours (atlas.colourOf)
  renderLegend(atlas, mapView.legendBox(), visible.shown); // names are laid out again around both
  printSheet.refresh();
}

/** The file's place, outlined (as the page outlines an open place) while nothing else is selected. */
function outlinePlace({ fit }) {
  if (!placeOfFile || state.selection) return;
  if (fit) mapView.fitNextSelection();
  mapView.highlight(placeProfile(placeOfFile.adcode).geometry, { fly: false });
}

function renderAll() {
  applyLanguage(atlas, mapView);
  update();
  profiles.openSelection();
  outlinePlace({ fit: false });
}

Object.assign(atlas.actions, {
  update,
  writeHash() {}, // a file has no address to keep a permalink in
  renderDownloads() {},
  includePlans: async () => {},
  back: () => profiles.closeProfile(),
  openEntity: profiles.openEntity,
  openPlace: profiles.openPlace,
  chooseSector(id) {
    state.sector = id;
    profiles.closeProfile();
    update();
    outlinePlace({ fit: false });
  },
  showCounties: () => mapView.showCounties(state.counties),
});

$("#close-profile").addEventListener("click", () => {
  profiles.closeProfile();
  outlinePlace({ fit: false });
});
map.on("moveend", () => atlas.actions.showCounties());
// The profile's panel narrows the map (standalone.css): Leaflet measures its box again, keeping the centre;
// a view that held the whole province (as the file opens) is fitted again, so that all of it stays in view.
const provinceBounds = L.geoJSON(book.layers.prefectures).getBounds();
new ResizeObserver(() => {
  const whole = map.getBounds().contains(provinceBounds); // the size Leaflet last measured: before the change
  map.invalidateSize({ animate: false });
  if (whole) mapView.fitProvince();
}).observe(map.getContainer());
bindMapKeyboard(atlas, map.getContainer());
bindAttribution(map.attributionControl.getContainer()); // one line on a phone, whole on a tap
const printSheet = bindPrint(atlas, mapView);

async function start() {
  data.plans = await getJSON("/api/plans");
  data.tree = await getJSON("/api/sectors");
  data.sectors = indexSectors(data.tree);
  [...(await getJSON("/api/places"))].reverse().forEach((place) => data.places.set(place.adcode, place)); // the higher level wins
  (await getJSON(atlas.layerURL("corridors"))).features.forEach((feature) => data.routes.set(feature.id, feature));
  data.entities = await mapView.loadBand();
  mapView.fitProvince();
  renderAll();
  outlinePlace({ fit: true });
  await atlas.actions.showCounties();
  document.body.dataset.ready = "true";
}

start();
