// What the download buttons give, pure: exactly what the page shows. The list shows what the filters let
// through (visibility.js); a place's profile shows what the filters let through at that place. The server
// applies the same filters (/downloads takes sector, kind, plan, status and place, with the place's rule
// the profile follows), so the page only says which; and with nothing shown there is nothing to download.

import { filterParams } from "./permalink.js";

// The formats the page offers, with their button's id and label (i18n key).
export const DOWNLOAD_FORMATS = [
  { format: "geojson", id: "dl-geojson", label: "downloadGeojson" },
  { format: "csv", id: "dl-csv", label: "downloadCsv" },
  { format: "xlsx", id: "dl-xlsx", label: "downloadXlsx" },
];

/** The query of /downloads for what is shown: the filters, and the place whose profile is open. */
export function downloadParams(state) {
  const params = filterParams(state);
  if (state.selection?.type === "place") {
    params.set("place", state.selection.id);
    // A place's profile shows what every plan puts there (the plan choice, plans.js, narrows what the map
    // loads, not what a profile says), so its file does too.
    params.delete("plans");
  }
  return params;
}

/**
 * The download links for a state and the number of entities it shows (`shown`; null while a profile is
 * still on its way): `{hrefs: {format: href}, reason: null}`, or `{hrefs: null, reason}` when there is
 * nothing to download — `reason` is the i18n key that says why.
 */
export function downloadLinks(state, shown, layer = "clusters") {
  if (shown === 0) return { hrefs: null, reason: "downloadNothing" };
  const params = downloadParams(state).toString();
  const query = params ? `?${params}` : "";
  const hrefs = Object.fromEntries(DOWNLOAD_FORMATS.map(({ format }) => [format, `/downloads/${layer}.${format}${query}`]));
  return { hrefs, reason: null };
}
