// The modules that decide (not draw) must run without a browser: no DOM, no window, no Leaflet, so that
// these tests can import them and so that every view can share them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { layerURLs } from "../static/js/api.js";

const PURE = ["bands.js", "permalink.js", "visibility.js", "../i18n.js"];
const BROWSER = /\b(document|window|navigator|location|history|localStorage|L)\s*\.|\bfetch\s*\(/;

test("the deciding modules name no browser global", () => {
  for (const name of PURE) {
    const code = readFileSync(new URL(`../static/js/${name}`, import.meta.url), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    assert.doesNotMatch(code, BROWSER, name);
  }
});

test("layer URLs only for the layers the server says it draws", () => {
  const layerURL = layerURLs(["prefectures", "clusters"]);
  assert.equal(layerURL("prefectures"), "/api/map/prefectures");
  assert.equal(layerURL("clusters", 7), "/api/map/clusters?zoom=7");
  assert.equal(layerURL("clusters", 0), "/api/map/clusters?zoom=0");
  assert.throws(() => layerURL("counties", 9), /no map layer "counties"/);
});
