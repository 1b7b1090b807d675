/** src/runtime/keyedCache.ts: per-key values fetched on demand, kept for a TTL, shared while pending. */
import { keyedCache } from '../../src/runtime/keyedCache';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** A fetch that records its calls and answers `${key}#${n}` (n = how many times that key was fetched). */
function countingFetch(): { fetch: (key: string) => Promise<string>; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch: async (key) => {
      calls.push(key);
      return `${key}#${calls.filter((k) => k === key).length}`;
    },
  };
}

/** Lets settled promises' callbacks (the cache's own `.catch`) run. */
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('keyedCache', () => {
  test('a value is reused until ttl has passed (injected clock), then fetched again', async () => {
    let t = 1000;
    const f = countingFetch();
    const get = keyedCache(f.fetch, 500, () => t);

    expect(await get(['a'])).toEqual({ a: 'a#1' });
    t = 1499; // 499 ms later: still fresh
    expect(await get(['a'])).toEqual({ a: 'a#1' });
    expect(f.calls).toEqual(['a']);

    t = 1500; // ttl reached: stale
    expect(await get(['a'])).toEqual({ a: 'a#2' });
    expect(f.calls).toEqual(['a', 'a']);

    // The new value's age counts from its own fetch.
    t = 1999;
    expect(await get(['a'])).toEqual({ a: 'a#2' });
    t = 2000;
    expect(await get(['a'])).toEqual({ a: 'a#3' });
  });

  test('keys expire independently', async () => {
    let t = 0;
    const f = countingFetch();
    const get = keyedCache(f.fetch, 100, () => t);
    await get(['a']);
    t = 60;
    await get(['a', 'b']); // a cached, b fetched at 60
    t = 120; // a stale (fetched at 0), b fresh (fetched at 60)
    expect(await get(['a', 'b'])).toEqual({ a: 'a#2', b: 'b#1' });
    expect(f.calls).toEqual(['a', 'b', 'a']);
  });

  test('concurrent callers share one pending fetch', async () => {
    const pending = deferred<number>();
    const fetch = jest.fn((_key: string) => pending.promise);
    const get = keyedCache(fetch, 1000, () => 0);

    const first = get(['tech-1']);
    const second = get(['tech-1']);
    const third = get(['tech-1', 'tech-1']);
    expect(fetch).toHaveBeenCalledTimes(1);

    pending.resolve(7);
    await expect(Promise.all([first, second, third])).resolves.toEqual([{ 'tech-1': 7 }, { 'tech-1': 7 }, { 'tech-1': 7 }]);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  test('a failed fetch is not cached: its waiters all get the error, the next call fetches again', async () => {
    const attempts: Deferred<number>[] = [];
    const fetch = jest.fn((_key: string) => {
      const d = deferred<number>();
      attempts.push(d);
      return d.promise;
    });
    const get = keyedCache(fetch, 60_000, () => 0);

    const a = get(['x']);
    const b = get(['x']);
    expect(fetch).toHaveBeenCalledTimes(1);
    attempts[0]!.reject(new Error('visibility unavailable'));
    await expect(a).rejects.toThrow('visibility unavailable');
    await expect(b).rejects.toThrow('visibility unavailable');
    await flush();

    // Well inside the ttl, yet fetched again; and that success is cached.
    const c = get(['x']);
    expect(fetch).toHaveBeenCalledTimes(2);
    attempts[1]!.resolve(3);
    await expect(c).resolves.toEqual({ x: 3 });
    await expect(get(['x'])).resolves.toEqual({ x: 3 });
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  test('a failing key does not evict the others fetched in the same call', async () => {
    const fetch = jest.fn(async (key: string) => {
      if (key === 'bad') throw new Error(`no ${key}`);
      return key.length;
    });
    const get = keyedCache(fetch, 60_000, () => 0);
    await expect(get(['good', 'bad'])).rejects.toThrow('no bad');
    await flush();
    expect(await get(['good'])).toEqual({ good: 4 });
    expect(fetch.mock.calls.map((c) => c[0])).toEqual(['good', 'bad']);
  });

  test('a late failure of an expired fetch does not evict the value that replaced it', async () => {
    let t = 0;
    const attempts: Deferred<string>[] = [];
    const get = keyedCache(
      (_key: string) => {
        const d = deferred<string>();
        attempts.push(d);
        return d.promise;
      },
      100,
      () => t,
    );
    const old = get(['k']);
    t = 200; // the first fetch is still pending but too old: a second one starts
    const fresh = get(['k']);
    expect(attempts).toHaveLength(2);
    attempts[1]!.resolve('new');
    await expect(fresh).resolves.toEqual({ k: 'new' });
    attempts[0]!.reject(new Error('late failure'));
    await expect(old).rejects.toThrow('late failure');
    await flush();

    expect(await get(['k'])).toEqual({ k: 'new' });
    expect(attempts).toHaveLength(2);
  });

  test('duplicate keys are fetched once and answered once', async () => {
    const f = countingFetch();
    const get = keyedCache(f.fetch, 1000, () => 0);
    const r = await get(['a', 'b', 'a', 'a', 'b']);
    expect(r).toEqual({ a: 'a#1', b: 'b#1' });
    expect(Object.keys(r)).toEqual(['a', 'b']);
    expect(f.calls).toEqual(['a', 'b']);
  });

  test('duplicate keys are deduped by the call itself, not only by the cache (ttl 0)', async () => {
    const f = countingFetch();
    const get = keyedCache(f.fetch, 0);
    expect(await get(['a', 'a', 'b', 'a'])).toEqual({ a: 'a#1', b: 'b#1' });
    expect(f.calls).toEqual(['a', 'b']);
  });

  test('no keys: no fetch, empty answer', async () => {
    const fetch = jest.fn(async (_key: string) => 1);
    await expect(keyedCache(fetch, 1000)([])).resolves.toEqual({});
    expect(fetch).not.toHaveBeenCalled();
  });

  test('ttl 0 caches nothing: every call fetches, even concurrent ones and at the same instant', async () => {
    const f = countingFetch();
    const get = keyedCache(f.fetch, 0, () => 42);
    expect(await get(['a'])).toEqual({ a: 'a#1' });
    expect(await get(['a'])).toEqual({ a: 'a#2' });
    const [x, y] = await Promise.all([get(['a']), get(['a'])]);
    expect([x.a, y.a].sort()).toEqual(['a#3', 'a#4']);
    expect(f.calls).toHaveLength(4);
  });

  test('defaults to the wall clock', async () => {
    jest.useFakeTimers({ now: 10_000 });
    try {
      const f = countingFetch();
      const get = keyedCache(f.fetch, 1000);
      await get(['a']);
      jest.setSystemTime(10_999);
      await get(['a']);
      expect(f.calls).toHaveLength(1);
      jest.setSystemTime(11_000);
      await get(['a']);
      expect(f.calls).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
