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
  const walk = (value: unknown, path: string): void => {
    if (held.has(path)) return;
    if (isPlainObject(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, path === '' ? key : `${path}.${key}`);
      return;
    }
    if (path !== '') extra[path] = JSON.stringify(value as Json);
  };
  walk(source, '');
  return extra;
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
