/**
 * Values per key, fetched on demand and kept for `ttlMs`, shared by concurrent callers (a pending fetch is
 * reused); a failed fetch is not kept. For dispatch's visibility look-ups (open jobs, ratings), which every
 * request repeats for every eligible technician.
 */
export function keyedCache<V>(
  fetch: (key: string) => Promise<V>,
  ttlMs: number,
  now: () => number = Date.now,
): (keys: string[]) => Promise<Record<string, V>> {
  const cache = new Map<string, { at: number; value: Promise<V> }>();
  const one = (key: string): Promise<V> => {
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.value;
    const value = fetch(key);
    if (ttlMs > 0) {
      cache.set(key, { at: now(), value });
      value.catch(() => {
        if (cache.get(key)?.value === value) cache.delete(key);
      });
    }
    return value;
  };
  return async (keys) => {
    const unique = [...new Set(keys)];
    const values = await Promise.all(unique.map(one));
    return Object.fromEntries(unique.map((k, i) => [k, values[i] as V]));
  };
}
