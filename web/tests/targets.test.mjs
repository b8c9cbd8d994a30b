// The targets' pure parts without a browser: numbers as the plan writes them, and the chart's bars.
import assert from "node:assert/strict";
import { test } from "node:test";

import { chartBars, formatValue } from "../static/js/targets.js";

const target = (fields) => ({ kind: "target", value_to: null, plan: "fyp2021", plan_year: 2021, year: 2025, metric_zh: "m", metric_en: "m", ...fields });

test("a number is written as the plan writes it, a range with a hyphen", () => {
  assert.equal(formatValue(target({ value: 2.2, unit: "万亿元" })), "2.2万亿元");
  assert.equal(formatValue(target({ value: 5500, unit: "亿元" })), "5500亿元");
  assert.equal(formatValue(target({ value: 3, value_to: 5, unit: "家" })), "3-5家");
});

test("the chart compares money targets in 亿元, the older plan first, baselines and counts left out", () => {
  const bars = chartBars([
    target({ id: "a", value: 2.2, unit: "万亿元" }),
    target({ id: "b", value: 180, unit: "家" }),
    target({ id: "c", value: 16280, unit: "亿元", kind: "baseline" }),
    target({ id: "d", value: 2000, unit: "亿元", plan: "action2014", plan_year: 2014, year: 2017 }),
    target({ id: "e", value: 5500, unit: "亿元" }),
  ]);
  assert.deepEqual(bars.map((bar) => bar.id), ["d", "a", "e"]);
  assert.equal(bars[1].yi, 22000);
  assert.equal(bars[1].text, "2.2万亿元");
});
