// Label placement: greedy by priority, never two boxes overlapping, nothing over what is blocked.
import assert from "node:assert/strict";
import { test } from "node:test";

import { overlaps } from "../static/js/geometry.js";
import { placeLabels } from "../static/js/labels.js";

const view = { left: 0, top: 0, right: 400, bottom: 300 };

test("labels far apart stay on their anchors", () => {
  const placed = placeLabels([{ id: "a", priority: 0, x: 50, y: 50, w: 30, h: 14 }, { id: "b", priority: 0, x: 200, y: 200, w: 30, h: 14 }], [], view);
  assert.deepEqual(placed.map(({ id, x, y }) => [id, x, y]), [["a", 50, 50], ["b", 200, 200]]);
});

test("a label crowded off its anchor moves to a free side", () => {
  const placed = placeLabels([{ id: "a", priority: 0, x: 100, y: 100, w: 30, h: 14 }, { id: "b", priority: 1, x: 105, y: 104, w: 30, h: 14 }], [], view);
  assert.equal(placed.length, 2);
  assert.ok(!overlaps(placed[0].box, placed[1].box));
  assert.deepEqual([placed[0].x, placed[0].y], [100, 100]);
});

test("when no position is free the lower priority is dropped, and blocked boxes are kept clear", () => {
  const blocked = [
    { left: 0, top: 0, right: 400, bottom: 90 },
    { left: 0, top: 110, right: 400, bottom: 300 },
    { left: 0, top: 0, right: 80, bottom: 300 },
    { left: 120, top: 0, right: 400, bottom: 300 },
  ];
  const placed = placeLabels([{ id: "low", priority: 5, x: 100, y: 100, w: 30, h: 14 }, { id: "high", priority: 1, x: 100, y: 100, w: 30, h: 14 }], blocked, view);
  assert.deepEqual(placed.map((each) => each.id), ["high"]);
  assert.ok(placed.every((label) => blocked.every((box) => !overlaps(label.box, box))));
});

test("labels stay inside the view", () => {
  const placed = placeLabels([{ id: "edge", priority: 0, x: 2, y: 150, w: 30, h: 14 }], [], view);
  assert.ok(placed[0].box.left >= 0);
});
