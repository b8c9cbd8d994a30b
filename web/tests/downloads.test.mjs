// The download buttons without a browser: they ask /downloads for exactly what the page shows.
import assert from "node:assert/strict";
import { test } from "node:test";

import { DOWNLOAD_FORMATS, downloadLinks, downloadParams } from "../static/js/downloads.js";
import { initialState } from "../static/js/permalink.js";

test("the list's downloads carry the filters, and nothing when nothing is filtered", () => {
  const { hrefs, reason } = downloadLinks(initialState(), 56);
  assert.equal(reason, null);
  assert.deepEqual(hrefs, { geojson: "/downloads/clusters.geojson", csv: "/downloads/clusters.csv", xlsx: "/downloads/clusters.xlsx" });
  const filtered = { ...initialState(), sector: "auto", kinds: new Set(["cluster", "base"]), plan: "2021", status: "existing" };
  assert.equal(downloadLinks(filtered, 3).hrefs.xlsx, "/downloads/clusters.xlsx?sector=auto&kind=cluster%2Cbase&plan=2021&status=existing");
});

test("an open place's profile adds its place; an open entity's leaves the list's filters", () => {
  const place = { ...initialState(), plan: "2021", selection: { type: "place", id: "420600" } };
  assert.deepEqual(Object.fromEntries(downloadParams(place)), { plan: "2021", place: "420600" });
  assert.equal(downloadLinks(place, 9).hrefs.csv, "/downloads/clusters.csv?plan=2021&place=420600");
  const entity = { ...initialState(), selection: { type: "entity", id: "xianning-crane-cluster" } };
  assert.equal(downloadParams(entity).toString(), "");
});

test("nothing shown, nothing to download, and the reason why", () => {
  const none = { ...initialState(), kinds: new Set() };
  assert.deepEqual(downloadLinks(none, 0), { hrefs: null, reason: "downloadNothing" });
  // A profile still on its way (count unknown) keeps the links: the server applies the same rule.
  assert.ok(downloadLinks({ ...initialState(), selection: { type: "place", id: "420600" } }, null).hrefs);
});

test("every format has its button and its words", () => {
  assert.deepEqual(DOWNLOAD_FORMATS.map(({ format }) => format), ["geojson", "csv", "xlsx"]);
  assert.equal(new Set(DOWNLOAD_FORMATS.map(({ id }) => id)).size, DOWNLOAD_FORMATS.length);
});
