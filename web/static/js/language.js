// Puts the page's fixed words in the chosen language: every element marked data-i18n (its text),
// data-i18n-placeholder or data-i18n-aria-label, the title, the switch itself, the map's sources and the
// approval number. The words are in ../i18n.js.

import { t } from "../i18n.js";
import { $ } from "./dom.js";

export function applyLanguage(atlas, mapView) {
  const { state, config, tr } = atlas;
  const other = state.lang === "en" ? "zh" : "en";
  document.documentElement.lang = state.lang === "en" ? "en" : "zh-CN";
  document.title = `${tr("title")} · ${t("title", other)}`;
  document.querySelectorAll("[data-i18n]").forEach((node) => (node.textContent = tr(node.dataset.i18n)));
  document.querySelectorAll("[data-i18n-placeholder]").forEach((node) => (node.placeholder = tr(node.dataset.i18nPlaceholder)));
  document.querySelectorAll("[data-i18n-aria-label]").forEach((node) => node.setAttribute("aria-label", tr(node.dataset.i18nAriaLabel)));
  // The switch is labelled in the language it switches to.
  const button = $("#lang");
  button.textContent = other === "en" ? "English" : "中文";
  button.lang = other === "en" ? "en" : "zh-CN";
  const approval = config.approval_number ? tr("approval", config.approval_number) : "";
  mapView.setAttribution(`${tr("sourceBoundaries")} · ${tr("sourcePlans")}${approval ? ` · ${approval}` : ""}`);
  $("#approval").hidden = !approval;
  $("#approval").textContent = approval;
  $("#print-approval").textContent = approval;
}
