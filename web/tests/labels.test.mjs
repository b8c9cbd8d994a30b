// Label placement: greedy by priority, never two boxes overlapping, nothing over what is blocked.
import assert from "node:assert/strict";
import { test } from "node:test";

import { overlaps } from "../static/js/geometry.js";
import { placeAlongLines, placeLabels } from "../static/js/labels.js";

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

test("stop numbers move along their line to a free spot, and beside it when lines share a stretch", () => {
  const east = { x: 100, y: 100, dx: 1, dy: 0, size: 16 };
  // The nearest spot along the line is free.
  assert.deepEqual(placeAlongLines([east]), [{ dx: 18, dy: 0 }]);
  // A name on that spot moves the number beside its line; a name across the line ahead, behind the stop;
  // names across both, further along.
  const name = { left: 110, top: 92, right: 124, bottom: 108 };
  assert.deepEqual(placeAlongLines([east], [name]), [{ dx: 18, dy: 18 }]);
  const across = { left: 108, top: 60, right: 124, bottom: 140 };
  assert.deepEqual(placeAlongLines([east], [across]), [{ dx: -18, dy: 0 }]);
  const behind = { left: 76, top: 60, right: 92, bottom: 140 };
  assert.deepEqual(placeAlongLines([east], [across, behind]), [{ dx: 38, dy: 0 }]);
  // Two lines leaving the same stop in the same direction: the second number goes beside its line.
  const [first, second] = placeAlongLines([east, { ...east }]);
  assert.deepEqual(first, { dx: 18, dy: 0 });
  assert.equal(second.dx, 18);
  assert.equal(Math.abs(second.dy), 18);
  // Nowhere free: the number is kept at the nearest spot rather than dropped.
  const wall = { left: -1000, top: -1000, right: 1000, bottom: 1000 };
  assert.deepEqual(placeAlongLines([east], [wall]), [{ dx: 18, dy: 0 }]);
});
