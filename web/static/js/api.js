// The atlas's own JSON: one way to fetch it, and the URLs of the layers the server draws for the page.

export async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

/**
 * The URL maker for map layers: only the layers the server's registry (app/layers.py, sent as
 * config.layers, their ids) draws, so that a renamed layer fails loudly here instead of as a 404 later. Pure.
 */
export function layerURLs(layers) {
  const drawn = new Set(layers);
  return (id, zoom) => {
    if (!drawn.has(id)) throw new Error(`the server draws no map layer "${id}"`);
    return zoom === undefined ? `/api/map/${id}` : `/api/map/${id}?zoom=${zoom}`;
  };
}
