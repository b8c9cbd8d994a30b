// User-facing words of the page, 中文 first and English second. Data names come from the API.
export const KINDS = ["cluster", "corridor", "city_group", "specialisation", "base", "platform"];

export const STRINGS = {
  title: ["湖北装备制造产业集群地图", "Hubei Cluster Atlas"],
  subtitle: [
    "依据湖北省装备制造业“十四五”发展规划（2021）与智能制造装备行动方案（2014）原文",
    "From the words of Hubei's 2021 equipment-manufacturing plan and 2014 intelligent-equipment action plan",
  ],
  skip: ["跳到搜索", "Skip to search"],
  langHint: ["切换界面语言", "Switch the interface language"],
  searchLabel: ["搜索地名、集群或行业", "Search places, clusters or sectors"],
  searchPlaceholder: ["搜索：咸宁、起重、crane、xianning…", "Search: Xianning, crane, 起重, 咸宁…"],
  noMatches: ["没有匹配的结果", "No matches"],
  filters: ["筛选", "Filters"],
  kinds: ["类型", "Kinds"],
  plan: ["规划", "Plan"],
  allPlans: ["全部规划", "Both plans"],
  plan2021: ["2021 “十四五”规划", "2021 Five-Year Plan"],
  plan2014: ["2014 行动方案", "2014 action plan"],
  status: ["状态", "Status"],
  allStatus: ["全部", "All"],
  existing: ["已有", "Existing"],
  planned: ["规划建设", "Planned"],
  sectors: ["行业", "Sectors"],
  allSectors: ["全部行业", "All sectors"],
  showCounties: ["显示县级边界", "Show county boundaries"],
  reset: ["清除筛选", "Clear filters"],
  results: ["规划条目", "Plan entities"],
  count: ["{n} 项", "{n}"],
  back: ["← 返回列表", "← Back to the list"],
  provinceWide: ["全省（规划未指明地点）", "Province-wide (no place named by the plan)"],
  kind: ["类型", "Kind"],
  members: ["所在地", "Places"],
  sectorsOf: ["行业", "Sectors"],
  confidence: ["定位依据", "Placement"],
  stated: ["规划原文指明", "Stated in the plan"],
  inferred: ["推断", "Inferred"],
  note: ["说明", "Note"],
  quotes: ["规划原文", "The plan's words"],
  entitiesHere: ["规划在此布局", "What the plans put here"],
  groupsHere: ["所属城市群与走廊", "City groups and corridors it belongs to"],
  none: ["无", "None"],
  zoomTo: ["定位到地图", "Zoom to it"],
  level_province: ["省", "Province"],
  level_prefecture: ["市州", "Prefecture-level"],
  level_county: ["县市区", "County-level"],
  kind_cluster: ["产业集群", "Cluster"],
  kind_corridor: ["产业走廊", "Corridor"],
  kind_city_group: ["城市群", "City group"],
  kind_specialisation: ["城市特色产业", "City specialisation"],
  kind_base: ["基地与园区", "Base or park"],
  kind_platform: ["平台与实验室", "Platform or lab"],
  plan_fyp2021: ["湖北省装备制造业“十四五”发展规划（2021）", "Hubei Equipment Manufacturing 14th Five-Year Plan (2021)"],
  plan_action2014: ["加快全省智能制造装备产业发展行动方案（2014）", "Intelligent Manufacturing Equipment Action Plan (2014)"],
  downloadGeojson: ["下载 GeoJSON", "Download GeoJSON"],
  downloadCsv: ["下载 CSV 表格", "Download CSV"],
  print: ["打印地图", "Print"],
  sourceBoundaries: ["边界：天地图标准地图", "Boundaries: Tianditu standard map"],
  sourcePlans: [
    "规划：湖北省装备制造业“十四五”发展规划（2021）；加快全省智能制造装备产业发展行动方案（2014）",
    "Plans: Hubei Equipment Manufacturing 14th Five-Year Plan (2021); Intelligent Manufacturing Equipment Action Plan (2014)",
  ],
  approval: ["审图号：{n}", "Map approval number: {n}"],
  apiDocs: ["接口文档", "API documentation"],
  ogc: ["OGC API 服务", "OGC API service"],
  mapLabel: ["湖北省地图", "Map of Hubei"],
  legend: ["图例", "Legend"],
  prefectures: ["市州边界", "Prefecture boundaries"],
  counties: ["县级边界", "County boundaries"],
  printedOn: ["打印日期：{n}", "Printed: {n}"],
  filtersNow: ["筛选：{n}", "Filters: {n}"],
  loadError: ["数据加载失败，请稍后重试。", "The data could not be loaded; please try again."],
  placeProfile: ["地区", "Place"],
};

export function t(key, lang, n) {
  const entry = STRINGS[key];
  if (!entry) return key;
  const text = entry[lang === "en" ? 1 : 0];
  return n === undefined ? text : text.replace("{n}", n);
}

/** An item's name (`name_zh`, `name_en`, as the API gives every name) in the language, and in the other. */
export const nameOf = (item, lang) => (lang === "en" ? item.name_en : item.name_zh);
export const otherNameOf = (item, lang) => (lang === "en" ? item.name_zh : item.name_en);
