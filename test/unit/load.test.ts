/**
 * Exact load (issue 12), the pure part: the board's pick agrees with dispatch's own ranking, and its book of
 * reservations (claim, repeat, replace, force, baseline, release) — the code the board workflow runs.
 */
import fc from 'fast-check';
import { rankTechnicians, type Technician } from '../../src/domain/dispatch';
import {
  type BoardCandidate,
  type Book,
  claimOn,
  claimProblem,
  type ClaimArgs,
  isRelease,
  loadOf,
  pickLeastLoaded,
  releaseOn,
} from '../../src/domain/load';
import type { DispatchPolicy } from '../../src/domain/policyTypes';

const AT = '2026-12-01T08:00:00.000Z';
const cand = (technicianId: string, over: Partial<BoardCandidate> = {}): BoardCandidate => ({
  technicianId,
  withinRadius: true,
  starred: false,
  distanceKm: 5,
  ...over,
});
const claim = (requestId: string, claimId: string, candidates: BoardCandidate[], over: Partial<ClaimArgs> = {}): ClaimArgs => ({
  requestId,
  claimId,
  candidates,
  ...over,
});

describe('pickLeastLoaded', () => {
  test('within radius, then star, then fewer jobs, then nearer, then id', () => {
    const far = cand('a-far', { withinRadius: false, starred: true, distanceKm: 50 });
    const plain = cand('b-plain', { distanceKm: 1 });
    const star = cand('c-star', { starred: true, distanceKm: 9 });
    expect(pickLeastLoaded([far, plain, star], {})?.technicianId).toBe('c-star');
    expect(pickLeastLoaded([far, plain, star], { 'c-star': 3 })?.technicianId).toBe('c-star'); // load ranks below the star
    const twin = cand('d-star', { starred: true, distanceKm: 12 });
    expect(pickLeastLoaded([twin, star], { 'c-star': 1 })?.technicianId).toBe('d-star');
    expect(pickLeastLoaded([twin, star], { 'c-star': 1, 'd-star': 1 })?.technicianId).toBe('c-star'); // nearer
    expect(pickLeastLoaded([cand('t2'), cand('t1')], {})?.technicianId).toBe('t1'); // id
    expect(pickLeastLoaded([], {})).toBeUndefined();
  });

  test('null radius (no location) decides nothing; junk counts are 0', () => {
    const a = cand('a', { withinRadius: null, distanceKm: undefined });
    const b = cand('b', { withinRadius: null, distanceKm: undefined });
    expect(pickLeastLoaded([a, b], { a: 1 })?.technicianId).toBe('b');
    expect(pickLeastLoaded([a, b], { a: -4, b: Number.NaN })?.technicianId).toBe('a');
  });

  test('agrees with rankTechnicians: the first of its ranking, whatever the candidates’ order', () => {
    const policy: DispatchPolicy = { radiusKm: 30, preferredRating: 0.95, skillsByCategory: {}, skillsByType: {}, maxCandidates: 99 };
    const techArb = fc.record({
      lat: fc.double({ min: 30.5, max: 32, noNaN: true }),
      lng: fc.double({ min: 120.5, max: 122.5, noNaN: true }),
      rating: fc.constantFrom(0.8, 0.95, 0.99),
      jobs: fc.nat(3),
    });
    fc.assert(
      fc.property(fc.array(techArb, { minLength: 1, maxLength: 8 }), fc.boolean(), fc.integer(), (specs, located, seed) => {
        const techs: Technician[] = specs.map((s, i) => ({
          id: `t${(i * 7 + 3) % 10}${i}`,
          name: 'x',
          workNumber: 'x',
          phone: '+8613800138000',
          skills: ['washer'],
          tier: 2,
          home: { lat: s.lat, lng: s.lng },
          rating: s.rating,
          active: true,
        }));
        const counts = Object.fromEntries(techs.map((t, i) => [t.id, specs[i]!.jobs]));
        const request = { category: 'washer', type: 'repair' as const, ...(located ? { location: { lat: 31.23, lng: 121.47 } } : {}) };
        const ranked = rankTechnicians(techs, request, { policy, openJobs: counts });
        const candidates = ranked.map((c) => ({
          technicianId: c.technician.id,
          withinRadius: c.withinRadius,
          starred: c.starred,
          ...(c.distanceKm !== null ? { distanceKm: c.distanceKm } : {}),
        }));
        const k = Math.abs(seed) % candidates.length;
        const shuffled = [...candidates.slice(k), ...candidates.slice(0, k)].reverse();
        expect(pickLeastLoaded(shuffled, counts)?.technicianId).toBe(ranked[0]?.technician.id);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the book', () => {
  const five = ['t1', 't2', 't3', 't4', 't5'].map((id) => cand(id));

  test('13 requests dispatched at once over equal technicians spread out (the bug of issue 12)', () => {
    const book: Book = new Map();
    const picks = Array.from({ length: 13 }, (_, i) => claimOn(book, claim(`sr-${i}`, 'c1', five), AT)!);
    const per = loadOf(book).counts;
    expect(per).toEqual({ t1: 3, t2: 3, t3: 3, t4: 2, t5: 2 });
    expect(picks.slice(0, 5).map((p) => [p.technicianId, p.openJobs])).toEqual([
      ['t1', 0],
      ['t2', 0],
      ['t3', 0],
      ['t4', 0],
      ['t5', 0],
    ]);
    expect(picks[5]).toEqual({ technicianId: 't1', openJobs: 1 });
    expect(loadOf(book).reservations).toBe(13);
  });

  test('the same claim again answers the same and counts once', () => {
    const book: Book = new Map();
    const first = claimOn(book, claim('sr-1', 'c1', five), AT);
    claimOn(book, claim('sr-2', 'c1', five), AT);
    // A retry after others claimed: same technician, same openJobs, no second reservation.
    expect(claimOn(book, claim('sr-1', 'c1', five), AT)).toEqual(first);
    expect(loadOf(book)).toEqual({ counts: { t1: 1, t2: 1 }, reservations: 2 });
  });

  test("a new claim replaces the request's reservation and does not count it against itself", () => {
    const book: Book = new Map();
    claimOn(book, claim('sr-1', 'c1', [cand('t1')]), AT);
    claimOn(book, claim('sr-2', 'c1', [cand('t2')]), AT);
    // sr-1 re-dispatched: t1 is free again for it (its own reservation does not count), t2 has one.
    expect(claimOn(book, claim('sr-1', 'c2', [cand('t1'), cand('t2')]), AT)).toEqual({ technicianId: 't1', openJobs: 0 });
    expect(book.get('sr-1')).toEqual({ technicianId: 't1', claimId: 'c2', at: AT, openJobs: 0 });
    // Declined by t1: the next claim goes to t2 and t1 is released by the replacement.
    expect(claimOn(book, claim('sr-1', 'c3', [cand('t2')]), AT)).toEqual({ technicianId: 't2', openJobs: 1 });
    expect(loadOf(book)).toEqual({ counts: { t2: 2 }, reservations: 2 });
  });

  test('baseline (legacy open jobs) adds to the reservations; force reserves ops’ choice as is', () => {
    const book: Book = new Map();
    claimOn(book, claim('sr-1', 'c1', [cand('t1')]), AT);
    expect(claimOn(book, claim('sr-2', 'c1', [cand('t1'), cand('t2')], { baseline: { t2: 2 } }), AT)).toEqual({
      technicianId: 't1',
      openJobs: 1,
    });
    expect(claimOn(book, claim('sr-3', 'c1', [cand('t1')], { force: 't9', baseline: { t9: 4 } }), AT)).toEqual({
      technicianId: 't9',
      openJobs: 4,
    });
    // The baseline is the caller's: the board keeps only its own reservations.
    expect(loadOf(book).counts).toEqual({ t1: 2, t9: 1 });
  });

  test('no candidate and no force: null, and the request no longer holds anyone', () => {
    const book: Book = new Map();
    claimOn(book, claim('sr-1', 'c1', [cand('t1')]), AT);
    expect(claimOn(book, claim('sr-1', 'c2', []), AT)).toBeNull();
    expect(claimOn(book, claim('sr-1', 'c2', []), AT)).toBeNull();
    expect(loadOf(book)).toEqual({ counts: {}, reservations: 0 });
  });

  test('release drops the reservation only for its own claim; a late one drops nothing', () => {
    const book: Book = new Map();
    claimOn(book, claim('sr-1', 'c1', [cand('t1')]), AT);
    claimOn(book, claim('sr-1', 'c2', [cand('t2')]), AT);
    expect(releaseOn(book, { requestId: 'sr-1', claimId: 'c1' })).toBe(false);
    expect(releaseOn(book, { requestId: 'sr-9', claimId: 'c1' })).toBe(false);
    expect(loadOf(book)).toEqual({ counts: { t2: 1 }, reservations: 1 });
    expect(releaseOn(book, { requestId: 'sr-1', claimId: 'c2' })).toBe(true);
    expect(releaseOn(book, { requestId: 'sr-1', claimId: 'c2' })).toBe(false);
    expect(loadOf(book)).toEqual({ counts: {}, reservations: 0 });
  });
});

describe('validation', () => {
  test('well-formed claims pass', () => {
    expect(claimProblem(claim('sr-1', 'sr-1/1', [cand('t1'), cand('t2', { withinRadius: null, distanceKm: undefined })]))).toBeUndefined();
    expect(claimProblem(claim('sr-1', 'c', [], { force: 't1', baseline: { t1: 0, t2: 3 } }))).toBeUndefined();
  });

  test.each([
    ['not an object', null, /object/],
    ['no requestId', { claimId: 'c', candidates: [] }, /requestId/],
    ['empty claimId', { requestId: 'r', claimId: '', candidates: [] }, /claimId/],
    ['candidates missing', { requestId: 'r', claimId: 'c' }, /candidates/],
    [
      'too many candidates',
      claim(
        'r',
        'c',
        Array.from({ length: 101 }, (_, i) => cand(`t${i}`)),
      ),
      /at most 100/,
    ],
    ['candidate without id', claim('r', 'c', [{ withinRadius: true, starred: false } as never]), /technicianId/],
    ['starred not boolean', claim('r', 'c', [{ ...cand('t1'), starred: 'yes' } as never]), /starred/],
    ['withinRadius junk', claim('r', 'c', [{ ...cand('t1'), withinRadius: 1 } as never]), /withinRadius/],
    ['negative distance', claim('r', 'c', [cand('t1', { distanceKm: -1 })]), /distanceKm/],
    ['infinite distance', claim('r', 'c', [cand('t1', { distanceKm: Infinity })]), /distanceKm/],
    ['empty force', claim('r', 'c', [], { force: '' }), /force/],
    ['fractional baseline', claim('r', 'c', [], { baseline: { t1: 1.5 } }), /baseline\.t1/],
    ['baseline array', claim('r', 'c', [], { baseline: [1] as never }), /baseline/],
  ])('refused: %s', (_what, args, message) => {
    expect(claimProblem(args)).toMatch(message);
  });

  test('isRelease: both ids, non-empty', () => {
    expect(isRelease({ requestId: 'r', claimId: 'c' })).toBe(true);
    expect(isRelease({ requestId: 'r' })).toBe(false);
    expect(isRelease(null)).toBe(false);
    expect(isRelease({ requestId: '', claimId: 'c' })).toBe(false);
  });
});
