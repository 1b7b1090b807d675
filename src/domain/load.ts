/**
 * Exact technician load (issue 12): the dispatch board's book of reservations, one per request that holds a
 * technician, and the pick of the least loaded candidate by it. Pure and workflow-safe: the board workflow
 * (workflows/dispatchBoard.ts) and the test double (test/support/memoryBoard.ts) run this same code.
 */
import { compareDispatchOrder, type DispatchOrderKey, openJobsOf } from './dispatch';

/** A candidate as the board ranks it: the dispatch order's facts, minus the load (the board counts that). */
export interface BoardCandidate {
  technicianId: string;
  withinRadius: boolean | null;
  starred: boolean;
  distanceKm?: number;
}

export interface ClaimArgs {
  requestId: string;
  /** One per assignment attempt: the same claim again (an activity retry) gets the same answer. */
  claimId: string;
  candidates: BoardCandidate[];
  /** Ops' manual choice: reserved as is, whatever the load. */
  force?: string;
  /** Open jobs the board cannot see (requests of lifecycles before the board), per technician. */
  baseline?: Record<string, number>;
}

/** The reserved technician and their open jobs before this one. */
export interface BoardPick {
  technicianId: string;
  openJobs: number;
}

export interface ReleaseArgs {
  requestId: string;
  claimId: string;
}

export interface Reservation {
  technicianId: string;
  claimId: string;
  /** When it was made (workflow time, ISO). */
  at: string;
  /** What the claim answered, so that a repeat answers the same. */
  openJobs: number;
}

export interface BoardLoad {
  /** Reservations per technician (technicians without any are absent). */
  counts: Record<string, number>;
  reservations: number;
}

/** requestId → its reservation. */
export type Book = Map<string, Reservation>;

/** The best candidate in dispatch order with `counts` as their open jobs; undefined for none. */
export function pickLeastLoaded(
  candidates: readonly BoardCandidate[],
  counts: Readonly<Record<string, number>>,
): BoardCandidate | undefined {
  let best: BoardCandidate | undefined;
  let bestKey: DispatchOrderKey | undefined;
  for (const c of candidates) {
    const key = { ...c, openJobs: openJobsOf(counts, c.technicianId) };
    if (!bestKey || compareDispatchOrder(key, bestKey) < 0) [best, bestKey] = [c, key];
  }
  return best;
}

/** Reservations per technician, leaving out one request's own (its claim replaces it). */
export function countsOf(book: Book, exceptRequestId?: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [requestId, r] of book) if (requestId !== exceptRequestId) counts[r.technicianId] = (counts[r.technicianId] ?? 0) + 1;
  return counts;
}

/**
 * Reserves the least loaded candidate (or `force`) for the request, replacing its earlier reservation; the same
 * claim again answers what it answered. Load = the other requests' reservations + the baseline. No candidate and
 * no force: the request holds nobody (null).
 */
export function claimOn(book: Book, a: ClaimArgs, at: string): BoardPick | null {
  const own = book.get(a.requestId);
  if (own?.claimId === a.claimId) return { technicianId: own.technicianId, openJobs: own.openJobs };
  const counts = countsOf(book, a.requestId);
  for (const id of Object.keys(a.baseline ?? {})) counts[id] = (counts[id] ?? 0) + openJobsOf(a.baseline ?? {}, id);
  const technicianId = a.force ?? pickLeastLoaded(a.candidates, counts)?.technicianId;
  if (technicianId === undefined) {
    book.delete(a.requestId);
    return null;
  }
  const openJobs = openJobsOf(counts, technicianId);
  book.set(a.requestId, { technicianId, claimId: a.claimId, at, openJobs });
  return { technicianId, openJobs };
}

/** Drops the request's reservation if it is still this claim's (a late release must not drop a newer claim). */
export function releaseOn(book: Book, a: ReleaseArgs): boolean {
  if (book.get(a.requestId)?.claimId !== a.claimId) return false;
  return book.delete(a.requestId);
}

/** A release the board can act on; anything else is dropped (a signal has no validator to refuse it). */
export function isRelease(a: unknown): a is ReleaseArgs {
  return isRecord(a) && isId(a.requestId) && isId(a.claimId);
}

export function loadOf(book: Book): BoardLoad {
  return { counts: countsOf(book), reservations: book.size };
}

const MAX_ID = 200;
const MAX_CANDIDATES = 100;
const MAX_BASELINE = 1000;

const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function candidateProblem(c: unknown, i: number): string | undefined {
  if (!isRecord(c)) return `candidates[${i}] is not an object`;
  if (!isId(c.technicianId)) return `candidates[${i}].technicianId must be a non-empty string of at most ${MAX_ID} characters`;
  if (c.withinRadius !== null && typeof c.withinRadius !== 'boolean') return `candidates[${i}].withinRadius must be a boolean or null`;
  if (typeof c.starred !== 'boolean') return `candidates[${i}].starred must be a boolean`;
  const km = c.distanceKm;
  if (km !== undefined && !(typeof km === 'number' && Number.isFinite(km) && km >= 0))
    return `candidates[${i}].distanceKm must be a finite number ≥ 0`;
  return undefined;
}

/** Why a claim is malformed, or undefined. The board refuses such a claim before it records anything. */
export function claimProblem(a: unknown): string | undefined {
  if (!isRecord(a)) return 'claim must be an object';
  if (!isId(a.requestId)) return `requestId must be a non-empty string of at most ${MAX_ID} characters`;
  if (!isId(a.claimId)) return `claimId must be a non-empty string of at most ${MAX_ID} characters`;
  if (!Array.isArray(a.candidates) || a.candidates.length > MAX_CANDIDATES)
    return `candidates must be an array of at most ${MAX_CANDIDATES}`;
  for (const [i, c] of a.candidates.entries()) {
    const p = candidateProblem(c, i);
    if (p) return p;
  }
  if (a.force !== undefined && !isId(a.force)) return 'force must be a technician id';
  if (a.baseline !== undefined) {
    if (!isRecord(a.baseline) || Object.keys(a.baseline).length > MAX_BASELINE)
      return `baseline must be an object of at most ${MAX_BASELINE} counts`;
    for (const [id, n] of Object.entries(a.baseline))
      if (!(typeof n === 'number' && Number.isInteger(n) && n >= 0)) return `baseline.${id} must be an integer ≥ 0`;
  }
  return undefined;
}
