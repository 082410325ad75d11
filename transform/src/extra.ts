/**
 * "Nothing is lost": every leaf of the source that no typed column or map holds goes to `extra`,
 * keyed by its dot path, valued by its JSON text. Arrays are leaves (kept whole). Empty objects are
 * dropped, because the event model turns them into nulls.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Collects the leaves of `source` whose path is not in `consumed` and has no consumed ancestor.
 * @param consumed dot paths held elsewhere; a path consumes its whole subtree.
 */
export function collectExtra(
  source: Record<string, unknown>,
  consumed: Iterable<string>,
): Record<string, string> {
  const held = new Set(consumed);
  const extra: Record<string, string> = {};
  if (isPlainObject(source) && !held.has('')) collectObject(source, '', held, extra);
  return extra;
}

/** Adds the leaves under `object` (at `path`) to `extra`. Runs on every event: keys, not entries, and no closure. */
function collectObject(
  object: Record<string, unknown>,
  path: string,
  held: Set<string>,
  extra: Record<string, string>,
): void {
  for (const key of Object.keys(object)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    if (held.has(childPath)) continue;
    const child = object[key];
    if (isPlainObject(child)) collectObject(child, childPath, held, extra);
    else if (childPath !== '') extra[childPath] = JSON.stringify(child as Json);
  }
}

/**
 * Map keys keep their exact case, but two keys that differ only by case cannot both live in one
 * map column. The first stays; the others are returned as collisions for `extra`.
 */
export function splitCaseCollisions<V>(map: Record<string, V>): {
  kept: Record<string, V>;
  collisions: [string, V][];
} {
  const seen = new Set<string>();
  const kept: Record<string, V> = {};
  const collisions: [string, V][] = [];
  for (const [key, value] of Object.entries(map)) {
    const folded = key.toLowerCase();
    if (seen.has(folded)) {
      collisions.push([key, value]);
    } else {
      seen.add(folded);
      kept[key] = value;
    }
  }
  return { kept, collisions };
}
