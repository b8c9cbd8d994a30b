// The map's colours: by top sector with no sector chosen, by sub-sector with one chosen; never more hues
// than the colour-blind-safe palette has, one grey for the rest, and only what is drawn.
import assert from "node:assert/strict";
import { test } from "node:test";

import { GREY, NONE, OTHER, TOL_MUTED, categoryOf, colourScheme } from "../static/js/palette.js";

// A tree as /api/sectors gives it, indexed: two tops, one with two children.
const node = (id, children = []) => ({ id, children, descendants: [id, ...children.flatMap((child) => child.descendants)] });
const cnc = node("smart-cnc");
const robots = node("smart-robots");
const smart = node("smart", [cnc, robots]);
const auto = node("auto");
const sectors = new Map([smart, cnc, robots, auto].map((each) => [each.id, each]));
const entity = (sectors, top) => ({ sectors, top_sector: top });

test("with no sector chosen an entity is coloured by its top sector", () => {
  assert.equal(categoryOf(entity(["smart-cnc"], "smart"), "", sectors), "smart");
  assert.equal(categoryOf(entity([], null), "", sectors), NONE);
});

test("with a sector chosen, by the sub-sector of it the entity has", () => {
  assert.equal(categoryOf(entity(["auto", "smart-robots"], "auto"), "smart", sectors), "smart-robots");
  assert.equal(categoryOf(entity(["smart"], "smart"), "smart", sectors), "smart");
  assert.equal(categoryOf(entity(["smart-cnc"], "smart"), "smart-cnc", sectors), "smart-cnc");
});

test("the scheme lists only the categories drawn, each with its own colour", () => {
  const drawn = [entity(["smart-cnc"], "smart"), entity(["smart-cnc"], "smart"), entity(["smart"], "smart")];
  const scheme = colourScheme(drawn, "smart", sectors);
  assert.deepEqual(scheme.categories.map((each) => each.id), ["smart", "smart-cnc"]);
  assert.equal(new Set(scheme.categories.map((each) => each.colour)).size, 2);
  assert.equal(scheme.colourOf(drawn[0]), scheme.categories[1].colour);
  assert.ok(scheme.categories.every((each) => TOL_MUTED.includes(each.colour)));
});

test("past nine categories the least drawn fold into one grey 'other', with no sector in it too", () => {
  const many = new Map(Array.from({ length: 12 }, (_, i) => [`s${i}`, node(`s${i}`)]));
  const drawn = [...many.keys()].flatMap((id, i) => Array.from({ length: 12 - i }, () => entity([id], id)));
  drawn.push(entity([], null));
  const scheme = colourScheme(drawn, "", many);
  assert.equal(scheme.categories.length, 9);
  const grey = scheme.categories.at(-1);
  assert.deepEqual([grey.id, grey.colour, grey.members], [OTHER, GREY, ["s8", "s9", "s10", "s11", NONE]]);
  assert.equal(scheme.colourOf(entity(["s11"], "s11")), GREY);
  assert.equal(new Set(scheme.categories.map((each) => each.colour)).size, 9);
});
