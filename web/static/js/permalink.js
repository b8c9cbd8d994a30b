// The page's state and its permalink, pure. The address bar's hash holds everything needed to show the
// same page again: language, view, filters, county toggle and selection. Parsing takes any string (links
// are typed, truncated and old) and keeps only what it understands.
//
//   #lang=en&map=8/30.5000/114.3000&sector=cranes&kinds=cluster,base&plan=2021&status=existing&counties=1&sel=e:ID
//   &plans=fyp2021,wuhan-2025 (the plans chosen in the picker, plans.js; absent: the default choice)
//
// Defaults are left out, so that the link of the first view is short.

import { KINDS } from "../i18n.js";
import { parsePlans, plansQuery } from "./plans.js";
import { PLANS, STATUSES, noFilters } from "./visibility.js";

/** The state of a page opened without a hash. */
export function initialState() {
  return { lang: "zh", ...noFilters(), plans: null, counties: false, selection: null };
}

/** The query of /downloads that gives what the filters show (the server applies the same filters). */
export function filterParams(filters) {
  const params = new URLSearchParams();
  if (filters.sector) params.set("sector", filters.sector);
  const kinds = KINDS.filter((kind) => filters.kinds.has(kind));
  if (kinds.length !== KINDS.length) params.set("kind", kinds.join(","));
  if (filters.plan) params.set("plan", filters.plan);
  if (filters.status) params.set("status", filters.status);
  if (plansQuery(filters.plans)) params.set("plans", plansQuery(filters.plans)); // what is loaded is what is shown
  return params;
}

/** `e:ID` (an entity) or `p:ADCODE` (a place); anything else selects nothing. */
function parseSelection(text) {
  const match = /^([ep]):(.+)$/.exec(text ?? "");
  if (!match) return null;
  if (match[1] === "p" && !/^\d+$/.test(match[2])) return null;
  return { type: match[1] === "p" ? "place" : "entity", id: match[2] };
}

/** `zoom/lat/lng`, inside the world; anything else leaves the view to the page. */
function parseView(text) {
  const parts = (text ?? "").split("/");
  if (parts.length !== 3 || parts.some((part) => part.trim() === "")) return null;
  const [zoom, lat, lng] = parts.map(Number);
  const ok = [zoom, lat, lng].every(Number.isFinite) && zoom >= 0 && zoom <= 22 && Math.abs(lat) <= 90 && Math.abs(lng) <= 180;
  return ok ? { zoom, lat, lng } : null;
}

const pick = (value, choices) => (choices.includes(value) ? value : "");

/** `{state, view}` from a hash (with or without its `#`); view is null when the hash holds none. */
export function parseHash(hash) {
  const params = new URLSearchParams(String(hash ?? "").replace(/^#/, ""));
  const kinds = params.get("kinds");
  const state = {
    lang: params.get("lang") === "en" ? "en" : "zh",
    sector: params.get("sector") || "",
    kinds: kinds === null ? new Set(KINDS) : new Set(kinds.split(",").filter((kind) => KINDS.includes(kind))),
    plan: pick(params.get("plan"), PLANS),
    status: pick(params.get("status"), STATUSES),
    plans: parsePlans(params.get("plans")),
    counties: params.get("counties") === "1",
    selection: parseSelection(params.get("sel")),
  };
  return { state, view: parseView(params.get("map")) };
}

/** The hash (with its `#`) of a state and a view ({zoom, lat, lng}, or null for none). */
export function serialiseHash(state, view) {
  const params = new URLSearchParams();
  if (state.lang === "en") params.set("lang", "en");
  if (view) params.set("map", `${view.zoom}/${view.lat.toFixed(4)}/${view.lng.toFixed(4)}`);
  for (const [key, value] of filterParams(state)) params.set(key === "kind" ? "kinds" : key, value);
  if (state.counties) params.set("counties", "1");
  if (state.selection) params.set("sel", `${state.selection.type === "place" ? "p" : "e"}:${state.selection.id}`);
  return `#${readable(params)}`;
}

/**
 * The parameters as a fragment people can read (`map=8/30.5/114.3`, `kinds=cluster,base`, `sel=p:420600`):
 * "/", ":" and "," may stand as they are in a fragment (RFC 3986), so a shared link and its QR code are
 * shorter and say what they show. Parsing reads either spelling (old links keep working).
 */
function readable(params) {
  return params.toString().replace(/%2F/gi, "/").replace(/%3A/gi, ":").replace(/%2C/gi, ",");
}

/**
 * Whether going from state `before` to `after` is a step the browser's Back should undo: another
 * selection or other filters. A moved map, the language and the county toggle only rewrite the entry.
 */
export function isNavigation(before, after) {
  const key = (state) => serialiseHash({ ...state, lang: "zh", counties: false }, null);
  return key(before) !== key(after);
}

/** A copy of the state that later changes to the state do not touch (kinds is a Set). */
export function snapshot(state) {
  return { ...state, kinds: new Set(state.kinds), plans: state.plans ? [...state.plans] : null, selection: state.selection ? { ...state.selection } : null };
}
