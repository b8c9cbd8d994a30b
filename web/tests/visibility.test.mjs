// What a filter state shows, without a map: a small catalogue shaped as the store publishes it.
import assert from "node:assert/strict";
import { test } from "node:test";

import { KINDS } from "../static/i18n.js";
import {
  DRAW_ORDER,
  facetCounts,
  filtersActive,
  inDrawOrder,
  indexSectors,
  isVisible,
  noFilters,
  planYears,
  sectorsCarried,
  splitByVisibility,
  topSectors,
  unknownSector,
  visibleEntities,
} from "../static/js/visibility.js";

// Two top-level sectors; "auto" has a sub-sector with a sub-sector of its own.
const TREE = [
  {
    id: "auto",
    colour: "#1f77b4",
    descendants: ["auto", "auto-parts", "auto-parts-engines"],
    children: [
      {
        id: "auto-parts",
        descendants: ["auto-parts", "auto-parts-engines"],
        children: [{ id: "auto-parts-engines", descendants: ["auto-parts-engines"], children: [] }],
      },
    ],
  },
  { id: "cranes", colour: "#ff7f0e", descendants: ["cranes"], children: [] },
];
const SECTORS = indexSectors(TREE);

const entity = (id, kind, sectors, plans, status, extra = {}) => ({
  id,
  kind,
  sectors,
  top_sector: sectors[0].split("-")[0],
  plans,
  status,
  province_wide: false,
  ...extra,
});
const ENTITIES = [
  entity("corridor", "corridor", ["auto"], [2021], "existing"),
  entity("engines", "cluster", ["auto-parts-engines"], [2021, 2014], "planned"),
  entity("parts-base", "base", ["auto-parts"], [2014], "existing"),
  entity("crane-cluster", "cluster", ["cranes"], [2021], "existing"),
  entity("crane-lab", "platform", ["cranes", "auto"], [2014], "planned", { top_sector: "cranes" }),
  entity("everywhere", "specialisation", ["cranes"], [2021], "planned", { province_wide: true }),
];
const ids = (entities) => entities.map((e) => e.id);
const shown = (filters) => ids(visibleEntities(ENTITIES, { ...noFilters(), ...filters }, SECTORS).shown);

test("every sector is indexed, sub-sectors of sub-sectors too", () => {
  assert.deepEqual([...SECTORS.keys()], ["auto", "auto-parts", "auto-parts-engines", "cranes"]);
  assert.equal(SECTORS.get("auto-parts-engines").descendants[0], "auto-parts-engines");
});

test("no filters show everything", () => {
  assert.deepEqual(shown({}), ids(ENTITIES));
});

test("a sector shows the entities of its descendants as published", () => {
  assert.deepEqual(shown({ sector: "auto" }), ["corridor", "engines", "parts-base", "crane-lab"]);
  assert.deepEqual(shown({ sector: "auto-parts" }), ["engines", "parts-base"]);
  assert.deepEqual(shown({ sector: "auto-parts-engines" }), ["engines"]);
  assert.deepEqual(shown({ sector: "cranes" }), ["crane-cluster", "crane-lab", "everywhere"]);
});

test("a sector's published descendants decide, not the tree's shape", () => {
  const narrowed = indexSectors([{ ...TREE[0], descendants: ["auto"] }, TREE[1]]);
  assert.deepEqual(ids(visibleEntities(ENTITIES, { ...noFilters(), sector: "auto" }, narrowed).shown), ["corridor", "crane-lab"]);
});

test("an unknown sector (an old link) shows only entities that carry it exactly", () => {
  assert.deepEqual(shown({ sector: "no-such-sector" }), []);
  const odd = [entity("odd", "cluster", ["gone"], [2021], "existing")];
  assert.deepEqual(ids(visibleEntities(odd, { ...noFilters(), sector: "gone" }, SECTORS).shown), ["odd"]);
});

test("kinds: only the kinds ticked; none ticked shows nothing", () => {
  assert.deepEqual(shown({ kinds: new Set(["cluster"]) }), ["engines", "crane-cluster"]);
  assert.deepEqual(shown({ kinds: new Set(["corridor", "platform"]) }), ["corridor", "crane-lab"]);
  assert.deepEqual(shown({ kinds: new Set() }), []);
});

test("plan: entities the chosen plan names, whatever else names them", () => {
  assert.deepEqual(shown({ plan: "2014" }), ["engines", "parts-base", "crane-lab"]);
  assert.deepEqual(shown({ plan: "2021" }), ["corridor", "engines", "crane-cluster", "everywhere"]);
});

test("status: existing or planned", () => {
  assert.deepEqual(shown({ status: "existing" }), ["corridor", "parts-base", "crane-cluster"]);
  assert.deepEqual(shown({ status: "planned" }), ["engines", "crane-lab", "everywhere"]);
});

test("filters combine: all must hold", () => {
  assert.deepEqual(shown({ sector: "auto", plan: "2014", status: "planned", kinds: new Set(["platform", "cluster"]) }), ["engines", "crane-lab"]);
  assert.deepEqual(shown({ sector: "cranes", kinds: new Set(["base"]) }), []);
  assert.equal(isVisible(ENTITIES[0], { ...noFilters(), plan: "2014" }, SECTORS), false);
  assert.equal(isVisible(ENTITIES[0], noFilters(), SECTORS), true);
});

test("province-wide entities are listed but not drawn", () => {
  const visible = visibleEntities(ENTITIES, { ...noFilters(), sector: "cranes" }, SECTORS);
  assert.deepEqual(ids(visible.onMap), ["crane-cluster", "crane-lab"]);
  assert.deepEqual(ids(visible.provinceWide), ["everywhere"]);
  assert.equal(visible.shown.length, visible.onMap.length + visible.provinceWide.length);
});

test("the same objects come back, so a caller can find their features", () => {
  const visible = visibleEntities(ENTITIES, noFilters(), SECTORS);
  assert.ok(visible.shown.every((e, i) => e === ENTITIES[i]));
});

test("areas are drawn under lines under points, each kind in the order given", () => {
  assert.deepEqual([...DRAW_ORDER].sort(), [...KINDS].sort());
  const order = inDrawOrder(ENTITIES);
  assert.deepEqual(ids(order), ["everywhere", "engines", "crane-cluster", "corridor", "parts-base", "crane-lab"]);
  assert.deepEqual(ids(ENTITIES)[0], "corridor"); // a copy: the input is left as it was
  const features = ENTITIES.map((properties) => ({ properties }));
  assert.deepEqual(inDrawOrder(features, (f) => f.properties.kind).map((f) => f.properties.id), ids(order));
});

test("the legend's sectors are the top sectors of what is shown", () => {
  assert.deepEqual([...topSectors(visibleEntities(ENTITIES, { ...noFilters(), sector: "auto-parts" }, SECTORS).shown)], ["auto"]);
  assert.deepEqual([...topSectors(ENTITIES)].sort(), ["auto", "cranes"]);
});

test("facet counts: each choice counted with the other filters as they are", () => {
  const counts = facetCounts(ENTITIES, { ...noFilters(), plan: "2014" }, SECTORS);
  // kinds under plan 2014
  assert.equal(counts.kinds.get("cluster"), 1);
  assert.equal(counts.kinds.get("base"), 1);
  assert.equal(counts.kinds.get("platform"), 1);
  assert.equal(counts.kinds.get("corridor"), 0);
  // plans ignore the plan filter itself
  assert.deepEqual(Object.fromEntries(counts.plans), { 2021: 4, 2014: 3 });
  assert.deepEqual(Object.fromEntries(counts.statuses), { existing: 1, planned: 2 });
  // sectors count their descendants' entities
  assert.deepEqual(Object.fromEntries(counts.sectors), { auto: 3, "auto-parts": 2, "auto-parts-engines": 1, cranes: 1 });
});

test("facet counts of a sector choice follow the sector for the other facets", () => {
  const counts = facetCounts(ENTITIES, { ...noFilters(), sector: "cranes", kinds: new Set(["cluster", "platform"]) }, SECTORS);
  assert.deepEqual(Object.fromEntries(counts.kinds), { cluster: 1, corridor: 0, city_group: 0, specialisation: 1, base: 0, platform: 1 });
  // the sectors under the kinds ticked: the engines cluster and the crane lab are auto's
  assert.deepEqual(Object.fromEntries(counts.sectors), { auto: 2, "auto-parts": 1, "auto-parts-engines": 1, cranes: 2 });
});

test("filters are active when any of them narrows; none are after noFilters", () => {
  assert.equal(filtersActive(noFilters()), false);
  for (const change of [{ sector: "auto" }, { plan: "2014" }, { status: "planned" }, { kinds: new Set(["cluster"]) }]) {
    assert.equal(filtersActive({ ...noFilters(), ...change }), true, JSON.stringify(change));
  }
});

test("an unknown sector is told apart from a known one and from none", () => {
  assert.equal(unknownSector({ ...noFilters(), sector: "no-such-sector" }, SECTORS), true);
  assert.equal(unknownSector({ ...noFilters(), sector: "auto-parts-engines" }, SECTORS), false);
  assert.equal(unknownSector(noFilters(), SECTORS), false);
});

test("a profile's entities split by the same rule as the list: shown and hidden, none lost, order kept", () => {
  const filters = { ...noFilters(), plan: "2014" };
  const { visible, hidden } = splitByVisibility(ENTITIES, filters, SECTORS);
  assert.deepEqual(ids(visible), ids(visibleEntities(ENTITIES, filters, SECTORS).shown));
  assert.deepEqual(ids(visible), ["engines", "parts-base", "crane-lab"]);
  assert.deepEqual(ids(hidden), ["corridor", "crane-cluster", "everywhere"]);
  assert.deepEqual(splitByVisibility(ENTITIES, noFilters(), SECTORS).hidden, []);
});

test("a profile's sector chips are the sectors its shown entities carry, ancestors included", () => {
  const place = [{ id: "auto" }, { id: "auto-parts" }, { id: "auto-parts-engines" }, { id: "cranes" }, { id: "gone" }];
  const carried = (entities) => ids(sectorsCarried(place, entities, SECTORS));
  assert.deepEqual(carried([ENTITIES[1]]), ["auto", "auto-parts", "auto-parts-engines"]); // engines only
  assert.deepEqual(carried([ENTITIES[3]]), ["cranes"]);
  assert.deepEqual(carried([]), []);
  assert.deepEqual(carried([entity("odd", "cluster", ["gone"], [2021], "existing")]), ["gone"]); // unknown: itself
});

test("an entity's plan years, newest first, once each", () => {
  assert.deepEqual(planYears({ plans: [2014, 2021, 2014] }), ["2021", "2014"]);
  assert.deepEqual(planYears({ plans: [] }), []);
  assert.deepEqual(planYears({}), []);
});
