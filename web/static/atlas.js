// The atlas page: filters, search, profiles and the map, over the atlas's own JSON and OGC APIs.
// Plain ES module on the vendored Leaflet; no build step, no network beyond this server.
import { KINDS, t } from "./i18n.js";

const config = JSON.parse(document.getElementById("atlas-config").textContent);
const HUBEI_VIEW = { lat: 30.95, lng: 112.3, zoom: 7 };
const COUNTY_ZOOM = 9;
// What an entity is drawn in and filtered by — its colour, top sector, plans, whether it is province-wide —
// and each sector's descendants are worked out once, when the store is built, and read here as published.

const state = {
  lang: "zh",
  sector: "",
  kinds: new Set(KINDS),
  plan: "",
  status: "",
  counties: false,
  selection: null, // {type: "entity"|"place", id}
};
const data = {
  tree: [], // the top-level sectors of /api/sectors, with their children
  sectors: new Map(), // id -> sector node of /api/sectors (colour, descendants, children)
  entities: [], // GeoJSON features of /ogc clusters
  routes: new Map(), // corridor id -> route feature
  places: new Map(), // adcode -> place (highest level)
};

const $ = (selector) => document.querySelector(selector);
const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else if (key === "style") node.style.cssText = value; // CSSOM: allowed under the page's CSP
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
};
const tr = (key, n) => t(key, state.lang, n);
const nameOf = (item) => (state.lang === "en" ? item.name_en : item.name_zh);
const otherNameOf = (item) => (state.lang === "en" ? item.name_zh : item.name_en);

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

// The layers the server draws for the page come from its layer registry (app/layers.py) in the config.
const DRAWN_LAYERS = new Set(config.layers.map((layer) => layer.id));
function layerURL(id, zoom) {
  if (!DRAWN_LAYERS.has(id)) throw new Error(`the server draws no map layer "${id}"`);
  return zoom === undefined ? `/api/map/${id}` : `/api/map/${id}?zoom=${zoom}`;
}

// --- map --------------------------------------------------------------------------------------------

const map = L.map("map", { zoomSnap: 0.5, attributionControl: true }).setView([HUBEI_VIEW.lat, HUBEI_VIEW.lng], HUBEI_VIEW.zoom);
map.attributionControl.setPrefix('<a href="https://leafletjs.com" hreflang="en">Leaflet</a>');
L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
for (const basemap of config.basemaps) {
  for (const url of basemap.urls) {
    L.tileLayer(url, { subdomains: basemap.subdomains || "abc", attribution: basemap.attribution, maxZoom: 18 }).addTo(map);
  }
}
const layers = {
  prefectures: L.geoJSON(null, {
    style: (feature) => ({ color: "#3a3a3a", weight: 1.2, fillColor: "#ffffff", fillOpacity: 0, className: `place-${feature.id}` }),
    onEachFeature: (feature, layer) => bindPlace(feature, layer),
  }).addTo(map),
  counties: L.geoJSON(null, {
    style: (feature) => ({ color: "#8a8a8a", weight: 0.7, dashArray: "3 3", fillOpacity: 0, className: `place-${feature.id}` }),
    onEachFeature: (feature, layer) => bindPlace(feature, layer),
  }),
  entities: L.featureGroup().addTo(map),
  highlight: L.featureGroup().addTo(map),
};
const entityLayers = new Map();

function bindPlace(feature, layer) {
  layer.on("click", () => openPlace(Number(feature.properties.adcode), { fly: false }));
  layer.bindTooltip(() => nameOf(feature.properties), { sticky: true, direction: "top" });
}

function sourcesAttribution() {
  const approval = config.approval_number ? ` · ${tr("approval", config.approval_number)}` : "";
  return `${tr("sourceBoundaries")} · ${tr("sourcePlans")}${approval}`;
}

// --- sectors and colours ------------------------------------------------------------------------------

function indexSectors(tree) {
  data.tree = tree;
  data.sectors.clear();
  const walk = (node) => (data.sectors.set(node.id, node), node.children.forEach(walk));
  tree.forEach(walk);
}

// --- filtering ------------------------------------------------------------------------------------------

function visible(properties) {
  if (!state.kinds.has(properties.kind)) return false;
  if (state.plan && !properties.plans.includes(Number(state.plan))) return false;
  if (state.status && properties.status !== state.status) return false;
  if (state.sector) {
    // A sector's descendants start with itself; an unknown sector (an old link) selects nothing.
    const wanted = data.sectors.get(state.sector)?.descendants ?? [state.sector];
    if (!properties.sectors.some((sector) => wanted.includes(sector))) return false;
  }
  return true;
}

function filterParams() {
  const params = new URLSearchParams();
  if (state.sector) params.set("sector", state.sector);
  if (state.kinds.size !== KINDS.length) params.set("kind", [...state.kinds].join(","));
  if (state.plan) params.set("plan", state.plan);
  if (state.status) params.set("status", state.status);
  return params;
}

// --- drawing --------------------------------------------------------------------------------------------

function seatOf(adcode) {
  const place = data.places.get(adcode);
  return place ? [place.seat_lat, place.seat_lon] : null;
}

function entityLayer(feature) {
  const properties = feature.properties;
  const colour = properties.colour;
  const className = `entity-${properties.id}`; // lets people's tools (and tests) find a feature's shapes
  const label = () => `${nameOf(properties)} · ${tr(`kind_${properties.kind}`)}`;
  let layer;
  if (properties.kind === "cluster" || properties.kind === "specialisation") {
    layer = L.geoJSON(feature, { style: { color: colour, weight: 1.5, fillColor: colour, fillOpacity: 0.32, className } });
  } else if (properties.kind === "city_group") {
    layer = L.geoJSON(feature, { style: { color: colour, weight: 3, dashArray: "8 6", fill: false, className } });
  } else if (properties.kind === "corridor") {
    const route = data.routes.get(properties.id);
    const latlngs = route.geometry.coordinates.map(([lon, lat]) => [lat, lon]);
    const line = L.polyline(latlngs, { color: colour, weight: 5, opacity: 0.9, className });
    const arrows = L.polylineDecorator(line, {
      patterns: [{ offset: "8%", repeat: "22%", symbol: L.Symbol.arrowHead({ pixelSize: 13, polygon: true, pathOptions: { color: colour, fillOpacity: 1, weight: 0 } }) }],
    });
    layer = L.featureGroup([line, arrows]);
  } else {
    const markers = properties.members.map(seatOf).filter(Boolean).map((latlng) =>
      properties.kind === "base"
        ? L.circleMarker(latlng, { radius: 8, color: "#ffffff", weight: 2, fillColor: colour, fillOpacity: 1, className })
        : L.marker(latlng, {
            icon: L.divIcon({ className: "platform-icon", html: el("span", { style: `background:${colour}` }), iconSize: [18, 18] }),
            keyboard: false,
          }),
    );
    layer = L.featureGroup(markers);
  }
  layer.bindTooltip(label, { sticky: true });
  layer.on("click", (event) => {
    L.DomEvent.stopPropagation(event);
    openEntity(properties.id, { fly: false });
  });
  return layer;
}

// Areas under lines under points, so that every symbol stays clickable.
const DRAW_ORDER = ["city_group", "specialisation", "cluster", "corridor", "base", "platform"];

function drawEntities() {
  layers.entities.clearLayers();
  entityLayers.clear();
  const shown = data.entities
    .filter((feature) => visible(feature.properties) && !feature.properties.province_wide)
    .sort((a, b) => DRAW_ORDER.indexOf(a.properties.kind) - DRAW_ORDER.indexOf(b.properties.kind));
  for (const feature of shown) {
    const layer = entityLayer(feature);
    entityLayers.set(feature.properties.id, layer);
    layers.entities.addLayer(layer);
  }
  map.getContainer().dataset.entitiesDrawn = String(shown.length);
}

async function toggleCounties() {
  const wanted = state.counties || map.getZoom() >= COUNTY_ZOOM;
  if (wanted && !map.hasLayer(layers.counties)) {
    if (!layers.counties.getLayers().length) {
      layers.counties.addData(await getJSON(layerURL("counties", bandZoom())));
    }
    layers.counties.addTo(map);
    layers.counties.bringToBack();
    layers.prefectures.bringToBack();
  } else if (!wanted && map.hasLayer(layers.counties)) {
    map.removeLayer(layers.counties);
  }
}

// --- generalised geometry per zoom band ------------------------------------------------------------------
// The server generalises outlines for bands of zoom levels (config.bands); finer detail is fetched only
// when the map is zoomed into a finer band.

let currentBand = null;
const bandOf = (zoom) => config.bands.find((band) => Math.floor(zoom) <= band.max_zoom)?.name ?? "full";
const bandZoom = () => config.bands.find((band) => band.name === currentBand)?.max_zoom ?? 22;

async function loadBand() {
  const band = bandOf(map.getZoom());
  if (band === currentBand) return;
  currentBand = band;
  const zoom = bandZoom();
  const [prefectures, entities, counties] = await Promise.all([
    getJSON(layerURL("prefectures", zoom)),
    getJSON(layerURL("clusters", zoom)),
    layers.counties.getLayers().length ? getJSON(layerURL("counties", zoom)) : null,
  ]);
  if (band !== currentBand) return; // zoomed on meanwhile
  layers.prefectures.clearLayers().addData(prefectures);
  map.getContainer().dataset.prefecturesDrawn = String(prefectures.features.length);
  map.getContainer().dataset.band = band;
  if (counties) layers.counties.clearLayers().addData(counties);
  layers.counties.bringToBack();
  layers.prefectures.bringToBack();
  data.entities = entities.features;
  if (data.sectors.size) update();
}

// --- the panel: filters, sector tree, results ------------------------------------------------------------

function renderKinds() {
  const box = $("#kind-options");
  box.replaceChildren(
    ...KINDS.map((kind) => {
      const input = el("input", { type: "checkbox", value: kind, checked: state.kinds.has(kind) });
      input.addEventListener("change", () => {
        input.checked ? state.kinds.add(kind) : state.kinds.delete(kind);
        update();
      });
      return el("label", { class: "check" }, input, el("span", { class: `kind-swatch kind-${kind}`, "aria-hidden": "true" }), ` ${tr(`kind_${kind}`)}`);
    }),
  );
}

function renderSectorTree(tree) {
  const radio = (id, text, count, colour) => {
    const input = el("input", { type: "radio", name: "sector", value: id, checked: state.sector === id });
    input.addEventListener("change", () => {
      state.sector = id;
      update();
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
    el("li", {}, radio(node.id, nameOf(node), node.entity_count, top ? node.colour : null),
      node.children.length ? el("ul", {}, ...node.children.map((child) => branch(child, false))) : null);
  $("#sector-tree").replaceChildren(radio("", tr("allSectors"), null, null), el("ul", {}, ...tree.map((node) => branch(node, true))));
  const current = state.sector && data.sectors.get(state.sector);
  $("#sector-current").textContent = current ? `· ${nameOf(current)}` : "";
}

function entityButton(properties) {
  return el(
    "button",
    { type: "button", class: "entity", onclick: () => openEntity(properties.id, { fly: true }) },
    el("span", { class: `kind-swatch kind-${properties.kind}`, style: `--c:${properties.colour}`, "aria-hidden": "true" }),
    el("span", { class: "entity-name" }, nameOf(properties)),
    el("span", { class: "entity-kind" }, tr(`kind_${properties.kind}`)),
  );
}

function renderResults() {
  const shown = data.entities.map((feature) => feature.properties).filter(visible);
  const onMap = shown.filter((properties) => !properties.province_wide);
  const provinceWide = shown.filter((properties) => properties.province_wide);
  const items = onMap.map((properties) => el("li", {}, entityButton(properties)));
  if (provinceWide.length) {
    items.push(el("li", { class: "group-heading" }, tr("provinceWide")));
    items.push(...provinceWide.map((properties) => el("li", {}, entityButton(properties))));
  }
  $("#results").replaceChildren(...items);
  $("#result-count").textContent = tr("count", shown.length);
}

function renderLinks() {
  const params = filterParams().toString();
  const query = params ? `?${params}` : "";
  $("#dl-geojson").href = `/downloads/clusters.geojson${query}`;
  $("#dl-csv").href = `/downloads/clusters.csv${query}`;
}

function update({ redraw = true } = {}) {
  if (redraw) drawEntities();
  renderResults();
  renderLinks();
  renderLegend();
  writeHash();
}

// --- legend ----------------------------------------------------------------------------------------------

const legend = L.control({ position: "bottomright" });
legend.onAdd = () => L.DomUtil.create("div", "legend");
legend.addTo(map);

function legendContent() {
  const shownTops = new Set(data.entities.filter((feature) => visible(feature.properties)).map((feature) => feature.properties.top_sector));
  const kinds = KINDS.filter((kind) => state.kinds.has(kind)).map((kind) =>
    el("li", {}, el("span", { class: `kind-swatch kind-${kind}`, "aria-hidden": "true" }), ` ${tr(`kind_${kind}`)}`),
  );
  const sectors = data.tree.filter((node) => shownTops.has(node.id)).map((node) =>
    el("li", {}, el("span", { class: "swatch", style: `background:${node.colour}`, "aria-hidden": "true" }), ` ${nameOf(node)}`),
  );
  return el("details", { open: window.innerWidth > 700 }, el("summary", {}, tr("legend")), el("ul", {}, ...kinds), el("ul", {}, ...sectors));
}

function renderLegend() {
  legend.getContainer().replaceChildren(legendContent());
  $("#print-legend").replaceChildren(legendContent());
}

// --- profiles --------------------------------------------------------------------------------------------

function showProfile(...content) {
  $("#browse").hidden = true;
  $("#profile").hidden = false;
  $("#profile-body").replaceChildren(...content);
  $("#profile-body h2")?.focus();
}

function closeProfile() {
  state.selection = null;
  layers.highlight.clearLayers();
  $("#profile").hidden = true;
  $("#browse").hidden = false;
  writeHash();
}

function highlight(geometry, { fly }) {
  layers.highlight.clearLayers();
  const shape = L.geoJSON(geometry, { style: { color: "#f2a900", weight: 4, fill: false }, interactive: false });
  layers.highlight.addLayer(shape);
  if (fly) map.flyToBounds(shape.getBounds(), { maxZoom: 9, padding: [20, 20], duration: 0.6 });
}

function quoteBlock(ref) {
  return el(
    "blockquote",
    { class: "quote", lang: "zh-CN" },
    el("p", {}, `“${ref.quote}”`),
    el("footer", {}, el("cite", {}, tr(`plan_${ref.plan}`)), el("span", { class: "section" }, ` · ${ref.section}`)),
  );
}

async function openEntity(id, { fly }) {
  state.selection = { type: "entity", id };
  writeHash();
  let detail;
  try {
    detail = await getJSON(`/api/clusters/${encodeURIComponent(id)}`);
  } catch {
    return showError();
  }
  if (state.selection?.id !== id) return;
  const members = detail.member_places.map((place) =>
    el("button", { type: "button", class: "chip", onclick: () => openPlace(place.adcode, { fly: true }) }, nameOf(place)),
  );
  const sectors = detail.sector_names.map((sector) =>
    el("button", { type: "button", class: "chip", onclick: () => chooseSector(sector.id) }, nameOf(sector)),
  );
  showProfile(
    el("h2", { tabindex: "-1" }, nameOf(detail)),
    el("p", { class: "alt-name", lang: state.lang === "en" ? "zh-CN" : "en" }, otherNameOf(detail)),
    el("p", { class: "badges" }, el("span", { class: "badge" }, tr(`kind_${detail.kind}`)), el("span", { class: "badge" }, tr(detail.status))),
    el(
      "dl",
      {},
      el("dt", {}, tr("members")), el("dd", {}, ...(members.length ? members : [tr("none")])),
      el("dt", {}, tr("sectorsOf")), el("dd", {}, ...(sectors.length ? sectors : [tr("none")])),
      el("dt", {}, tr("confidence")), el("dd", {}, tr(detail.confidence)),
      detail.note ? el("dt", {}, tr("note")) : null,
      detail.note ? el("dd", { class: "note", lang: "en" }, detail.note) : null,
    ),
    el("h3", {}, tr("quotes")),
    ...detail.plan_refs.map(quoteBlock),
    el("button", { type: "button", class: "button", onclick: () => highlight(detail.route || detail.geometry, { fly: true }) }, tr("zoomTo")),
  );
  highlight(detail.route || detail.geometry, { fly });
}

async function openPlace(adcode, { fly }) {
  state.selection = { type: "place", id: String(adcode) };
  writeHash();
  let profile;
  try {
    profile = await getJSON(`/api/places/${adcode}`);
  } catch {
    return showError();
  }
  if (state.selection?.id !== String(adcode)) return;
  const list = (entities) =>
    entities.length ? el("ul", { class: "results" }, ...entities.map((properties) => el("li", {}, entityButton(properties)))) : el("p", {}, tr("none"));
  showProfile(
    el("h2", { tabindex: "-1" }, nameOf(profile)),
    el("p", { class: "alt-name" }, `${tr(`level_${profile.level}`)} · ${otherNameOf(profile)} · ${profile.adcode}`),
    el("h3", {}, tr("entitiesHere")),
    list(profile.entities),
    el("h3", {}, tr("groupsHere")),
    list(profile.groups),
    el("h3", {}, tr("sectorsOf")),
    el("p", {}, ...(profile.sectors.length
      ? profile.sectors.map((sector) => el("button", { type: "button", class: "chip", onclick: () => chooseSector(sector.id) }, nameOf(sector)))
      : [tr("none")])),
  );
  highlight(profile.geometry, { fly });
}

function chooseSector(id) {
  state.sector = id;
  closeProfile();
  renderSectorTree(data.tree);
  update();
}

function showError() {
  $("#result-count").textContent = tr("loadError");
}

// --- search ----------------------------------------------------------------------------------------------

const search = $("#search");
const suggestions = $("#suggestions");
let hits = [];
let active = -1;
let pending = 0;

function setSuggestions(found) {
  hits = found;
  active = -1;
  suggestions.replaceChildren(
    ...(found.length
      ? found.map((hit, index) =>
          el(
            "li",
            { id: `hit-${index}`, role: "option", "aria-selected": "false", onmousedown: (event) => (event.preventDefault(), choose(hit)) },
            el("span", {}, nameOf(hit)),
            el("span", { class: "hit-kind" }, hitCategory(hit)),
          ),
        )
      : [el("li", { class: "no-match", role: "option", "aria-disabled": "true" }, tr("noMatches"))]),
  );
  suggestions.hidden = false;
  search.setAttribute("aria-expanded", "true");
}

function hitCategory(hit) {
  if (hit.type === "place") return tr(`level_${hit.category}`);
  if (hit.type === "entity") return tr(`kind_${hit.category}`);
  return tr("sectorsOf");
}

function closeSuggestions() {
  suggestions.hidden = true;
  search.setAttribute("aria-expanded", "false");
  search.removeAttribute("aria-activedescendant");
}

async function suggest() {
  const query = search.value.trim();
  const ticket = ++pending;
  if (!query) return closeSuggestions();
  try {
    const body = await getJSON(`/api/search?${new URLSearchParams({ q: query, limit: "8" })}`);
    if (ticket === pending) setSuggestions(body.hits);
  } catch {
    if (ticket === pending) setSuggestions([]);
  }
}

function choose(hit) {
  closeSuggestions();
  search.value = nameOf(hit);
  if (hit.type === "place") openPlace(Number(hit.id), { fly: true });
  else if (hit.type === "entity") openEntity(hit.id, { fly: true });
  else chooseSector(hit.id);
}

function moveActive(step) {
  if (!hits.length) return;
  active = (active + step + hits.length) % hits.length;
  suggestions.querySelectorAll("[role=option]").forEach((option, index) => option.setAttribute("aria-selected", String(index === active)));
  search.setAttribute("aria-activedescendant", `hit-${active}`);
}

let debounce;
search.addEventListener("input", () => {
  clearTimeout(debounce);
  debounce = setTimeout(suggest, 120);
});
search.addEventListener("keydown", async (event) => {
  if (event.key === "ArrowDown") (event.preventDefault(), moveActive(1));
  else if (event.key === "ArrowUp") (event.preventDefault(), moveActive(-1));
  else if (event.key === "Escape") closeSuggestions();
  else if (event.key === "Enter") {
    event.preventDefault();
    clearTimeout(debounce);
    if (active < 0) await suggest();
    const hit = hits[Math.max(active, 0)];
    if (hit) choose(hit);
  }
});
search.addEventListener("blur", () => setTimeout(closeSuggestions, 100));

// --- language, permalink, print --------------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = state.lang === "en" ? "en" : "zh-CN";
  document.title = `${tr("title")} · ${t("title", state.lang === "en" ? "zh" : "en")}`;
  document.querySelectorAll("[data-i18n]").forEach((node) => (node.textContent = tr(node.dataset.i18n)));
  document.querySelectorAll("[data-i18n-placeholder]").forEach((node) => (node.placeholder = tr(node.dataset.i18nPlaceholder)));
  document.querySelectorAll("[data-i18n-aria-label]").forEach((node) => node.setAttribute("aria-label", tr(node.dataset.i18nAriaLabel)));
  const other = state.lang === "en" ? "zh" : "en";
  const button = $("#lang");
  button.textContent = other === "en" ? "English" : "中文";
  button.lang = other === "en" ? "en" : "zh-CN";
  map.attributionControl.removeAttribution(map._atlasAttribution);
  map._atlasAttribution = sourcesAttribution();
  map.attributionControl.addAttribution(map._atlasAttribution);
  const approval = $("#approval");
  approval.hidden = !config.approval_number;
  approval.textContent = config.approval_number ? tr("approval", config.approval_number) : "";
  $("#print-approval").textContent = approval.textContent;
}

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  state.lang = params.get("lang") === "en" ? "en" : "zh";
  state.sector = params.get("sector") || "";
  state.kinds = params.has("kinds") ? new Set(params.get("kinds").split(",").filter((kind) => KINDS.includes(kind))) : new Set(KINDS);
  state.plan = ["2021", "2014"].includes(params.get("plan")) ? params.get("plan") : "";
  state.status = ["existing", "planned"].includes(params.get("status")) ? params.get("status") : "";
  state.counties = params.get("counties") === "1";
  const selection = params.get("sel");
  state.selection = selection ? { type: selection.startsWith("p:") ? "place" : "entity", id: selection.slice(2) } : null;
  const [zoom, lat, lng] = (params.get("map") || "").split("/").map(Number);
  return Number.isFinite(zoom) && Number.isFinite(lat) && Number.isFinite(lng) ? { zoom, lat, lng } : null;
}

function writeHash() {
  const params = new URLSearchParams();
  if (state.lang === "en") params.set("lang", "en");
  const center = map.getCenter();
  params.set("map", `${map.getZoom()}/${center.lat.toFixed(4)}/${center.lng.toFixed(4)}`);
  for (const [key, value] of filterParams()) params.set(key === "kind" ? "kinds" : key, value);
  if (state.counties) params.set("counties", "1");
  if (state.selection) params.set("sel", `${state.selection.type === "place" ? "p" : "e"}:${state.selection.id}`);
  history.replaceState(null, "", `#${params}`);
}

function syncControls() {
  $("#plan").value = state.plan;
  $("#status").value = state.status;
  $("#counties").checked = state.counties;
}

function renderAll() {
  applyLanguage();
  renderKinds();
  renderSectorTree(data.tree);
  syncControls();
  update();
  if (state.selection) {
    state.selection.type === "place" ? openPlace(Number(state.selection.id), { fly: false }) : openEntity(state.selection.id, { fly: false });
  }
}

function preparePrint() {
  const summary = [
    state.sector ? nameOf(data.sectors.get(state.sector)) : tr("allSectors"),
    state.plan ? tr(`plan${state.plan}`) : tr("allPlans"),
    state.status ? tr(state.status) : tr("allStatus"),
    [...state.kinds].map((kind) => tr(`kind_${kind}`)).join("、"),
  ].join(" · ");
  $("#print-filters").textContent = tr("filtersNow", summary);
  $("#print-date").textContent = tr("printedOn", new Date().toISOString().slice(0, 10));
}

// --- start ---------------------------------------------------------------------------------------------

$("#lang").addEventListener("click", () => {
  state.lang = state.lang === "en" ? "zh" : "en";
  renderAll();
});
$("#plan").addEventListener("change", (event) => ((state.plan = event.target.value), update()));
$("#status").addEventListener("change", (event) => ((state.status = event.target.value), update()));
$("#counties").addEventListener("change", (event) => {
  state.counties = event.target.checked;
  toggleCounties();
  writeHash();
});
$("#reset").addEventListener("click", () => {
  Object.assign(state, { sector: "", kinds: new Set(KINDS), plan: "", status: "" });
  renderAll();
});
$("#back").addEventListener("click", () => {
  closeProfile();
  $("#results button")?.focus();
});
$("#print").addEventListener("click", () => (preparePrint(), window.print()));
window.addEventListener("beforeprint", preparePrint);
map.on("moveend", async () => {
  if (currentBand !== null) await loadBand();
  toggleCounties();
  if (data.entities.length) writeHash();
});
window.addEventListener("hashchange", () => {
  const view = readHash();
  if (view) map.setView([view.lat, view.lng], view.zoom, { animate: false });
  renderAll();
});

async function start() {
  if (window.innerWidth <= 700) $("#sectors-box").open = false; // a phone shows the list first
  const view = readHash();
  if (view) map.setView([view.lat, view.lng], view.zoom, { animate: false });
  applyLanguage();
  try {
    const [tree, corridors, places] = await Promise.all([
      getJSON("/api/sectors"),
      getJSON(layerURL("corridors")),
      getJSON("/api/places"),
      loadBand(),
    ]);
    indexSectors(tree);
    if (!view) {
      // On wide screens keep the province clear of the legend in the bottom-right corner.
      const legendWidth = window.innerWidth > 700 ? 250 : 8;
      map.fitBounds(layers.prefectures.getBounds(), { paddingTopLeft: [8, 8], paddingBottomRight: [legendWidth, 8], animate: false });
    }
    corridors.features.forEach((feature) => data.routes.set(feature.id, feature));
    [...places].reverse().forEach((place) => data.places.set(place.adcode, place)); // the higher level wins
    await loadBand(); // the fitted zoom may want another band
  } catch (error) {
    showError();
    return;
  }
  renderAll();
  await toggleCounties();
  document.body.dataset.ready = "true";
}

start();
