// Compare editions without a browser: which plans the page offers, the default pair, the query it asks.
import assert from "node:assert/strict";
import { test } from "node:test";

import { compareQuery, defaultPair, editions } from "../static/js/compare.js";

const TREE = [
  { id: "smart-mfg", plan_id: "fyp2021", plan_year: 2021, children: [{ id: "smart-mfg-cnc", plan_id: "fyp2021", plan_year: 2021, children: [] }] },
  { id: "a14-cnc", plan_id: "action2014", plan_year: 2014, children: [] },
];

test("the editions are the plans the sector tree names, oldest first, each once", () => {
  assert.deepEqual(editions(TREE), [
    { id: "action2014", year: 2014 },
    { id: "fyp2021", year: 2021 },
  ]);
});

test("a third edition is offered and becomes the default 'to', with no code change", () => {
  const tree = [...TREE, { id: "tools", plan_id: "fyp2026", plan_year: 2026, children: [] }];
  assert.deepEqual(defaultPair(editions(tree)), { from: "fyp2021", to: "fyp2026" });
  assert.equal(defaultPair(editions(TREE.slice(1))), null); // one edition: nothing to compare
});

test("the query names the pair and the scope", () => {
  const pair = { from: "action2014", to: "fyp2021" };
  assert.equal(compareQuery(pair, { place: 420300 }), "from=action2014&to=fyp2021&place=420300");
  assert.equal(compareQuery(pair, { sector: "smart-mfg" }), "from=action2014&to=fyp2021&sector=smart-mfg");
  assert.equal(compareQuery(pair, {}), "from=action2014&to=fyp2021");
});
