// Place-name labels without collisions, pure. Leaflet has none of its own: after every zoom or move the map
// measures each label's box in screen pixels and asks here which labels to show and where. Greedy by
// priority: a label takes the first of its candidate positions (on its anchor, then above, below, right,
// left) that stays inside the view and clear of the boxes already taken (labels placed before it, the
// selection, the legend); a label with no free position is dropped.

import { overlaps } from "./geometry.js";

// Offsets of a label's centre from its anchor, in units of its own half-size plus a gap.
const POSITIONS = [
  [0, 0],
  [0, -1],
  [0, 1],
  [1, 0],
  [-1, 0],
];
const GAP = 2;

/** The box of a label of size w×h centred at (x, y), grown by `pad` on every side. */
export function boxAt(x, y, w, h, pad = 0) {
  return { left: x - w / 2 - pad, top: y - h / 2 - pad, right: x + w / 2 + pad, bottom: y + h / 2 + pad };
}

/**
 * Which labels to show, and where. `labels`: [{id, priority, x, y, w, h}] (anchor and size in screen
 * pixels; a lower priority number wins); `blocked`: boxes no label may cover; `view`: the box labels must
 * stay in. Returns [{id, x, y, box}] for the labels shown (x, y: the centre), highest priority first.
 * `pad` keeps a little air between labels.
 */
export function placeLabels(labels, blocked = [], view = null, pad = 1) {
  const taken = [...blocked];
  const placed = [];
  const ordered = [...labels].sort((a, b) => a.priority - b.priority);
  for (const label of ordered) {
    for (const [dx, dy] of POSITIONS) {
      const x = label.x + dx * (label.w / 2 + label.h / 2 + GAP);
      const y = label.y + dy * (label.h + GAP);
      const box = boxAt(x, y, label.w, label.h, pad);
      const inside = !view || (box.left >= view.left && box.right <= view.right && box.top >= view.top && box.bottom <= view.bottom);
      if (inside && !taken.some((other) => overlaps(box, other))) {
        taken.push(box);
        placed.push({ id: label.id, x, y, box });
        break;
      }
    }
  }
  return placed;
}
