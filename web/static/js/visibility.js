// Which entities a filter state shows, pure. Every view of the entities (list, counts, map, legend,
// downloads' query) asks here, so that they cannot disagree.
//
// An entity is the `properties` of a feature of the clusters layer as the store publishes them: id, kind,
// sectors, top_sector, plans (years), status, province_wide, colour. A sector node is one of
// /api/sectors: id, colour, children and descendants (itself first). None of these is worked out here.
// Filters: {sector: "" | id, kinds: Set, plan: "" | "2021" | "2014", status: "" | "existing" | "planned"}.

import { KINDS } from "../i18n.js";

// The choices of the plan and status filters ("" is all).
export const PLANS = ["2021", "2014"];
export const STATUSES = ["existing", "planned"];

/** Filters that show everything. */
export function noFilters() {
  return { sector: "", kinds: new Set(KINDS), plan: "", status: "" };
}

/** Every sector node of the tree by id, sub-sectors included. */
export function indexSectors(tree) {
  const sectors = new Map();
  const walk = (node) => {
    sectors.set(node.id, node);
    node.children.forEach(walk);
  };
  tree.forEach(walk);
  return sectors;
}

function inSector(entity, sector, sectors) {
  if (!sector) return true;
  // An unknown sector (from an old link) selects nothing but itself.
  const wanted = sectors.get(sector)?.descendants ?? [sector];
  return entity.sectors.some((id) => wanted.includes(id));
}

// Each test leaves one filter out, so that facet counts can apply all the others.
const TESTS = {
  kinds: (entity, filters) => filters.kinds.has(entity.kind),
  plan: (entity, filters) => !filters.plan || entity.plans.includes(Number(filters.plan)),
  status: (entity, filters) => !filters.status || entity.status === filters.status,
  sector: (entity, filters, sectors) => inSector(entity, filters.sector, sectors),
};

function passes(entity, filters, sectors, except = null) {
  return Object.entries(TESTS).every(([name, test]) => name === except || test(entity, filters, sectors));
}

/** Whether the filters show this entity (in the list, and on the map unless it is province-wide). */
export function isVisible(entity, filters, sectors) {
  return passes(entity, filters, sectors);
}

/** The entities the filters show, in the given order: all, those drawn, those listed as province-wide. */
export function visibleEntities(entities, filters, sectors) {
  const shown = entities.filter((entity) => isVisible(entity, filters, sectors));
  return {
    shown,
    onMap: shown.filter((entity) => !entity.province_wide),
    provinceWide: shown.filter((entity) => entity.province_wide),
  };
}

// Areas under lines under points, so that every symbol stays clickable.
export const DRAW_ORDER = ["city_group", "specialisation", "cluster", "corridor", "base", "platform"];

/** A copy of `items` in drawing order (stable within a kind); `kindOf` finds an item's kind. */
export function inDrawOrder(items, kindOf = (item) => item.kind) {
  const rank = (item) => DRAW_ORDER.indexOf(kindOf(item));
  return [...items].sort((a, b) => rank(a) - rank(b));
}

/** The top-level sectors of the given entities (what a legend of their colours needs). */
export function topSectors(entities) {
  return new Set(entities.map((entity) => entity.top_sector));
}

/**
 * How many entities each choice of a filter would show, with the other filters as they are:
 * {kinds, plans, statuses, sectors}, each a Map from choice to count. A sector counts the entities of its
 * descendants; plans are keyed by year as a string ("2021"), as the filter holds them.
 */
export function facetCounts(entities, filters, sectors) {
  const count = (except, choices, filtersFor) => {
    const candidates = entities.filter((entity) => passes(entity, filters, sectors, except));
    return new Map(
      choices.map((choice) => [
        choice,
        candidates.filter((entity) => TESTS[except](entity, filtersFor(choice), sectors)).length,
      ]),
    );
  };
  return {
    kinds: count("kinds", KINDS, (kind) => ({ kinds: new Set([kind]) })),
    plans: count("plan", PLANS, (plan) => ({ plan })),
    statuses: count("status", STATUSES, (status) => ({ status })),
    sectors: count("sector", [...sectors.keys()], (sector) => ({ sector })),
  };
}

/** Whether any filter narrows what is shown (what "clear filters" would undo). */
export function filtersActive(filters) {
  return Boolean(filters.sector || filters.plan || filters.status || KINDS.some((kind) => !filters.kinds.has(kind)));
}

/** Whether the filters name a sector the catalogue does not have (an old or mistyped link). */
export function unknownSector(filters, sectors) {
  return Boolean(filters.sector) && !sectors.has(filters.sector);
}

/**
 * A profile's entities split by the one rule: `visible` as the list and the map show them, `hidden` those
 * the filters leave out (a profile shows them apart, marked, never mixed in). Order is kept.
 */
export function splitByVisibility(entities, filters, sectors) {
  const visible = [];
  const hidden = [];
  for (const entity of entities) (isVisible(entity, filters, sectors) ? visible : hidden).push(entity);
  return { visible, hidden };
}

/**
 * The sectors of `candidates` (e.g. a place's sector list, each {id, …}) that some of `entities` carries,
 * itself or as an ancestor of a sector it carries: a profile's sector chips follow what it shows.
 */
export function sectorsCarried(candidates, entities, sectors) {
  const carried = new Set(entities.flatMap((entity) => entity.sectors));
  return candidates.filter((sector) => (sectors.get(sector.id)?.descendants ?? [sector.id]).some((id) => carried.has(id)));
}

/** The plan years an entity comes from, newest first ("2021", "2014"), from its published `plans`. */
export function planYears(entity) {
  return [...new Set(entity.plans ?? [])].sort((a, b) => b - a).map(String);
}
