// The map's colours, pure: what a colour stands for follows the filter. With no sector chosen an entity is
// coloured by its top-level sector; with a sector chosen, by the sub-sector of that sector it belongs to
// (the sector itself when it names no sub-sector), so that the colours always answer the question asked.
//
// Colours are Paul Tol's "muted" scheme (https://personal.sron.nl/~pault/#sec:qualitative), nine hues
// chosen to stay apart for the common forms of colour blindness and in greyscale print; its pale grey
// stands for "no sector" and "other". Nine hues is the honest limit: categories past the eighth most
// drawn are folded into "other" rather than given hues nobody can tell apart.

// In falling contrast on white: the most drawn categories get the hues that read best as thin outlines.
export const TOL_MUTED = ["#332288", "#882255", "#117733", "#AA4499", "#CC6677", "#44AA99", "#999933", "#88CCEE", "#DDCC77"];
export const GREY = "#BBBBBB";
export const OTHER = "other";
export const NONE = "none";

/**
 * The category an entity is coloured by: a sector id, or NONE. `entity` has `sectors` and `top_sector`
 * (as published); `sector` is the chosen sector id ("" for none) and `sectors` the index of sector nodes
 * (id -> {children: [{id}], descendants: [ids]}).
 */
export function categoryOf(entity, sector, sectors) {
  const chosen = sector ? sectors.get(sector) : null;
  if (!chosen) return entity.top_sector ?? NONE;
  const own = entity.sectors.filter((id) => chosen.descendants.includes(id));
  for (const child of chosen.children) {
    const node = sectors.get(child.id) ?? child;
    const under = node.descendants ?? [child.id];
    if (own.some((id) => under.includes(id))) return child.id;
  }
  return own.length ? chosen.id : NONE;
}

/**
 * The colour scheme of the entities drawn: `{colourOf(entity), categories}` where categories lists only
 * the categories drawn, each `{id, colour, count, members}` (members: the folded sector ids of OTHER),
 * in the order of `order` (sector ids, the tree's order); the one grey entry (OTHER, or NONE when nothing
 * is folded) comes last and holds NONE when entities without a sector are drawn.
 */
export function colourScheme(entities, sector, sectors, order = [...sectors.keys()]) {
  const counts = new Map();
  for (const entity of entities) {
    const id = categoryOf(entity, sector, sectors);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const named = [...counts.keys()].filter((id) => id !== NONE);
  const rank = (id) => (order.includes(id) ? order.indexOf(id) : order.length);
  // The most drawn keep a hue of their own; ties go to the tree's order so that colours stay put.
  const byCount = [...named].sort((a, b) => counts.get(b) - counts.get(a) || rank(a) - rank(b));
  const fits = named.length <= TOL_MUTED.length;
  const kept = new Set(fits ? named : byCount.slice(0, TOL_MUTED.length - 1));
  const folded = named.filter((id) => !kept.has(id));
  const categories = byCount
    .filter((id) => kept.has(id))
    .map((id, index) => ({ id, colour: TOL_MUTED[index], count: counts.get(id), members: [id] }))
    .sort((a, b) => rank(a.id) - rank(b.id));
  // One grey entry for everything without a hue of its own, so that the legend never shows two greys.
  const greyCount = folded.reduce((sum, id) => sum + counts.get(id), 0) + (counts.get(NONE) ?? 0);
  if (greyCount) {
    const id = folded.length ? OTHER : NONE;
    categories.push({ id, colour: GREY, count: greyCount, members: counts.has(NONE) ? [...folded, NONE] : folded });
  }
  const colours = new Map();
  for (const category of categories) for (const id of category.members) colours.set(id, category.colour);
  return {
    categories,
    colourOf: (entity) => colours.get(categoryOf(entity, sector, sectors)) ?? GREY,
  };
}
