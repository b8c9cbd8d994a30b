// The search box: a combobox over /api/search (中文, English, pinyin or an alias such as 新能源汽车, NEV or
// 襄樊) with suggestions by keyboard or mouse; Enter opens the first hit when none is chosen. A sector hit
// sets the sector filter. When nothing is found the box offers the nearest names ("did you mean"), which
// only a deliberate choice opens: Enter alone does not take a guess.

import { getJSON } from "./api.js";
import { $, el } from "./dom.js";

const DEBOUNCE_MS = 120;
const LIMIT = "8";

export function bindSearch(atlas) {
  const { tr, nameOf, actions } = atlas;
  const search = $("#search");
  const suggestions = $("#suggestions");
  let hits = [];
  let guesses = false; // hits are the "did you mean" suggestions, not matches
  let active = -1;
  let pending = 0; // the latest request; answers to older ones are dropped
  let debounce;

  const hitCategory = (hit) => {
    if (hit.type === "place") return tr(`level_${hit.category}`);
    if (hit.type === "entity") return tr(`kind_${hit.category}`);
    return tr("sectorsOf");
  };

  function setSuggestions(found, nearest = []) {
    guesses = !found.length && nearest.length > 0;
    hits = guesses ? nearest : found;
    active = -1;
    const options = hits.map((hit, index) =>
      el(
        "li",
        // mousedown, not click: a click would blur the box first, which closes the list.
        { id: `hit-${index}`, role: "option", "aria-selected": "false", onmousedown: (event) => (event.preventDefault(), choose(hit)) },
        el("span", {}, nameOf(hit)),
        el("span", { class: "hit-kind" }, hitCategory(hit)),
      ),
    );
    const notes = found.length ? [] : [el("li", { class: "no-match", role: "presentation" }, tr(guesses ? "searchDidYouMean" : "noMatches"))];
    suggestions.replaceChildren(...notes, ...options);
    suggestions.hidden = false;
    search.setAttribute("aria-expanded", "true");
  }

  function closeSuggestions() {
    suggestions.hidden = true;
    search.setAttribute("aria-expanded", "false");
    search.removeAttribute("aria-activedescendant");
  }

  async function suggest() {
    const query = search.value.trim();
    const ticket = ++pending;
    if (!query) return closeSuggestions();
    try {
      const body = await getJSON(`/api/search?${new URLSearchParams({ q: query, limit: LIMIT })}`);
      if (ticket === pending) setSuggestions(body.hits, body.suggestions ?? []);
    } catch {
      if (ticket === pending) setSuggestions([]);
    }
  }

  function choose(hit) {
    closeSuggestions();
    search.value = nameOf(hit);
    if (hit.type === "place") actions.openPlace(Number(hit.id), { fly: true });
    else if (hit.type === "entity") actions.openEntity(hit.id, { fly: true });
    else actions.chooseSector(hit.id);
  }

  function moveActive(step) {
    if (!hits.length) return;
    active = (active + step + hits.length) % hits.length;
    suggestions.querySelectorAll("[role=option]").forEach((option, index) => option.setAttribute("aria-selected", String(index === active)));
    search.setAttribute("aria-activedescendant", `hit-${active}`);
  }

  search.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(suggest, DEBOUNCE_MS);
  });
  search.addEventListener("keydown", async (event) => {
    if (event.key === "ArrowDown") (event.preventDefault(), moveActive(1));
    else if (event.key === "ArrowUp") (event.preventDefault(), moveActive(-1));
    else if (event.key === "Escape") closeSuggestions();
    else if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(debounce);
      if (active < 0) await suggest();
      const hit = guesses && active < 0 ? undefined : hits[Math.max(active, 0)];
      if (hit) choose(hit);
    }
  });
  search.addEventListener("blur", () => setTimeout(closeSuggestions, 100));
}
