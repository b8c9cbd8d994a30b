// The permalink without a browser: what a hash means, and back.
import assert from "node:assert/strict";
import { test } from "node:test";

import { KINDS } from "../static/i18n.js";
import { filterParams, initialState, isNavigation, parseHash, serialiseHash, snapshot } from "../static/js/permalink.js";

const VIEW = { zoom: 8.5, lat: 30.5928, lng: 114.3055 };

test("no hash is the first view: Chinese, no filters, no view, nothing selected", () => {
  for (const hash of ["", "#", undefined, null]) {
    const { state, view } = parseHash(hash);
    assert.deepEqual(state, initialState());
    assert.equal(view, null);
  }
});

test("the first view's hash holds only the view", () => {
  assert.equal(serialiseHash(initialState(), VIEW), "#map=8.5/30.5928/114.3055");
  assert.equal(serialiseHash(initialState(), null), "#");
});

test("a full state goes round the hash unchanged", () => {
  const state = {
    lang: "en",
    sector: "specialty-cranes",
    kinds: new Set(["cluster", "base"]),
    plan: "2021",
    status: "existing",
    plans: ["action2014", "fyp2021"], // the picker's choice (plans.js), sorted
    counties: true,
    selection: { type: "entity", id: "xianning-crane-cluster" },
  };
  const hash = serialiseHash(state, VIEW);
  assert.match(hash, /plans=action2014,fyp2021/);
  const back = parseHash(hash);
  assert.deepEqual(back.state, state);
  assert.deepEqual(back.view, VIEW);
  assert.equal(serialiseHash(back.state, back.view), hash);
});

test("a place selection and an empty kind list go round too", () => {
  const state = { ...initialState(), kinds: new Set(), selection: { type: "place", id: "420100" } };
  const back = parseHash(serialiseHash(state, null));
  assert.deepEqual(back.state, state);
  assert.equal(back.view, null);
});

test("the view is written to four decimals (about 10 m)", () => {
  const { view } = parseHash(serialiseHash(initialState(), { zoom: 7, lat: 30.123456, lng: 112.987654 }));
  assert.deepEqual(view, { zoom: 7, lat: 30.1235, lng: 112.9877 });
});

test("kinds are written in the legend's order whatever order they were chosen in", () => {
  const hash = serialiseHash({ ...initialState(), kinds: new Set(["platform", "cluster"]) }, null);
  assert.equal(new URLSearchParams(hash.slice(1)).get("kinds"), "cluster,platform");
});

test("a hash read without its # means the same", () => {
  const hash = serialiseHash({ ...initialState(), lang: "en", plan: "2014" }, VIEW);
  assert.deepEqual(parseHash(hash.slice(1)), parseHash(hash));
});

test("what is not understood is dropped, and the rest kept", () => {
  const { state, view } = parseHash("#lang=fr&plan=1999&status=closed&kinds=cluster,volcano,,base&counties=yes&sel=x:1&map=7/abc/112&junk=1");
  assert.equal(state.lang, "zh");
  assert.equal(state.plan, "");
  assert.equal(state.status, "");
  assert.deepEqual([...state.kinds], ["cluster", "base"]);
  assert.equal(state.counties, false);
  assert.equal(state.selection, null);
  assert.equal(view, null);
});

test("bad selections select nothing", () => {
  for (const sel of ["", "e:", "p:", "p:wuhan", "entity:abc", "xianning"]) {
    assert.equal(parseHash(`#sel=${encodeURIComponent(sel)}`).state.selection, null, sel);
  }
  assert.deepEqual(parseHash("#sel=e%3Aa%3Ab").state.selection, { type: "entity", id: "a:b" });
});

test("bad views leave the view to the page", () => {
  for (const map of ["", "7", "7/30", "7/30/112/1", "7//112", "7/95/112", "7/30/200", "-1/30/112", "40/30/112", "Infinity/30/112", "7/NaN/112"]) {
    assert.equal(parseHash(`#map=${map}`).view, null, map);
  }
  assert.deepEqual(parseHash("#map=7/-30.5/-112").view, { zoom: 7, lat: -30.5, lng: -112 });
});

test("an unknown sector is kept: it selects nothing, but the link still says what was asked", () => {
  assert.equal(parseHash("#sector=no-such-sector").state.sector, "no-such-sector");
});

test("hostile text in the hash stays text", () => {
  const { state } = parseHash("#sector=%3Cscript%3E&sel=e%3A%3Cimg%20src%3Dx%3E");
  assert.equal(state.sector, "<script>");
  assert.deepEqual(state.selection, { type: "entity", id: "<img src=x>" });
});

test("downloads are asked for with the filters only, and nothing when nothing is filtered", () => {
  assert.equal(filterParams(initialState()).toString(), "");
  const params = filterParams({ sector: "aerospace", kinds: new Set(["corridor"]), plan: "2014", status: "planned" });
  assert.deepEqual(Object.fromEntries(params), { sector: "aerospace", kind: "corridor", plan: "2014", status: "planned" });
  assert.equal(filterParams({ ...initialState(), kinds: new Set(KINDS) }).has("kind"), false);
});

test("a new selection or new filters are a step Back undoes; the view, language and counties are not", () => {
  const start = initialState();
  const step = (change) => isNavigation(start, { ...snapshot(start), ...change });
  assert.equal(step({ selection: { type: "place", id: "420600" } }), true);
  assert.equal(step({ sector: "aerospace" }), true);
  assert.equal(step({ plan: "2021" }), true);
  assert.equal(step({ status: "planned" }), true);
  assert.equal(step({ kinds: new Set(["cluster"]) }), true);
  assert.equal(step({ lang: "en" }), false);
  assert.equal(step({ counties: true }), false);
  assert.equal(step({}), false);
  const place = { ...start, selection: { type: "place", id: "420600" } };
  assert.equal(isNavigation(place, { ...place, selection: { type: "entity", id: "420600" } }), true);
  assert.equal(isNavigation(place, { ...place, selection: { type: "place", id: "420600" } }), false);
});

test("a snapshot does not change with the state it was taken of", () => {
  const state = { ...initialState(), selection: { type: "entity", id: "a" } };
  const taken = snapshot(state);
  state.kinds.delete("cluster");
  state.selection.id = "b";
  assert.equal(taken.kinds.has("cluster"), true);
  assert.equal(taken.selection.id, "a");
  assert.equal(isNavigation(taken, state), true);
});

test("the hash reads as it is: slashes, colons and commas stand unescaped, anything else stays escaped", () => {
  const state = { ...initialState(), lang: "en", kinds: new Set(["cluster", "base"]), selection: { type: "place", id: "420600" } };
  assert.equal(serialiseHash(state, VIEW), "#lang=en&map=8.5/30.5928/114.3055&kinds=cluster,base&sel=p:420600");
  const odd = { ...initialState(), sector: "a&b=c d", selection: { type: "entity", id: "x#y" } };
  const { state: back } = parseHash(serialiseHash(odd, null));
  assert.equal(back.sector, "a&b=c d");
  assert.deepEqual(back.selection, { type: "entity", id: "x#y" });
  // Links written before this change (escaped) mean the same.
  assert.deepEqual(parseHash("#map=8.5%2F30.5928%2F114.3055&sel=p%3A420600").state.selection, { type: "place", id: "420600" });
});
