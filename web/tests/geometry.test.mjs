// Hit tests, label points and the padding that keeps a fitted view clear of the legend and the panel.
import assert from "node:assert/strict";
import { test } from "node:test";

import { inGeometry, lineDistance, paddingFor } from "../static/js/geometry.js";

const square = { type: "Polygon", coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]] };

test("points in polygons, holes excluded", () => {
  assert.ok(inGeometry([1, 1], square));
  assert.ok(!inGeometry([5, 5], square));
  assert.ok(!inGeometry([11, 1], square));
  assert.ok(inGeometry([1, 1], { type: "MultiPolygon", coordinates: [square.coordinates] }));
});

test("distance to a line", () => {
  assert.equal(lineDistance([5, 3], [[0, 0], [10, 0]]), 3);
  assert.equal(lineDistance([-4, 3], [[0, 0], [10, 0]]), 5);
});

test("a legend in the bottom-right corner pads the narrower side", () => {
  const map = { left: 390, top: 0, right: 1440, bottom: 900 };
  const legend = { left: 1190, top: 500, right: 1430, bottom: 890 };
  const padding = paddingFor(map, [legend], 10);
  assert.equal(padding.right, 1440 - 1190 + 10);
  assert.equal(padding.bottom, 10);
  // The panel beside the map covers none of it.
  assert.deepEqual(paddingFor(map, [{ left: 0, top: 0, right: 390, bottom: 900 }], 10), { top: 10, right: 10, bottom: 10, left: 10 });
});

test("a box over nearly all the map still leaves room to fit into", () => {
  const map = { left: 0, top: 0, right: 390, bottom: 400 };
  const padding = paddingFor(map, [{ left: 0, top: 20, right: 380, bottom: 400 }], 8);
  assert.ok(padding.top + padding.bottom <= 400 * 0.6 + 1e-9);
});
