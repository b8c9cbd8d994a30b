// The share dialog: the permalink of what the page shows (the address bar's hash on the atlas's public
// address), a copy action, a QR code for phones (made by the server, /api/qr: WeChat scans it) and the map
// view as a PNG image. Nothing leaves the atlas's origin: the QR code is the server's, and the image is made
// in the page by the vendored html-to-image, loaded only when an image is asked for.

import { $, el } from "./dom.js";

const IMAGE_LIBRARY = "/static/vendor/html-to-image/html-to-image.js";
// Sharp on a phone's or a retina screen, without making a desktop's image needlessly large.
const MAX_PIXEL_RATIO = 2;

/** The permalink of what the page shows now: the public address, then the address bar's hash. */
export function permalink(config) {
  return `${config.public_url}/${location.hash}`;
}

let library = null;
/** window.htmlToImage, loading its script on first use (script-src 'self': it is vendored). */
function imageLibrary() {
  library ??= new Promise((resolve, reject) => {
    const script = el("script", { src: IMAGE_LIBRARY });
    script.addEventListener("load", () => resolve(window.htmlToImage));
    script.addEventListener("error", () => {
      library = null; // a later try loads it again
      reject(new Error(`${IMAGE_LIBRARY} did not load`));
    });
    document.head.append(script);
  });
  return library;
}

/** `hubei-map-2026-12-01.png`: what and when. */
function imageName() {
  const day = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `hubei-map-${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}.png`;
}

/** The map as it is on screen (boundaries, entities, names, legend, scale and sources; not the zoom buttons) as a PNG data URL. */
export async function mapImage(mapNode) {
  const { toPng } = await imageLibrary();
  // A phone's full-screen panel hides the map beneath it (phone.js): it is drawn as if seen, and the panel
  // and the dialog above it keep it out of sight meanwhile.
  mapNode.style.visibility = "visible";
  try {
    return await toPng(mapNode, {
      pixelRatio: Math.min(window.devicePixelRatio || 1, MAX_PIXEL_RATIO),
      backgroundColor: getComputedStyle(mapNode).backgroundColor,
      skipFonts: true, // the page's fonts are the system's: nothing to embed, no style sheet to read
      filter: (node) => !node.classList?.contains("leaflet-control-zoom"),
    });
  } finally {
    mapNode.style.visibility = "";
  }
}

/** Wires the share button to its dialog (made anew on each opening, in the language of the moment). */
export function bindShare(atlas, mapView) {
  const { config, tr } = atlas;
  const dialog = el("dialog", { id: "share-dialog", class: "share-dialog", "aria-labelledby": "share-title" });
  document.body.append(dialog);
  // Escape closes the dialog, and only the dialog (not an open profile beneath it).
  dialog.addEventListener("keydown", (event) => event.key === "Escape" && event.stopPropagation());
  // A click on the backdrop (outside the dialog's box) closes it, as on phones one expects.
  dialog.addEventListener("click", (event) => event.target === dialog && dialog.close());

  function open() {
    const link = permalink(config);
    const field = el("input", { id: "share-url", type: "text", readonly: true, value: link, spellcheck: "false", "aria-describedby": "share-intro" });
    field.addEventListener("focus", () => field.select());
    const status = el("p", { id: "share-status", class: "share-status", role: "status" });
    const say = (key) => (status.textContent = tr(key));

    async function copy() {
      try {
        await navigator.clipboard.writeText(link); // needs https (or loopback) and the user's gesture
        say("copied");
      } catch {
        // Plain http, or a browser that refuses: the link selected, for the keyboard's copy.
        field.focus();
        field.select();
        let copied = false;
        try {
          copied = document.execCommand("copy");
        } catch {
          copied = false;
        }
        say(copied ? "copied" : "copyManually");
      }
    }

    async function saveImage(button) {
      button.disabled = true;
      say("savingImage");
      try {
        const url = await mapImage(mapView.leaflet.getContainer());
        const anchor = el("a", { href: url, download: imageName() });
        document.body.append(anchor);
        anchor.click();
        anchor.remove();
        say("imageSaved");
      } catch {
        say("imageFailed");
      } finally {
        button.disabled = false;
      }
    }

    const qrURL = `/api/qr?${new URLSearchParams({ url: link })}`;
    const imageButton = el("button", { type: "button", id: "share-image", class: "button" }, tr("saveImage"));
    imageButton.addEventListener("click", () => saveImage(imageButton));
    dialog.replaceChildren(
      el(
        "div",
        { class: "share-head" },
        el("h2", { id: "share-title" }, tr("shareTitle")),
        el("button", { type: "button", class: "link share-close", "aria-label": tr("close"), onclick: () => dialog.close() }, "✕"),
      ),
      el("p", { id: "share-intro", class: "muted" }, tr("shareIntro")),
      el("label", { for: "share-url", class: "share-label" }, tr("shareLink")),
      el("div", { class: "share-link" }, field, el("button", { type: "button", id: "share-copy", class: "button", onclick: copy }, tr("copyLink"))),
      status, // beside what it reports on: the copy, and the image being made
      el(
        "div",
        { class: "share-columns" },
        el(
          "figure",
          { class: "share-qr" },
          el("img", { id: "share-qr", src: qrURL, alt: tr("qrAlt"), width: "168", height: "168" }),
          el("figcaption", {}, tr("qrCaption")),
        ),
        el("div", { class: "share-image" }, el("p", { class: "muted" }, tr("saveImageHint")), imageButton),
      ),
    );
    dialog.showModal();
    $("#share-copy").focus();
  }

  $("#share").addEventListener("click", open);
  return { open };
}
