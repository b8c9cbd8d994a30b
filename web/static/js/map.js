// The Leaflet map: base maps, boundaries per zoom band, entity symbols, the highlight of a selection and
// the legend's corner. Leaflet and its arrow plug-in are the vendored scripts loaded before the modules
// (the global `L`). Nothing happens at import; createMap does it all.

import { getJSON } from "./api.js";
import { bandOf, bandZoom, countiesWanted } from "./bands.js";
import { el } from "./dom.js";
import { inDrawOrder } from "./visibility.js";

export const HUBEI_VIEW = { lat: 30.95, lng: 112.3, zoom: 7 };
// On wide screens the legend sits in the bottom-right corner; a first view keeps the province clear of it.
const PHONE_WIDTH = 700;
const SELECTION_COLOUR = "#f2a900";

export function createMap(atlas) {
  const { config, data, tr, nameOf, layerURL } = atlas;
  const map = L.map("map", { zoomSnap: 0.5, attributionControl: true }).setView([HUBEI_VIEW.lat, HUBEI_VIEW.lng], HUBEI_VIEW.zoom);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" hreflang="en">Leaflet</a>');
  L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
  for (const basemap of config.basemaps) {
    for (const url of basemap.urls) {
      L.tileLayer(url, { subdomains: basemap.subdomains || "abc", attribution: basemap.attribution, maxZoom: 18 }).addTo(map);
    }
  }

  const bindPlace = (feature, layer) => {
    layer.on("click", () => atlas.actions.openPlace(Number(feature.properties.adcode), { fly: false }));
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
      const arrowHead = L.Symbol.arrowHead({ pixelSize: 13, polygon: true, pathOptions: { color: colour, fillOpacity: 1, weight: 0 } });
      const arrows = L.polylineDecorator(line, { patterns: [{ offset: "8%", repeat: "22%", symbol: arrowHead }] });
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
      atlas.actions.openEntity(properties.id, { fly: false });
    });
    return layer;
  }

  // Boundaries stay under the entities, prefectures under counties.
  const boundariesToBack = () => {
    layers.counties.bringToBack();
    layers.prefectures.bringToBack();
  };

  let band = null; // the band whose geometry is drawn (null before the first load)
  let attribution = null;

  return {
    leaflet: map,
    legendBox: () => legend.getContainer(),

    view() {
      const center = map.getCenter();
      return { zoom: map.getZoom(), lat: center.lat, lng: center.lng };
    },
    setView(view) {
      map.setView([view.lat, view.lng], view.zoom, { animate: false });
    },
    fitProvince() {
      const legendWidth = window.innerWidth > PHONE_WIDTH ? 250 : 8;
      map.fitBounds(layers.prefectures.getBounds(), { paddingTopLeft: [8, 8], paddingBottomRight: [legendWidth, 8], animate: false });
    },
    setAttribution(text) {
      map.attributionControl.removeAttribution(attribution);
      attribution = text;
      map.attributionControl.addAttribution(text);
    },

    /** Draws these features of the clusters layer (and only these), in drawing order. */
    drawEntities(features) {
      layers.entities.clearLayers();
      for (const feature of inDrawOrder(features, (item) => item.properties.kind)) layers.entities.addLayer(entityLayer(feature));
      map.getContainer().dataset.entitiesDrawn = String(features.length);
    },

    highlight(geometry, { fly }) {
      layers.highlight.clearLayers();
      const shape = L.geoJSON(geometry, { style: { color: SELECTION_COLOUR, weight: 4, fill: false }, interactive: false });
      layers.highlight.addLayer(shape);
      if (fly) map.flyToBounds(shape.getBounds(), { maxZoom: 9, padding: [20, 20], duration: 0.6 });
    },
    clearHighlight() {
      layers.highlight.clearLayers();
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
      const [prefectures, entities, counties] = await Promise.all([
        getJSON(layerURL("prefectures", zoom)),
        getJSON(layerURL("clusters", zoom)),
        layers.counties.getLayers().length ? getJSON(layerURL("counties", zoom)) : null,
      ]);
      if (wanted !== band) return null;
      layers.prefectures.clearLayers().addData(prefectures);
      map.getContainer().dataset.prefecturesDrawn = String(prefectures.features.length);
      map.getContainer().dataset.band = band;
      if (counties) layers.counties.clearLayers().addData(counties);
      boundariesToBack();
      return entities.features;
    },
    bandLoaded: () => band !== null,

    /** Shows or hides the county boundaries as the toggle and the zoom ask (fetched once, when first shown). */
    async showCounties(toggled) {
      const wanted = countiesWanted(toggled, map.getZoom());
      if (wanted && !map.hasLayer(layers.counties)) {
        if (!layers.counties.getLayers().length) {
          layers.counties.addData(await getJSON(layerURL("counties", bandZoom(config.bands, band))));
        }
        layers.counties.addTo(map);
        boundariesToBack();
      } else if (!wanted && map.hasLayer(layers.counties)) {
        map.removeLayer(layers.counties);
      }
    },
  };
}
