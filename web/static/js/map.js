// The Leaflet map: base maps, boundaries per zoom band, entity symbols, place labels, the selection and
// the chooser. Leaflet and its arrow plug-in are the vendored scripts loaded before the modules (the
// global `L`). Nothing happens at import; createMap does it all.
//
// The visual hierarchy: boundaries in grey; the entities the filters show as coloured outlines, lines and
// symbols (colour by what the filter is about, palette.js) with no fill, so that overlapping areas never
// mix into colours no legend has; the one in focus (the selection) filled in its colour with a halo, in a
// pane above everything, with its stops numbered when it has an order. Names of places sit above the
// shapes and below the selection, placed by labels.js so that they never cover each other or the
// selection.

import { getJSON } from "./api.js";
import { bandOf, bandZoom, countiesWanted } from "./bands.js";
import { openChooser } from "./chooser.js";
import { el } from "./dom.js";
import { inGeometry, lineDistance, paddingFor } from "./geometry.js";
import { placeAlongLines, placeLabels } from "./labels.js";
import { colourScheme } from "./palette.js";
import { inDrawOrder } from "./visibility.js";

export const HUBEI_VIEW = { lat: 30.95, lng: 112.3, zoom: 7 };
const SELECTION_COLOUR = "#f2a900";
const HALO = "#ffffff";
// How near (in screen pixels) a click must come to a line or a point symbol to be on it.
const LINE_REACH = 8;
const POINT_REACH = 12;
// Outlines of areas by kind: wider for the larger kinds, drawn first, so that areas sharing an edge show
// as nested bands rather than one hiding the other.
const AREA_STYLE = {
  city_group: { weight: 7, opacity: 0.45, dashArray: null },
  specialisation: { weight: 4, opacity: 0.9, dashArray: "1 6", lineCap: "round" },
  cluster: { weight: 2, opacity: 1, dashArray: null },
};
const AREA_KINDS = new Set(Object.keys(AREA_STYLE));
// A corridor whose stops the plan does not give (no route published) is outlined like a city group.
const UNROUTED_STYLE = { weight: 5, opacity: 0.8, dashArray: "10 6" };
const BADGE = 16; // a corridor's stop number, px

const boxOf = (rect, origin) => ({ left: rect.left - origin.left, top: rect.top - origin.top, right: rect.right - origin.left, bottom: rect.bottom - origin.top });

export function createMap(atlas) {
  const { config, data, state, tr, nameOf, layerURL } = atlas;
  const map = L.map("map", { zoomSnap: 0.5, attributionControl: true }).setView([HUBEI_VIEW.lat, HUBEI_VIEW.lng], HUBEI_VIEW.zoom);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" hreflang="en">Leaflet</a>');
  L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
  for (const basemap of config.basemaps) {
    for (const url of basemap.urls) {
      L.tileLayer(url, { subdomains: basemap.subdomains || "abc", attribution: basemap.attribution, maxZoom: 18 }).addTo(map);
    }
  }
  // Names above the shapes (overlayPane 400) but under the point symbols (600); the selection above all
  // of them and under tooltips (650) and popups (700).
  const labelPane = map.createPane("labels");
  labelPane.style.zIndex = "450";
  labelPane.classList.add("leaflet-zoom-hide");
  map.createPane("selection").style.zIndex = "640";

  let lastTarget = null; // what a click's own target was (a click dispatched on a shape has no real position)
  const bindPlace = (feature, layer) => {
    layer.on("click", () => (lastTarget = { type: "place", adcode: Number(feature.properties.adcode) }));
    layer.bindTooltip(() => nameOf(feature.properties), { sticky: true, direction: "top" });
  };
  const layers = {
    prefectures: L.geoJSON(null, {
      style: (feature) => ({ color: "#3a3a3a", weight: 1.2, fillColor: "#ffffff", fillOpacity: 0, className: `place-${feature.id}` }),
      onEachFeature: bindPlace,
    }).addTo(map),
    counties: L.geoJSON(null, {
      style: (feature) => ({ color: "#8a8a8a", weight: 0.7, dashArray: "3 3", fillOpacity: 0, className: `place-${feature.id}` }),
      onEachFeature: bindPlace,
    }),
    entities: L.featureGroup().addTo(map),
    highlight: L.featureGroup().addTo(map),
  };
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => L.DomUtil.create("div", "legend");
  legend.addTo(map);

  const seatOf = (adcode) => {
    const place = data.places.get(adcode);
    return place ? [place.seat_lat, place.seat_lon] : null;
  };
  const shortName = (place) => (state.lang === "en" ? place.pinyin || place.name_en : place.short_name_zh || place.name_zh);

  /**
   * Every corridor numbers its stops in the plan's order (汉→孝→随→襄→十), on the line: each number sits a
   * little way along the line from its stop, towards the next one, so that corridors sharing a city (three
   * start in 武汉) show their numbers side by side rather than on top of each other. The places are named
   * by the map's labels; a selected corridor shows the full stops (stopMarkers).
   */
  const isSelected = (id) => state.selection?.type === "entity" && state.selection.id === id;
  /** How an entity is drawn: "line" (a corridor with a route), "area" (outlined) or "points" (seats). */
  const shapeOf = (properties) => {
    if (properties.kind === "corridor") return data.routes.has(properties.id) ? "line" : "area";
    return AREA_KINDS.has(properties.kind) ? "area" : "points";
  };

  function stopBadges(properties, colour) {
    const seats = properties.members.map((adcode, index) => ({ number: index + 1, latlng: seatOf(adcode) })).filter((stop) => stop.latlng);
    const mercatorY = (lat) => (Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360)) * 180) / Math.PI;
    return seats.map((stop, index) => {
      const neighbour = seats[index + 1] || seats[index - 1];
      const [dx, dy] = neighbour ? [neighbour.latlng[1] - stop.latlng[1], mercatorY(stop.latlng[0]) - mercatorY(neighbour.latlng[0])] : [0, 0];
      const length = Math.hypot(dx, dy) || 1;
      // Anchored on the stop; layoutLabels moves the number along the line (dx, dy) to a free spot.
      const icon = L.divIcon({
        className: "corridor-stop",
        html: el(
          "span",
          // A selected corridor shows its full stops instead (drawSelection keeps this true as it changes).
          { style: `border-color:${colour}`, "data-entity": properties.id, "data-dx": dx / length, "data-dy": dy / length, hidden: isSelected(properties.id) },
          String(stop.number),
        ),
        iconSize: [BADGE, BADGE],
      });
      return L.marker(stop.latlng, { icon, interactive: false, keyboard: false });
    });
  }

  let scheme = colourScheme([], "", new Map());
  let drawnFeatures = []; // the clusters layer's features drawn, for hit tests

  function entityLayer(feature) {
    const properties = feature.properties;
    const colour = scheme.colourOf(properties);
    const className = `entity-${properties.id}`; // lets people's tools (and tests) find a feature's shapes
    const stops = properties.ordered
      ? ` · ${properties.members.map((adcode, index) => `${index + 1} ${data.places.get(adcode) ? shortName(data.places.get(adcode)) : adcode}`).join(" → ")}`
      : "";
    // One base or platform at several seats draws a symbol at each: the tooltip says they are one entry.
    const seats = shapeOf(properties) === "points" && properties.members.length > 1 ? ` · ${tr("oneAtPlaces", properties.members.length)}` : "";
    const label = () => `${nameOf(properties)} · ${tr(`kind_${properties.kind}`)}${stops}${seats}`;
    let layer;
    const shape = shapeOf(properties);
    if (shape === "area") {
      // Filled, but invisibly: the fill catches the pointer for the tooltip; colour is for the one in focus.
      const style = AREA_STYLE[properties.kind] || UNROUTED_STYLE;
      layer = L.geoJSON(feature, { style: { color: colour, fillColor: colour, fillOpacity: 0, className, ...style } });
    } else if (shape === "line") {
      const route = data.routes.get(properties.id);
      const latlngs = route.geometry.coordinates.map(([lon, lat]) => [lat, lon]);
      const line = L.polyline(latlngs, { color: colour, weight: 5, opacity: 0.9, className });
      const arrowHead = L.Symbol.arrowHead({ pixelSize: 13, polygon: true, pathOptions: { color: colour, fillOpacity: 1, weight: 0 } });
      const arrows = L.polylineDecorator(line, { patterns: [{ offset: "8%", repeat: "22%", symbol: arrowHead }] });
      layer = L.featureGroup([line, arrows, ...stopBadges(properties, colour)]);
    } else {
      const markers = properties.members.map(seatOf).filter(Boolean).map((latlng) =>
        properties.kind === "base"
          ? L.circleMarker(latlng, { radius: 8, color: "#ffffff", weight: 2, fillColor: colour, fillOpacity: 1, className })
          : L.marker(latlng, {
              icon: L.divIcon({ className: `platform-icon ${className}`, html: el("span", { style: `background:${colour}` }), iconSize: [18, 18] }),
              keyboard: false,
              bubblingMouseEvents: true, // the map's click handler decides (the chooser), as for shapes
            }),
      );
      layer = L.featureGroup(markers);
    }
    layer.bindTooltip(label, { sticky: true });
    layer.on("click", () => (lastTarget = { type: "entity", id: properties.id }));
    return layer;
  }

  // Boundaries stay under the entities, prefectures under counties.
  const boundariesToBack = () => {
    layers.counties.bringToBack();
    layers.prefectures.bringToBack();
  };

  // --- what lies under a click -------------------------------------------------------------------------

  const screen = (lat, lng) => {
    const point = map.latLngToContainerPoint([lat, lng]);
    return [point.x, point.y];
  };

  /** The entities drawn and the places under a click at `latlng`, top-most symbols first. */
  function hitsAt(latlng) {
    const lonlat = [latlng.lng, latlng.lat];
    const pointer = screen(latlng.lat, latlng.lng);
    const entities = drawnFeatures.filter((feature) => {
      const properties = feature.properties;
      const shape = shapeOf(properties);
      if (shape === "area") return inGeometry(lonlat, feature.geometry);
      if (shape === "line") {
        const route = data.routes.get(properties.id);
        return route && lineDistance(pointer, route.geometry.coordinates.map(([lon, lat]) => screen(lat, lon))) <= LINE_REACH;
      }
      return properties.members.map(seatOf).filter(Boolean).some(([lat, lng]) => lineDistance(pointer, [screen(lat, lng)]) <= POINT_REACH);
    });
    const places = [];
    const boundaryLayers = map.hasLayer(layers.counties) ? [layers.counties, layers.prefectures] : [layers.prefectures];
    for (const group of boundaryLayers) {
      for (const layer of group.getLayers()) if (inGeometry(lonlat, layer.feature.geometry)) places.push(Number(layer.feature.properties.adcode));
    }
    return { entities: entities.reverse(), places };
  }

  function onClick(event) {
    const target = lastTarget;
    lastTarget = null;
    const { entities, places } = hitsAt(event.latlng);
    if (target?.type === "entity" && !entities.some((feature) => feature.properties.id === target.id)) {
      const feature = drawnFeatures.find((each) => each.properties.id === target.id);
      if (feature) entities.unshift(feature);
    }
    if (target?.type === "place" && !places.includes(target.adcode)) places.push(target.adcode);
    const items = [
      ...places.map((adcode) => {
        const place = data.places.get(adcode);
        return {
          label: place ? nameOf(place) : String(adcode),
          detail: place ? tr(`level_${place.level}`) : "",
          kindClass: "kind-place",
          choose: () => atlas.actions.openPlace(adcode, { fly: false }),
        };
      }),
      ...entities.map(({ properties }) => ({
        label: nameOf(properties),
        detail: tr(`kind_${properties.kind}`),
        kindClass: `kind-${properties.kind}`,
        colour: scheme.colourOf(properties),
        choose: () => atlas.actions.openEntity(properties.id, { fly: false }),
      })),
    ];
    if (items.length === 1) items[0].choose();
    else if (items.length > 1) openChooser(map, event.latlng, items, { title: tr("chooserTitle", items.length), close: tr("close") });
  }
  map.on("click", onClick);

  // --- fitting a view to what the reader can see ----------------------------------------------------------

  /** Padding that keeps a fitted view clear of the legend (and of a panel drawn over the map). */
  function clearPadding() {
    const container = map.getContainer().getBoundingClientRect();
    const origin = { left: container.left, top: container.top };
    const mapBox = boxOf(container, origin);
    // ".keep-clear": boxes a view adds over the map (the standalone map's title box).
    const obstacles = [legend.getContainer(), document.getElementById("panel"), document.querySelector(".leaflet-control-zoom"), ...document.querySelectorAll(".keep-clear")]
      .filter((node) => node && node.offsetParent !== null)
      .map((node) => boxOf(node.getBoundingClientRect(), origin));
    const padding = paddingFor(mapBox, obstacles);
    return { paddingTopLeft: [padding.left, padding.top], paddingBottomRight: [padding.right, padding.bottom] };
  }

  function fitTo(bounds, { animate, maxZoom = 10, right = 0 }) {
    if (!bounds.isValid()) return;
    const options = { ...clearPadding(), maxZoom };
    options.paddingBottomRight = [options.paddingBottomRight[0] + right, options.paddingBottomRight[1]];
    if (animate) map.flyToBounds(bounds, { ...options, duration: 0.6 });
    else map.fitBounds(bounds, { ...options, animate: false });
  }

  // --- labels --------------------------------------------------------------------------------------------

  const labelPoints = new Map(); // adcode -> [lat, lng] of its name, as the store worked it out at load
  const labelNodes = new Map(); // adcode -> element
  let selectionBoxes = () => [];

  /** Where names go; `keep`: points already known stay (names need not move with a band's detail). */
  function rememberLabelPoints(collection, { keep = false } = {}) {
    for (const { properties } of collection.features) {
      if (keep && labelPoints.has(Number(properties.adcode))) continue;
      labelPoints.set(Number(properties.adcode), [properties.label_lat, properties.label_lon]);
    }
  }

  // The boundary query the outlines drawn were fetched with (the chosen plans' provinces, plans.js).
  let boundaryKey = null;
  const boundaryParams = () => atlas.boundaryParams?.() ?? {};

  function labelNode(adcode, level) {
    let node = labelNodes.get(adcode);
    if (!node) {
      node = el("div", { class: `place-label place-label-${level}`, "data-adcode": String(adcode), "aria-hidden": "true" });
      labelPane.append(node);
      labelNodes.set(adcode, node);
    }
    return node;
  }

  /** Shows the names that fit: prefectures first (the selected place before all), then counties. */
  function layoutLabels() {
    if (!data.places.size || !labelPoints.size) return;
    const size = map.getSize();
    const countiesOn = map.hasLayer(layers.counties);
    const selected = state.selection?.type === "place" ? Number(state.selection.id) : null;
    // The stops of a selected corridor or city group name their places: no second name beside them.
    const selectedEntity = state.selection?.type === "entity" ? drawnFeatures.find((feature) => feature.properties.id === state.selection.id) : null;
    const named = new Set(selectedEntity && selectedEntity.properties.ordered && layers.highlight.getLayers().length ? selectedEntity.properties.members : []);
    const candidates = [];
    for (const [adcode, latlng] of labelPoints) {
      const place = data.places.get(adcode);
      if (!place || (place.level === "county" && !countiesOn) || named.has(adcode)) continue;
      const node = labelNode(adcode, place.level);
      const text = shortName(place);
      if (node.textContent !== text) node.textContent = text;
      node.hidden = false;
      const [x, y] = screen(...latlng);
      const priority = (adcode === selected ? 0 : 1) + (place.level === "county" ? 10 : 0);
      candidates.push({ id: adcode, priority, x, y, w: node.offsetWidth, h: node.offsetHeight });
    }
    const container = map.getContainer().getBoundingClientRect();
    const controls = [...map.getContainer().querySelectorAll(".leaflet-control")].map((node) => boxOf(node.getBoundingClientRect(), container));
    // Point symbols are clicked, so names keep off them too.
    const symbols = drawnFeatures
      .filter(({ properties }) => properties.kind === "base" || properties.kind === "platform")
      .flatMap(({ properties }) => properties.members.map(seatOf).filter(Boolean))
      .map(([lat, lng]) => {
        const [x, y] = screen(lat, lng);
        return { left: x - 9, top: y - 9, right: x + 9, bottom: y + 9 };
      });
    const blocked = [...controls, ...selectionBoxes(), ...symbols];
    const placed = placeLabels(candidates, blocked, { left: 0, top: 0, right: size.x, bottom: size.y });
    layoutStopNumbers([...blocked, ...placed.map((label) => label.box)]);
    const shown = new Set();
    for (const label of placed) {
      const node = labelNodes.get(label.id);
      const at = map.containerPointToLayerPoint([label.box.left + 1, label.box.top + 1]);
      L.DomUtil.setPosition(node, at);
      shown.add(label.id);
    }
    for (const [adcode, node] of labelNodes) {
      node.hidden = !shown.has(adcode);
      node.classList.toggle("placed", shown.has(adcode));
    }
    map.getContainer().dataset.labelsShown = String(shown.size);
  }
  map.on("zoomend moveend resize", layoutLabels);

  /** Moves every corridor's stop numbers along their lines, clear of names, symbols and each other. */
  function layoutStopNumbers(taken) {
    const spans = [...map.getPane("markerPane").querySelectorAll(".corridor-stop span:not([hidden])")];
    const container = map.getContainer().getBoundingClientRect();
    const badges = spans.map((span) => {
      const box = boxOf(span.parentElement.getBoundingClientRect(), container);
      return { x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2, dx: Number(span.dataset.dx), dy: Number(span.dataset.dy), size: BADGE };
    });
    placeAlongLines(badges, taken).forEach((spot, index) => {
      spans[index].style.transform = `translate(${spot.dx}px, ${spot.dy}px)`;
    });
  }

  // --- the selection -------------------------------------------------------------------------------------

  let pendingFit = false; // a shared link names a selection: fit it to this screen when it comes

  function stopMarkers(properties) {
    return properties.members
      .map((adcode, index) => {
        const place = data.places.get(adcode);
        const latlng = seatOf(adcode);
        if (!place || !latlng) return null;
        const icon = L.divIcon({
          className: "stop",
          html: el("span", { class: "stop-body", "data-order": String(index + 1) }, el("span", { class: "stop-number" }, String(index + 1)), el("span", { class: "stop-name" }, shortName(place))),
          iconSize: null,
        });
        // Leaflet stacks markers by their y in layer pixels, which goes negative once the map is panned:
        // the offset keeps every stop above the selection's own line.
        return L.marker(latlng, { icon, pane: "selection", interactive: false, keyboard: false, zIndexOffset: 100000 });
      })
      .filter(Boolean);
  }

  function drawSelection(geometry) {
    layers.highlight.clearLayers();
    const selection = state.selection;
    const properties = selection?.type === "entity" ? data.entities.find((feature) => feature.properties.id === selection.id)?.properties : null;
    const colour = properties ? scheme.colourOf(properties) : SELECTION_COLOUR;
    const line = geometry.type === "LineString" || geometry.type === "MultiLineString";
    // Interactive, so that it is what the pointer meets there (its clicks go on to the map's chooser).
    const common = { pane: "selection", interactive: true, bubblingMouseEvents: true, className: "selection" };
    // A white halo under the amber line keeps it visible on any colour; an area in focus is filled.
    const halo = L.geoJSON(geometry, { ...common, style: { className: "selection", color: HALO, weight: line ? 11 : 8, opacity: 0.9, fill: false } });
    const shape = L.geoJSON(geometry, {
      ...common,
      style: { className: "selection", color: SELECTION_COLOUR, weight: line ? 6 : 4, fill: !line, fillColor: colour, fillOpacity: properties ? 0.35 : 0.12 },
    });
    layers.highlight.addLayer(halo).addLayer(shape);
    if (properties && shapeOf(properties) === "points") {
      for (const latlng of properties.members.map(seatOf).filter(Boolean)) {
        layers.highlight.addLayer(L.circleMarker(latlng, { ...common, radius: 10, color: SELECTION_COLOUR, weight: 4, fillColor: colour, fillOpacity: 1 }));
      }
    }
    if (properties?.ordered) stopMarkers(properties).forEach((marker) => layers.highlight.addLayer(marker));
    // The selection's own stops replace its small numbers.
    for (const badge of map.getPane("markerPane").querySelectorAll(".corridor-stop span")) badge.hidden = isSelected(badge.dataset.entity);
    map.getContainer().dataset.selection = selection ? `${selection.type}:${selection.id}` : "";
    return shape;
  }

  // What labels must keep clear of: the selection's stops, and its line (sampled), on screen.
  selectionBoxes = () => {
    const container = map.getContainer().getBoundingClientRect();
    const boxes = [...map.getPane("selection").querySelectorAll(".stop-body")].map((node) => boxOf(node.getBoundingClientRect(), container));
    layers.highlight.eachLayer((group) => {
      group.eachLayer?.((layer) => {
        if (!(layer instanceof L.Polyline) || layer instanceof L.Polygon) return;
        const points = layer.getLatLngs().flat().map((latlng) => map.latLngToContainerPoint(latlng));
        for (let i = 1; i < points.length; i++) {
          for (let step = 0; step <= 8; step++) {
            const x = points[i - 1].x + ((points[i].x - points[i - 1].x) * step) / 8;
            const y = points[i - 1].y + ((points[i].y - points[i - 1].y) * step) / 8;
            boxes.push({ left: x - 5, top: y - 5, right: x + 5, bottom: y + 5 });
          }
        }
      });
    });
    return boxes;
  };

  // The legend tells when its content changed (legend.js): names keep clear of it, and a first view that
  // was fitted before the legend had its size is fitted again around it.
  let provinceFit = false;
  map.on("movestart", () => (provinceFit = false));
  legend.getContainer().addEventListener("legendchange", () => {
    if (provinceFit) {
      fitTo(layers.prefectures.getBounds(), { animate: false });
      provinceFit = true;
    }
    layoutLabels();
  });

  let band = null; // the band whose geometry is drawn (null before the first load)
  let attribution = null;

  return {
    leaflet: map,
    legendBox: () => legend.getContainer(),
    scheme: () => scheme,

    view() {
      const center = map.getCenter();
      return { zoom: map.getZoom(), lat: center.lat, lng: center.lng };
    },
    setView(view) {
      map.setView([view.lat, view.lng], view.zoom, { animate: false });
    },
    /** The next selection drawn is fitted to this screen (a shared link names it; its sender's view is not ours). */
    fitNextSelection() {
      pendingFit = true;
    },
    fitProvince() {
      fitTo(layers.prefectures.getBounds(), { animate: false });
      provinceFit = true; // once the legend has its content (and size), fit again around it
    },
    setAttribution(text) {
      map.attributionControl.removeAttribution(attribution);
      attribution = text;
      map.attributionControl.addAttribution(text);
      layoutLabels(); // the language changed
    },

    /** Draws these features of the clusters layer (and only these), in drawing order, coloured by the filter. */
    drawEntities(features) {
      scheme = colourScheme(features.map((feature) => feature.properties), state.sector, data.sectors);
      atlas.colourOf = scheme.colourOf; // the list's swatches follow the map's colours
      drawnFeatures = inDrawOrder(features, (item) => item.properties.kind);
      layers.entities.clearLayers();
      for (const feature of drawnFeatures) layers.entities.addLayer(entityLayer(feature));
      map.getContainer().dataset.entitiesDrawn = String(features.length);
      layoutLabels();
    },

    highlight(geometry, { fly }) {
      const shape = drawSelection(geometry);
      const bounds = L.featureGroup(layers.highlight.getLayers()).getBounds();
      // Stop names are written to the right of their stops: room for the widest of them.
      const names = [...map.getPane("selection").querySelectorAll(".stop-name")].map((node) => node.offsetWidth + 6);
      const right = Math.max(0, ...names);
      if (fly || pendingFit) fitTo(bounds.isValid() ? bounds : shape.getBounds(), { animate: fly && !pendingFit, right });
      pendingFit = false;
      layoutLabels();
    },
    clearHighlight() {
      layers.highlight.clearLayers();
      map.getContainer().dataset.selection = "";
      layoutLabels();
    },

    /**
     * Fetches the outlines of the band the zoom is in, if that is not the band drawn. Returns the clusters
     * layer's features of that band, or null when nothing changed (same band, or zoomed on meanwhile).
     */
    async loadBand() {
      const wanted = bandOf(config.bands, map.getZoom());
      if (wanted === band) return null;
      band = wanted;
      const zoom = bandZoom(config.bands, band);
      const within = boundaryParams();
      boundaryKey = JSON.stringify(within);
      const [prefectures, entities, counties] = await Promise.all([
        getJSON(layerURL("prefectures", zoom, within)),
        getJSON(layerURL("clusters", zoom, atlas.entityParams?.())), // only the chosen plans' (plans.js)
        layers.counties.getLayers().length ? getJSON(layerURL("counties", zoom, within)) : null,
      ]);
      if (wanted !== band) return null;
      layers.prefectures.clearLayers().addData(prefectures);
      rememberLabelPoints(prefectures, { keep: true }); // names need not move with the band's detail
      map.getContainer().dataset.prefecturesDrawn = String(prefectures.features.length);
      map.getContainer().dataset.band = band;
      if (counties) layers.counties.clearLayers().addData(counties);
      boundariesToBack();
      return entities.features;
    },
    bandLoaded: () => band !== null,

    /**
     * The clusters layer's features of the band drawn, fetched again (the plan choice changed); with the
     * chosen plans in other provinces, the outlines too (county ones again when next shown).
     */
    async loadEntities() {
      if (JSON.stringify(boundaryParams()) !== boundaryKey) {
        band = null;
        layers.counties.clearLayers();
        map.removeLayer(layers.counties);
        return this.loadBand();
      }
      const asked = band;
      const entities = await getJSON(layerURL("clusters", bandZoom(config.bands, band), atlas.entityParams?.()));
      return asked === band ? entities.features : null;
    },
    layoutLabels,

    /** Shows or hides the county boundaries as the toggle and the zoom ask (fetched once, when first shown). */
    async showCounties(toggled) {
      const wanted = countiesWanted(toggled, map.getZoom());
      if (wanted && !map.hasLayer(layers.counties)) {
        if (!layers.counties.getLayers().length) {
          const counties = await getJSON(layerURL("counties", bandZoom(config.bands, band), boundaryParams()));
          layers.counties.addData(counties);
          rememberLabelPoints(counties);
        }
        layers.counties.addTo(map);
        boundariesToBack();
      } else if (!wanted && map.hasLayer(layers.counties)) {
        map.removeLayer(layers.counties);
      }
      layoutLabels();
    },
  };
}
