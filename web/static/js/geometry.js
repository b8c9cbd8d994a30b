// Plane geometry the map needs, pure: what lies under a click (points in polygons, distances to lines and
// symbols, in screen pixels), where an area's label goes, and how much of the map the panel and the legend
// hide. Boxes are {left, top, right, bottom} in one coordinate system (screen pixels or lon/lat).

/** Whether [x, y] is inside a ring ([[x, y], …], closed or not), by the even-odd rule. */
export function inRing([x, y], ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether [lon, lat] is inside a GeoJSON Polygon or MultiPolygon (holes respected). */
export function inGeometry(point, geometry) {
  if (!geometry) return false;
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
  return polygons.some(([outer, ...holes]) => inRing(point, outer) && !holes.some((hole) => inRing(point, hole)));
}

/** The distance from point p to the segment a–b (all [x, y]). */
export function segmentDistance([px, py], [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const length = dx * dx + dy * dy;
  const t = length ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length)) : 0;
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** The distance from p to a polyline ([[x, y], …]). */
export function lineDistance(p, line) {
  if (line.length === 1) return Math.hypot(p[0] - line[0][0], p[1] - line[0][1]);
  let best = Infinity;
  for (let i = 1; i < line.length; i++) best = Math.min(best, segmentDistance(p, line[i - 1], line[i]));
  return best;
}

export const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/**
 * The padding (in pixels, {top, right, bottom, left}) that keeps a fitted view clear of the boxes lying
 * over the map (the legend, a panel drawn over it on a phone). Each box is taken out as a strip along the
 * side where it costs the map least, plus `margin`. All boxes are in screen pixels, the map's included.
 */
export function paddingFor(mapBox, obstacles, margin = 12) {
  const padding = { top: margin, right: margin, bottom: margin, left: margin };
  const width = mapBox.right - mapBox.left;
  const height = mapBox.bottom - mapBox.top;
  for (const box of obstacles) {
    if (!box || !overlaps(box, mapBox)) continue;
    const strips = {
      top: (box.bottom - mapBox.top) * width,
      bottom: (mapBox.bottom - box.top) * width,
      left: (box.right - mapBox.left) * height,
      right: (mapBox.right - box.left) * height,
    };
    const side = Object.keys(strips).reduce((best, each) => (strips[each] < strips[best] ? each : best));
    const depth = { top: box.bottom - mapBox.top, bottom: mapBox.bottom - box.top, left: box.right - mapBox.left, right: mapBox.right - box.left }[side];
    padding[side] = Math.max(padding[side], depth + margin);
  }
  // A box that covers nearly all the map (a phone's open legend) must not leave nothing to fit into.
  for (const [a, b, size] of [["left", "right", width], ["top", "bottom", height]]) {
    const excess = padding[a] + padding[b] - size * 0.6;
    if (excess > 0) {
      const share = padding[a] / (padding[a] + padding[b]);
      padding[a] -= excess * share;
      padding[b] -= excess * (1 - share);
    }
  }
  return padding;
}

/**
 * A compact outline as GeoJSON: the standalone map (app/standalone_map.py, _compact) writes each ring of a
 * Polygon or MultiPolygon as integers (`scale` per degree), each point as its step from the one before,
 * in `delta`; this sums them back. Any other geometry is returned as it is.
 */
export function expandOutline(geometry) {
  if (!geometry?.delta) return geometry;
  const ring = (steps) => {
    const points = [];
    for (let i = 0, x = 0, y = 0; i < steps.length; i += 2) {
      x += steps[i];
      y += steps[i + 1];
      points.push([x / geometry.scale, y / geometry.scale]);
    }
    return points;
  };
  const polygon = (rings) => rings.map(ring);
  return { type: geometry.type, coordinates: geometry.type === "Polygon" ? polygon(geometry.delta) : geometry.delta.map(polygon) };
}
