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

// Where a corridor's stop number may sit, nearest first: px along its line from the stop, and beside it
// (lines that share a stretch, as two do from 武汉 to 鄂州, would otherwise stack their numbers).
const ALONG = [18, 28, 38, 48, 58, 72, 86, 100];
const BESIDE = [0, 18, -18];

/**
 * Where each corridor stop number goes, pure. `badges`: [{x, y, dx, dy, size}] (the stop on screen and the
 * unit direction of its line there); `taken`: boxes already used (names, controls, symbols, the
 * selection). Each number takes the nearest free spot along (or beside) its line and is then taken itself, so that
 * corridors sharing a city spread their numbers. A number is never dropped: with no free spot it keeps the
 * nearest one. Returns the offsets [{dx, dy}] from each stop, in the order given.
 */
export function placeAlongLines(badges, taken = [], pad = 1) {
  const used = [...taken];
  return badges.map((badge) => {
    // Forward along the line first, then behind the stop (beyond a corridor's last stop the way is clear).
    const spots = ALONG.flatMap((along) => [along, -along]).flatMap((along) =>
      BESIDE.map((beside) => ({ dx: badge.dx * along - badge.dy * beside, dy: badge.dy * along + badge.dx * beside })),
    );
    const boxOfSpot = (spot) => boxAt(badge.x + spot.dx, badge.y + spot.dy, badge.size, badge.size, pad);
    const spot = spots.find((candidate) => !used.some((other) => overlaps(boxOfSpot(candidate), other))) || spots[0];
    used.push(boxOfSpot(spot));
    return spot;
  });
}
