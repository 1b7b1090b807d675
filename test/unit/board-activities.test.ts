/**
 * The board's activities (activities/dispatch.ts) over the in-memory board: claimTechnician adds the legacy
 * requests' open jobs (baseline) to the board's count, refuses malformed claims for good, and findCandidates
 * hands the board the facts it ranks by.
 */
import { ApplicationFailure } from '@temporalio/common';
import pino from 'pino';
import type { ActivityDeps } from '../../activities';
import { dispatchActivities } from '../../activities/dispatch';
import type { Technician } from '../../src/domain/dispatch';
import type { BoardCandidate } from '../../src/domain/load';
import type { DispatchPolicy } from '../../src/domain/policyTypes';
import { MemoryBoard } from '../support/memoryBoard';

const cand = (technicianId: string): BoardCandidate => ({ technicianId, withinRadius: true, starred: false, distanceKm: 3 });
const deps = (over: Partial<ActivityDeps> = {}): ActivityDeps =>
  ({ board: new MemoryBoard(), logger: pino({ level: 'silent' }), ...over }) as unknown as ActivityDeps;

test('the legacy baseline counts with the reservations; asked for the candidates only (or the forced one)', async () => {
  const asked: string[][] = [];
  const board = new MemoryBoard();
  const acts = dispatchActivities(
    deps({
      board,
      legacyOpenJobs: async (ids) => {
        asked.push(ids);
        return { t1: 2, t2: 0, t9: 5 };
      },
    }),
  );
  const pair = [cand('t1'), cand('t2')];
  expect(await acts.claimTechnician({ requestId: 'sr-1', claimId: 'c1', candidates: pair })).toEqual({ technicianId: 't2', openJobs: 0 });
  expect(await acts.claimTechnician({ requestId: 'sr-2', claimId: 'c1', candidates: pair })).toEqual({ technicianId: 't2', openJobs: 1 });
  // t1: 2 legacy, t2: 2 reserved → the id decides.
  expect(await acts.claimTechnician({ requestId: 'sr-3', claimId: 'c1', candidates: pair })).toEqual({ technicianId: 't1', openJobs: 2 });
  expect(await acts.claimTechnician({ requestId: 'sr-4', claimId: 'c1', candidates: pair, force: 't9' })).toEqual({
    technicianId: 't9',
    openJobs: 5,
  });
  expect(asked).toEqual([['t1', 't2'], ['t1', 't2'], ['t1', 't2'], ['t9']]);
  expect(board.load()).toEqual({ counts: { t1: 1, t2: 2, t9: 1 }, reservations: 4 });

  await acts.releaseTechnician({ requestId: 'sr-1', claimId: 'c1' });
  await acts.releaseTechnician({ requestId: 'sr-2', claimId: 'old' });
  expect(board.load()).toEqual({ counts: { t1: 1, t2: 1, t9: 1 }, reservations: 3 });
});

test('a failing legacy lookup counts none: dispatch goes on with the board alone', async () => {
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  const acts = dispatchActivities(
    deps({
      logger,
      legacyOpenJobs: async () => {
        throw new Error('visibility down');
      },
    }),
  );
  expect(await acts.claimTechnician({ requestId: 'sr-1', claimId: 'c1', candidates: [cand('t1')] })).toEqual({
    technicianId: 't1',
    openJobs: 0,
  });
  expect(warnings.map((l) => JSON.parse(l))).toEqual([
    expect.objectContaining({ err: 'visibility down', msg: expect.stringMatching(/legacy open jobs unavailable/) }),
  ]);
});

test('a malformed claim fails the activity for good (no retries of the same input)', async () => {
  const acts = dispatchActivities(deps());
  const err = await acts.claimTechnician({ requestId: 'sr-1', claimId: '', candidates: [cand('t1')] }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ type: 'ClaimRefused', nonRetryable: true, message: expect.stringMatching(/claimId/) });
});

test('findCandidates gives each candidate its radius and star (what the board ranks by)', async () => {
  const policy: DispatchPolicy = { radiusKm: 30, preferredRating: 0.95, skillsByCategory: {}, skillsByType: {}, maxCandidates: 5 };
  const tech = (id: string, rating: number, lat: number): Technician => ({
    id,
    name: id,
    workNumber: id,
    phone: '+8613800138000',
    skills: ['washer'],
    tier: 2,
    home: { lat, lng: 121.47 },
    rating,
    active: true,
  });
  const acts = dispatchActivities(
    deps({
      directory: { list: async () => [tech('near', 0.99, 31.24), tech('far', 0.8, 32.5)], get: async () => null },
      openJobs: async () => ({}),
    } as Partial<ActivityDeps>),
  );
  const found = await acts.findCandidates({
    requestId: 'sr-1',
    category: 'washer',
    type: 'repair',
    location: { lat: 31.23, lng: 121.47 },
    exclude: [],
    minTier: 0,
    policy,
  });
  expect(found.map(({ technicianId, withinRadius, starred }) => ({ technicianId, withinRadius, starred }))).toEqual([
    { technicianId: 'near', withinRadius: true, starred: true },
    { technicianId: 'far', withinRadius: false, starred: false },
  ]);
  const unlocated = await acts.findCandidates({ requestId: 'sr-1', category: 'washer', type: 'repair', exclude: [], minTier: 0, policy });
  expect(unlocated.map((c) => c.withinRadius)).toEqual([null, null]);
});
