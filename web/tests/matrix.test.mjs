// Compare places without a browser: how entities count for prefectures and sectors, and the ranking.
import assert from "node:assert/strict";
import { test } from "node:test";

import { KINDS } from "../static/i18n.js";
import { buildMatrix, matrixColumns, matrixParams, prefecturesOf, rankPlaces } from "../static/js/matrix.js";
import { indexSectors, noFilters } from "../static/js/visibility.js";

const TREE = [
  { id: "auto", plan_year: 2021, descendants: ["auto", "auto-parts"], children: [{ id: "auto-parts", descendants: ["auto-parts"], children: [] }] },
  { id: "cranes", plan_year: 2021, descendants: ["cranes"], children: [] },
  { id: "a14-robots", plan_year: 2014, descendants: ["a14-robots"], children: [] },
];
const SECTORS = indexSectors(TREE);
// adcode -> the highest level's place, as main.js keeps them; 429004 is a prefecture-level unit of its own.
const PLACES = new Map(
  [
    { adcode: 420000, level: "province", parent_adcode: null },
    { adcode: 420100, level: "prefecture", parent_adcode: 420000 },
    { adcode: 421300, level: "prefecture", parent_adcode: 420000 },
    { adcode: 421381, level: "county", parent_adcode: 421300 },
    { adcode: 429004, level: "prefecture", parent_adcode: 420000 },
  ].map((place) => [place.adcode, place]),
);
const entity = (id, kind, sectors, members, plans = [2021], status = "existing") => ({ id, kind, sectors, members, plans, status });
const ENTITIES = [
  entity("corridor", "corridor", ["auto"], [420100, 421300]), // two prefectures: counts in both
  entity("fans", "cluster", ["cranes", "auto-parts"], [421381]), // a county: counts for 随州, in two columns
  entity("wide", "base", ["auto"], [420000]), // province-wide
  entity("robots", "base", ["a14-robots", "auto"], [429004], [2014], "planned"),
  entity("lab", "platform", [], [420100]), // no sector: in the total only
];

const cell = (matrix, adcode, sector) => matrix.rows.find((row) => row.place.adcode === adcode).counts.get(sector);
const total = (matrix, adcode) => matrix.rows.find((row) => row.place.adcode === adcode).total;

test("a county counts for its prefecture; a province-wide entity for no prefecture", () => {
  assert.deepEqual([...prefecturesOf(ENTITIES[1], PLACES)], [421300]);
  assert.deepEqual([...prefecturesOf(ENTITIES[0], PLACES)], [420100, 421300]);
  assert.equal(prefecturesOf(ENTITIES[2], PLACES).size, 0);
});

test("each entity once per prefecture it lies in, in every top sector it carries", () => {
  const matrix = buildMatrix(ENTITIES, PLACES, matrixColumns(TREE, ""), noFilters(), SECTORS);
  assert.deepEqual(matrix.columns.map((column) => column.id), ["auto", "cranes", "a14-robots"]);
  assert.deepEqual(matrix.rows.map((row) => row.place.adcode), [420100, 421300, 429004]);
  assert.equal(cell(matrix, 420100, "auto"), 1);
  assert.equal(cell(matrix, 421300, "auto"), 2); // the corridor and the fans (through a sub-sector)
  assert.equal(cell(matrix, 421300, "cranes"), 1);
  assert.equal(total(matrix, 421300), 2); // each entity once, though its cells add up to 3
  assert.equal(total(matrix, 420100), 2); // the lab has no sector
  assert.equal(matrix.provinceWide.total, 1);
  assert.equal(matrix.provinceWide.counts.get("auto"), 1);
  assert.equal(matrix.sums.get("auto"), 4);
  assert.equal(matrix.entities, 5);
  assert.equal(matrix.placements, 2 + 1 + 1 + 1 + 1);
});

test("the plan chooses the columns and the entities; kinds and status filter as the list does", () => {
  const of2014 = buildMatrix(ENTITIES, PLACES, matrixColumns(TREE, "2014"), { ...noFilters(), plan: "2014" }, SECTORS);
  assert.deepEqual(of2014.columns.map((column) => column.id), ["a14-robots"]);
  assert.equal(cell(of2014, 429004, "a14-robots"), 1);
  assert.equal(of2014.entities, 1);
  const none = buildMatrix(ENTITIES, PLACES, matrixColumns(TREE, ""), { ...noFilters(), kinds: new Set() }, SECTORS);
  assert.equal(none.entities, 0);
  assert.equal(none.placements, 0);
  const planned = buildMatrix(ENTITIES, PLACES, matrixColumns(TREE, ""), { ...noFilters(), status: "planned" }, SECTORS);
  assert.equal(planned.entities, 1);
  assert.equal(cell(planned, 429004, "auto"), 1);
  // the chosen sector narrows nothing: it is the ranking's
  const chosen = buildMatrix(ENTITIES, PLACES, matrixColumns(TREE, ""), { ...noFilters(), sector: "cranes" }, SECTORS);
  assert.equal(chosen.entities, 5);
});

test("the ranking: most first, ties share a rank in the prefectures' order", () => {
  const { places, provinceWide } = rankPlaces(ENTITIES, PLACES, { ...noFilters(), sector: "auto" }, SECTORS);
  assert.deepEqual(
    places.map((item) => [item.rank, item.place.adcode, item.count]),
    [
      [1, 421300, 2],
      [2, 420100, 1],
      [2, 429004, 1],
    ],
  );
  assert.equal(provinceWide, 1);
  const sub = rankPlaces(ENTITIES, PLACES, { ...noFilters(), sector: "auto-parts" }, SECTORS);
  assert.deepEqual(sub.places.map((item) => item.place.adcode), [421300]);
});

test("the files' query: the filters as /api/matrix takes them", () => {
  assert.equal(matrixParams(noFilters(), "zh").toString(), "");
  const filters = { ...noFilters(), kinds: new Set(KINDS.slice(0, 2)), plan: "2021", status: "planned", sector: "auto" };
  assert.equal(matrixParams(filters, "en").toString(), `kind=${KINDS.slice(0, 2).join("%2C")}&plan=2021&status=planned&sector=auto&lang=en`);
});
