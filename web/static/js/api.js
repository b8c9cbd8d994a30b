// The atlas's own JSON: one way to fetch it, and the URLs of the layers the server draws for the page.

export async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

/**
 * The URL maker for map layers: only the layers the server's registry (app/layers.py, sent as
 * config.layers, their ids) draws, so that a renamed layer fails loudly here instead of as a 404 later; `params`
 * (empty values left out) narrow an entity layer, e.g. `{plans: "fyp2021"}`. Pure.
 */
export function layerURLs(layers) {
  const drawn = new Set(layers);
  return (id, zoom, params = {}) => {
    if (!drawn.has(id)) throw new Error(`the server draws no map layer "${id}"`);
    const query = new URLSearchParams();
    if (zoom !== undefined) query.set("zoom", zoom);
    for (const [key, value] of Object.entries(params)) if (value) query.set(key, value); // e.g. plans (plans.js)
    const text = query.toString().replace(/%2C/gi, ",");
    return text ? `/api/map/${id}?${text}` : `/api/map/${id}`;
  };
}
