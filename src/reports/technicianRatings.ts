/**
 * Technician ratings from outcomes (dispatch prefers "service stars", rated ≥ 95 %): the share of a technician's
 * closed, scored requests the customer rated 4 or 5. With fewer than `minScored` scored requests the
 * roster's rating stands (undefined here); dispatch then falls back to it.
 * Counted in Temporal visibility (two counts per technician), cached briefly: dispatch asks for every
 * eligible technician on every request. With a reporting database, databaseRatings reads the same counts there.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { keyedCache } from '../runtime/keyedCache';
import { SA } from '../temporal/searchAttributes';

export interface RatingOptions {
  /** Fewer scored closed requests than this → undefined (roster rating). Default 5. */
  minScored?: number;
  /** Scores at or above count as satisfied. Default 4. */
  satisfiedAtLeast?: number;
  /** Cache lifetime per technician, ms (default 60 s; 0 = no cache). */
  ttlMs?: number;
  now?: () => number;
}

export type RatingsLookup = (technicianIds: string[]) => Promise<Record<string, number | undefined>>;

const TECHNICIAN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** satisfied / rated, or undefined below the minimum sample. */
export function ratingFromCounts(satisfied: number, rated: number, minScored = 5): number | undefined {
  if (rated < Math.max(1, minScored)) return undefined;
  return satisfied / rated;
}

export function ratingQueries(technicianId: string, satisfiedAtLeast = 4): { rated: string; satisfied: string } {
  if (!TECHNICIAN_ID.test(technicianId)) throw new Error(`refusing technician id ${JSON.stringify(technicianId)} in a visibility query`);
  const base = `${SA.TechnicianId.name} = '${technicianId}' AND ExecutionStatus != 'Running'`;
  return {
    rated: `${base} AND ${SA.SatisfactionScore.name} >= 1`,
    satisfied: `${base} AND ${SA.SatisfactionScore.name} >= ${satisfiedAtLeast}`,
  };
}

export function technicianRatings(client: Client, opts: RatingOptions = {}): RatingsLookup {
  const minScored = opts.minScored ?? 5;
  const satisfiedAtLeast = opts.satisfiedAtLeast ?? 4;
  const lookup = keyedCache(
    async (id) => {
      const q = ratingQueries(id, satisfiedAtLeast);
      const [s, r] = await Promise.all([client.workflow.count(q.satisfied), client.workflow.count(q.rated)]);
      return ratingFromCounts(s.count, r.count, minScored);
    },
    opts.ttlMs ?? 60_000,
    opts.now,
  );
  return (ids) => lookup(ids.filter((id) => TECHNICIAN_ID.test(id)));
}

/**
 * The same rating from the reporting database (when one is configured): the technician's closed requests
 * (`closed_at` set) with a score ≥ 1, and those scored at least `satisfiedAtLeast` — one indexed query per technician
 * (requests_technician_scored), cached like the Temporal version. The request's technician is the one holding it
 * (`technician_id`), as the TechnicianId search attribute.
 */
export function databaseRatings(pool: Pool, opts: RatingOptions = {}): RatingsLookup {
  const minScored = opts.minScored ?? 5;
  const satisfiedAtLeast = opts.satisfiedAtLeast ?? 4;
  const lookup = keyedCache(
    async (id) => {
      const r = await pool.query<{ rated: number; satisfied: number }>(
        `SELECT count(*)::int AS rated, count(*) FILTER (WHERE score >= $2)::int AS satisfied
         FROM requests WHERE technician_id = $1 AND closed_at IS NOT NULL AND score IS NOT NULL AND score >= 1`,
        [id, satisfiedAtLeast],
      );
      return ratingFromCounts(r.rows[0]?.satisfied ?? 0, r.rows[0]?.rated ?? 0, minScored);
    },
    opts.ttlMs ?? 60_000,
    opts.now,
  );
  return (ids) => lookup(ids.filter((id) => TECHNICIAN_ID.test(id)));
}

/** `primary`, or `fallback` when it fails (the reporting database down: dispatch still gets Temporal's counts). */
export function ratingsWithFallback(primary: RatingsLookup, fallback: RatingsLookup): RatingsLookup {
  return (ids) => primary(ids).catch(() => fallback(ids));
}
