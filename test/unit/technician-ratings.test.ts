/**
 * Ratings close the loop (service stars, docs/lifecycle.md): a technician's service-star rating comes from their closed
 * requests' scores once there are enough of them, and dispatch ranks with it.
 */
import pino from 'pino';
import type { Client } from '@temporalio/client';
import { dispatchActivities } from '../../activities/dispatch';
import type { ActivityDeps } from '../../activities/deps';
import type { Technician } from '../../src/domain/dispatch';
import type { DispatchPolicy } from '../../src/domain/policyTypes';
import { ratingFromCounts, ratingQueries, technicianRatings } from '../../src/reports/technicianRatings';

const policy: DispatchPolicy = {
  radiusKm: 30,
  preferredRating: 0.95,
  skillsByCategory: { washer: ['washer'] },
  skillsByType: {},
  maxCandidates: 5,
};
const home = { lat: 31.195, lng: 121.437 };
const tech = (id: string, rating: number): Technician => ({
  id,
  name: id,
  workNumber: id,
  phone: '+8613800138000',
  skills: ['washer'],
  tier: 2,
  home,
  rating,
  active: true,
});

/** A fake visibility: counts answered from a table of (technician, score) for closed requests. */
function fakeClient(closed: { tech: string; score?: number }[], calls: string[] = []): Client {
  const count = async (query: string) => {
    calls.push(query);
    const tech = /TechnicianId = '([^']+)'/.exec(query)?.[1];
    const min = Number(/SatisfactionScore >= (\d)/.exec(query)?.[1] ?? 1);
    return { count: closed.filter((c) => c.tech === tech && c.score !== undefined && c.score >= min).length, groups: [] };
  };
  return { workflow: { count } } as unknown as Client;
}

describe('technician ratings from scores', () => {
  test('rating = satisfied (≥ 4) / rated, only with enough scores', () => {
    expect(ratingFromCounts(19, 20)).toBe(0.95);
    expect(ratingFromCounts(4, 4)).toBeUndefined();
    expect(ratingFromCounts(4, 4, 3)).toBe(1);
    expect(ratingFromCounts(0, 0, 0)).toBeUndefined();
  });

  test('queries count closed requests of one technician; ids are checked before they reach a query', () => {
    expect(ratingQueries('t1001')).toEqual({
      rated: "TechnicianId = 't1001' AND ExecutionStatus != 'Running' AND SatisfactionScore >= 1",
      satisfied: "TechnicianId = 't1001' AND ExecutionStatus != 'Running' AND SatisfactionScore >= 4",
    });
    expect(() => ratingQueries("t1' OR 1=1 --")).toThrow(/refusing/);
  });

  test('lookup per technician, undefined below the minimum, cached for the TTL', async () => {
    const scores = [5, 5, 4, 4, 2, 3].map((score) => ({ tech: 'ta', score }));
    const calls: string[] = [];
    let now = 0;
    const lookup = technicianRatings(fakeClient([...scores, { tech: 'tb', score: 5 }, { tech: 'ta' }], calls), {
      now: () => now,
      ttlMs: 1000,
    });
    expect(await lookup(['ta', 'tb', 'ta'])).toEqual({ ta: 4 / 6, tb: undefined });
    expect(calls).toHaveLength(4);
    await lookup(['ta']);
    expect(calls).toHaveLength(4);
    now = 1500;
    await lookup(['ta']);
    expect(calls).toHaveLength(6);
  });
});

describe('findCandidates with measured ratings', () => {
  const base = (over: Partial<ActivityDeps>): ActivityDeps =>
    ({
      directory: { list: async () => [tech('t1', 0.99), tech('t2', 0.9)], get: async () => null },
      openJobs: async () => ({ t1: 1, t2: 1 }),
      logger: pino({ level: 'silent' }),
      ...over,
    }) as unknown as ActivityDeps;
  const find = (deps: ActivityDeps) =>
    dispatchActivities(deps).findCandidates({
      requestId: 'sr-1',
      category: 'washer',
      type: 'repair',
      location: home,
      exclude: [],
      minTier: 0,
      policy,
    });

  test('without a ratings source the roster decides (t1 is the star)', async () => {
    const c = await find(base({}));
    expect(c.map((x) => x.technicianId)).toEqual(['t1', 't2']);
    expect(c[0]!.reason).toContain('★ 99%');
  });

  test('measured ratings override the roster: t1 fell to 60 %, t2 earned the star', async () => {
    const c = await find(base({ ratings: async () => ({ t1: 0.6, t2: 0.96 }) }));
    expect(c.map((x) => x.technicianId)).toEqual(['t2', 't1']);
    expect(c[0]!.reason).toContain('★ 96%');
    expect(c[1]!.reason).toContain('rating 60%');
  });

  test('too few scores (undefined) keep the roster value; a failing source falls back to the roster', async () => {
    const partial = await find(base({ ratings: async () => ({ t1: undefined, t2: 0.5 }) }));
    expect(partial.map((x) => x.technicianId)).toEqual(['t1', 't2']);
    const failing = await find(
      base({
        ratings: async () => {
          throw new Error('visibility down');
        },
      }),
    );
    expect(failing.map((x) => x.technicianId)).toEqual(['t1', 't2']);
  });

  test('end to end with the visibility-backed lookup', async () => {
    const closed = [...[5, 5, 5, 5, 4].map((score) => ({ tech: 't2', score })), ...[5, 2, 1, 3, 5].map((score) => ({ tech: 't1', score }))];
    const c = await find(base({ ratings: technicianRatings(fakeClient(closed)) }));
    expect(c.map((x) => x.technicianId)).toEqual(['t2', 't1']);
    expect(c[1]!.reason).toContain('rating 40%');
  });
});
