// Zoom bands without a map: config.bands as the server sends it (app/generalise.py BANDS).
import assert from "node:assert/strict";
import { test } from "node:test";

import { COUNTY_ZOOM, FINEST_ZOOM, FULL_BAND, bandOf, bandZoom, countiesWanted } from "../static/js/bands.js";

const BANDS = [
  { name: "z7", max_zoom: 7 },
  { name: "z9", max_zoom: 9 },
];

test("each zoom falls in the first band whose highest zoom it does not pass", () => {
  assert.equal(bandOf(BANDS, 0), "z7");
  assert.equal(bandOf(BANDS, 7), "z7");
  assert.equal(bandOf(BANDS, 8), "z9");
  assert.equal(bandOf(BANDS, 9), "z9");
  assert.equal(bandOf(BANDS, 10), FULL_BAND);
  assert.equal(bandOf(BANDS, 18), FULL_BAND);
});

test("a fractional zoom (zoomSnap 0.5) stays in the band of its whole part", () => {
  assert.equal(bandOf(BANDS, 7.5), "z7");
  assert.equal(bandOf(BANDS, 9.5), "z9");
  assert.equal(bandOf(BANDS, 6.99), "z7");
});

test("without bands everything is full detail", () => {
  assert.equal(bandOf([], 5), FULL_BAND);
  assert.equal(bandZoom([], FULL_BAND), FINEST_ZOOM);
});

test("a band is fetched at its highest zoom; full detail (or no band yet) at the finest", () => {
  assert.equal(bandZoom(BANDS, "z7"), 7);
  assert.equal(bandZoom(BANDS, "z9"), 9);
  assert.equal(bandZoom(BANDS, FULL_BAND), FINEST_ZOOM);
  assert.equal(bandZoom(BANDS, null), FINEST_ZOOM);
});

test("county boundaries: by the toggle, or from the county zoom on", () => {
  assert.equal(countiesWanted(false, COUNTY_ZOOM - 0.5), false);
  assert.equal(countiesWanted(false, COUNTY_ZOOM), true);
  assert.equal(countiesWanted(false, 12), true);
  assert.equal(countiesWanted(true, 6), true);
});
