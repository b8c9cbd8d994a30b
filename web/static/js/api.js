// The atlas's own JSON: one way to fetch it, and the URLs of the layers the server draws for the page.
// The standalone map (`atlas map`, standalone.js) has no server: it hands its embedded answers to
// answerLocally, and the same modules read them through getJSON and getJSONOrNull as the page reads the API.

let local = null; // (path, query) -> the answer, or undefined for "no such thing" (a 404)

/** Answers every request from `answer(path, params)` instead of the network (the standalone map). */
export function answerLocally(answer) {
  local = answer;
}

function localAnswer(url) {
  const parsed = new URL(url, "http://atlas.invalid");
  return local(parsed.pathname, parsed.searchParams);
}

export async function getJSON(url) {
  if (local) {
    const answer = localAnswer(url);
    if (answer === undefined) throw new Error(`${url}: 404`);
    return answer;
  }
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

/** Fetches JSON; a 404 gives null (an unknown id is an answer, not a failure), anything else throws. */
export async function getJSONOrNull(url) {
  if (local) return localAnswer(url) ?? null;
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (response.status === 404) return null;
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
