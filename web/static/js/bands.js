// Zoom bands, pure. The server generalises outlines per band (config.bands: name and highest zoom);
// the page fetches finer geometry only when the map is zoomed into a finer band.

// Above every band the server sends its full detail; asking for this zoom gets it.
export const FULL_BAND = "full";
export const FINEST_ZOOM = 22;
// From this zoom county boundaries are drawn whether or not the toggle asks for them.
export const COUNTY_ZOOM = 9;

/** The band that serves a map zoom (a fractional zoom belongs to the band of its whole part). */
export function bandOf(bands, zoom) {
  return bands.find((band) => Math.floor(zoom) <= band.max_zoom)?.name ?? FULL_BAND;
}

/** The zoom to ask the server for to get a band's geometry. */
export function bandZoom(bands, name) {
  return bands.find((band) => band.name === name)?.max_zoom ?? FINEST_ZOOM;
}

/** Whether county boundaries belong on the map: asked for, or zoomed in far enough. */
export function countiesWanted(toggled, zoom) {
  return toggled || zoom >= COUNTY_ZOOM;
}
