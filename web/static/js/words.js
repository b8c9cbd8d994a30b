// Words that ../i18n.js does not hold, in its form (中文 first, English second): the attribution's list of
// plans with their document numbers (language.js), and the standalone map's title box (standalone.js).
// `say` falls back to i18n.js for every other key, so a module can take all its words from here.

import { t } from "../i18n.js";

export const WORDS = {
  plansLabel: ["规划：", "Plans: "],
  noNumber: ["原文未载文号", "no document number in the text"],
  listSeparator: ["；", "; "],
  placeFilter: ["地区", "Place"],
  madeOn: ["制图日期：{n}", "Made: {n}"],
  drawnCount: ["地图上 {n} 项", "{n} on the map"],
  provinceWideCount: ["另有 {n} 项规划未指明地点（全省）", "{n} more that the plans place nowhere in particular (province-wide)"],
  clickHint: ["点击地图上的图形，查看规划原文。", "Click a shape on the map for the plan's words."],
};

export function say(key, lang, n) {
  const entry = WORDS[key];
  if (!entry) return t(key, lang, n);
  const text = entry[lang === "en" ? 1 : 0];
  return n === undefined ? text : text.replace("{n}", n);
}
