// The chooser: where a click lands on several things (襄阳's seat has a city, a corridor, a city group and
// clusters; nine platforms share one point in Wuhan), a small list of all of them, the place itself
// among them, instead of whichever shape happens to be on top. It is a Leaflet popup holding a labelled
// list of buttons: focus goes to the first, arrow keys move, Escape closes and gives focus back to the map.

import { el } from "./dom.js";

/**
 * Opens the chooser at `latlng` on `map` for `items` ([{label, detail, swatch, choose}]), titled `title`.
 * Returns the popup.
 */
export function openChooser(map, latlng, items, { title, close }) {
  const buttons = items.map((item) =>
    el(
      "button",
      {
        type: "button",
        class: "chooser-item",
        onclick: () => {
          map.closePopup(popup);
          item.choose();
        },
      },
      el("span", { class: `kind-swatch ${item.kindClass ?? ""}`, "aria-hidden": "true" }),
      el("span", { class: "chooser-name" }, item.label),
      el("span", { class: "chooser-detail" }, item.detail),
    ),
  );
  buttons.forEach((button, index) => {
    if (items[index].colour) button.firstChild.style.setProperty("--c", items[index].colour);
  });
  const box = el(
    "div",
    { class: "chooser", role: "dialog", "aria-label": title },
    el("p", { class: "chooser-title" }, title),
    el("ul", {}, ...buttons.map((button) => el("li", {}, button))),
  );
  box.addEventListener("keydown", (event) => {
    const at = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      buttons[(at + (event.key === "ArrowDown" ? 1 : buttons.length - 1)) % buttons.length].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      map.closePopup(popup);
      map.getContainer().focus();
    }
  });
  const popup = L.popup({ className: "chooser-popup", maxWidth: 320, autoPanPadding: [16, 16], closeButton: true })
    .setLatLng(latlng)
    .setContent(box)
    .openOn(map);
  popup.getElement()?.querySelector(".leaflet-popup-close-button")?.setAttribute("aria-label", close);
  buttons[0]?.focus();
  return popup;
}
