// What the standalone map (atlas map) adds to the page's modules, without a browser: outlines written
// compactly by app/standalone_map.py read back as GeoJSON, and the API's answers taken from the file.
import assert from "node:assert/strict";
import { test } from "node:test";

import { answerLocally, getJSON, getJSONOrNull } from "../static/js/api.js";
import { expandOutline } from "../static/js/geometry.js";

test("a compact outline reads back as the GeoJSON it was written from", () => {
  // A square with a square hole, as _compact writes it: scale 1000, each point a step from the last.
  const polygon = { type: "Polygon", scale: 1000, delta: [[112000, 30000, 1000, 0, 0, 1000, -1000, 0, 0, -1000], [112250, 30250, 500, 0, 0, 500, -500, 0, 0, -500]] };
  assert.deepEqual(expandOutline(polygon), {
    type: "Polygon",
    coordinates: [
      [[112, 30], [113, 30], [113, 31], [112, 31], [112, 30]],
      [[112.25, 30.25], [112.75, 30.25], [112.75, 30.75], [112.25, 30.75], [112.25, 30.25]],
    ],
  });
  const multi = { type: "MultiPolygon", scale: 1000, delta: [[[1, 2, 3, 4]], [[-5, -6]]] };
  assert.deepEqual(expandOutline(multi).coordinates, [[[[0.001, 0.002], [0.004, 0.006]]], [[[-0.005, -0.006]]]]);
  const line = { type: "LineString", coordinates: [[114.3, 30.6], [113.9, 30.9]] };
  assert.equal(expandOutline(line), line); // lines are written as they are
  assert.equal(expandOutline(null), null);
});

test("answered locally, getJSON and getJSONOrNull read the file's answers by path, and an unknown one is a 404", async () => {
  const asked = [];
  answerLocally((path, params) => {
    asked.push([path, params.get("zoom")]);
    return path === "/api/plans" ? [{ id: "fyp2021" }] : undefined;
  });
  try {
    assert.deepEqual(await getJSON("/api/plans"), [{ id: "fyp2021" }]);
    assert.equal(await getJSONOrNull("/api/clusters/nothing"), null);
    await assert.rejects(getJSON("/api/map/clusters?zoom=22"), /404/);
    assert.deepEqual(asked, [["/api/plans", null], ["/api/clusters/nothing", null], ["/api/map/clusters", "22"]]);
  } finally {
    answerLocally(null);
  }
});
