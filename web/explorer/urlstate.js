// The view in the address: search text, filters, the opened node or story, and the selection,
// kept in the fragment (`#topic=AI&sel=…`) so a view can be bookmarked, shared and reloaded.

/** What the fragment may hold, in the order it is written. */
export const KEYS = ["q", "topic", "provider", "from", "to", "node", "story", "sel"];

/** The state in a fragment (`#node=…` links from before still read the same). */
export function readState(hash = location.hash) {
  const params = new URLSearchParams(String(hash).replace(/^#/, ""));
  const state = {};
  for (const key of KEYS) {
    const value = params.get(key);
    if (value) state[key] = value;
  }
  return state;
}

/** Change some keys (null or "" removes one) and replace the address, adding no history entry. */
export function writeState(changes) {
  const state = { ...readState(), ...changes };
  const params = new URLSearchParams();
  for (const key of KEYS) if (state[key]) params.set(key, state[key]);
  const text = params.toString();
  const target = text ? `#${text}` : location.pathname + location.search;
  if (target !== location.hash) history.replaceState(null, "", target);
}
