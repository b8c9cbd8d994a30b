// The phone layout (atlas.css, "Phone" block): the map on top and the panel below it, each scrolling on its
// own, so that reading the list never scrolls the map away and a selection is seen on the map at once. A
// toggle at the top of the panel gives the panel the whole screen for reading (the map stays laid out
// beneath it, so Leaflet keeps its size and view) and gives the map back.

import { $ } from "./dom.js";

const PHONE = "(max-width: 700px)";

export function bindPhone(atlas, mapView) {
  const body = document.body;
  const toggle = $("#sheet-toggle");

  function setSheet(full) {
    body.dataset.sheet = full ? "full" : "split";
    toggle.setAttribute("aria-expanded", String(full));
    // Marked for language.js, which re-words it when the language changes.
    toggle.dataset.i18n = full ? "showMap" : "showPanel";
    toggle.textContent = atlas.tr(toggle.dataset.i18n);
  }

  setSheet(false);
  toggle.addEventListener("click", () => setSheet(body.dataset.sheet !== "full"));
  // Whatever moves the map while the panel covers it (a list entry, 定位到地图, a place chip, a search hit)
  // wants it seen: the map comes back, with the panel below it. Listening to the map rather than to each
  // button keeps this true for controls added later.
  mapView.leaflet.on("movestart", () => {
    if (body.dataset.sheet === "full" && matchMedia(PHONE).matches) setSheet(false);
  });
  bindAttribution(mapView.leaflet.attributionControl.getContainer());
}

/**
 * On a phone the sources wrapped to three lines over the map; there they take one line, cut with an
 * ellipsis, and a tap (or Enter) shows them whole. The links inside stay links. (The standalone map too.)
 */
export function bindAttribution(box) {
  box.tabIndex = 0;
  box.setAttribute("aria-expanded", "false");
  const flip = () => {
    if (!matchMedia(PHONE).matches) return;
    box.classList.toggle("open");
    box.setAttribute("aria-expanded", String(box.classList.contains("open")));
  };
  box.addEventListener("click", (event) => {
    if (!event.target.closest("a")) flip();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target === box) flip();
  });
}
