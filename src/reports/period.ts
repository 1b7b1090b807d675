/**
 * Weekly and monthly summaries from the reporting database (docs/operations.md, "Weekly and monthly reports"). The
 * aggregates are computed by PostgreSQL; Node only reads the totals.
 *
 * Which requests a period holds: those received within it, in the policy's time zone (the daily report's rule): a
 * request received at 23:30 on 30 November in Shanghai belongs to November — its whole life (deadlines met,
 * visits, score, charges), even when it closes in December. A request is counted once, in one period; its figures
 * change while it is open, so a past month's report may still move for requests received late in it.
 *
 * Definitions:
 * - totals: received; closed (closed_at set); resolved (a fix that holds: fixed_at set); cancelled; VIP;
 * - SLA per milestone: deadline instances (request, milestone, visit) that were met on time / breached (a breach
 *   event, or met late); still running deadlines have no event yet and are not counted. Compliance = met / (met +
 *   breached);
 * - times, in minutes, averaged over the period's requests: acceptance (assignment → the technician accepted, each
 *   acceptance counted), response (the `response` deadline's start → met) and arrival (the `on_site` deadline's
 *   start → met);
 * - first-time fix: as the daily report — requests with a finished visit (`first_time_fix` not null); fixed first
 *   time when the first visit resolved it, it was not reopened, did not wait for parts, and no later repeat repair
 *   names it (`repeated`);
 * - repeat repairs: requests of the period that repeat an earlier repair (二次上门, `repeat_of` set);
 * - complaints: requests of type complaint; by class as analysed (requests with a complaint process);
 * - satisfaction: scores given; average; low = score ≤ 3 (lowScoreAtMost);
 * - charges: what the requests were charged (service report of a chargeable repair plus visit fee), in fen;
 * - breakdowns by product model (with its category), fault cause (`(none)` when no diagnosis named one), region,
 *   channel and request type: requests, repairs (type repair), resolved, charges, scores;
 * - frequent problems: the ten most frequent (product model, fault cause) pairs among the period's requests with a
 *   fault cause (the weekly review of frequent problems).
 * Rates are fractions 0..1, null when their denominator is 0.
 */
import { DateTime } from 'luxon';
import type { Pool } from 'pg';
import { ReportDateError } from './daily';

export type PeriodKind = 'week' | 'month';

export const WEEK_PATTERN = /^\d{4}-W\d{2}$/;
export const MONTH_PATTERN = /^\d{4}-\d{2}$/;

export interface PeriodBounds {
  kind: PeriodKind;
  /** 2026-W48 or 2026-11. */
  period: string;
  timeZone: string;
  /** UTC instants of the local period: [from, to). */
  from: string;
  to: string;
}

/** The local ISO week (`YYYY-Www`, Monday to Monday) or month (`YYYY-MM`) as a UTC interval; DST-safe. */
export function periodBounds(kind: PeriodKind, period: string, timeZone: string): PeriodBounds {
  const field = kind === 'week' ? 'week' : 'month';
  const pattern = kind === 'week' ? WEEK_PATTERN : MONTH_PATTERN;
  const shape = kind === 'week' ? 'YYYY-Www (ISO week, e.g. 2026-W48)' : 'YYYY-MM';
  if (!pattern.test(period)) throw new ReportDateError(`${field}: "${period}" is not ${shape}`);
  const start = DateTime.fromISO(period, { zone: timeZone });
  if (!start.isValid) {
    throw new ReportDateError(
      start.invalidReason === 'unsupported zone' ? `unknown time zone ${timeZone}` : `${field}: "${period}" is not a calendar ${field}`,
    );
  }
  // luxon accepts week 53 of a year that has 52 and rolls over: refuse it.
  if (kind === 'week' && `${start.weekYear}-W${String(start.weekNumber).padStart(2, '0')}` !== period)
    throw new ReportDateError(`week: "${period}" is not a calendar week`);
  const from = start.startOf(kind === 'week' ? 'week' : 'month');
  const to = from.plus(kind === 'week' ? { weeks: 1 } : { months: 1 });
  return { kind, period, timeZone, from: from.toUTC().toISO()!, to: to.toUTC().toISO()! };
}

export interface PeriodSla {
  met: number;
  breached: number;
  complianceRate: number | null;
}

export interface BreakdownLine {
  key: string;
  requests: number;
  repairs: number;
  resolved: number;
  /** fen */
  charged: number;
  rated: number;
  averageScore: number | null;
}

export interface ProductModelLine extends BreakdownLine {
  category: string;
}

export interface PeriodReport extends PeriodBounds {
  generatedAt: string;
  source: 'database';
  totals: { received: number; closed: number; resolved: number; cancelled: number; vip: number };
  sla: Record<string, PeriodSla>;
  times: {
    /** Assignment → accepted, minutes; each acceptance counted. */
    acceptMinutes: { count: number; average: number | null };
    /** `response` deadline: start → met, minutes. */
    responseMinutes: { count: number; average: number | null };
    /** `on_site` deadline: start → met (arrival), minutes. */
    arrivalMinutes: { count: number; average: number | null };
  };
  firstTimeFix: { visited: number; fixedFirstVisit: number; repeated: number; rate: number | null };
  repeatRepairs: number;
  complaints: { total: number; byClass: Record<string, number> };
  satisfaction: { rated: number; averageScore: number | null; lowScores: number; lowScoreShare: number | null };
  /** fen; currency null when nothing was charged. */
  charges: { total: number; currency: string | null };
  byProductModel: ProductModelLine[];
  byFaultCause: BreakdownLine[];
  byRegion: BreakdownLine[];
  byChannel: BreakdownLine[];
  byType: BreakdownLine[];
  frequentProblems: { productModel: string; faultCause: string; requests: number }[];
}

export interface ReportQueryOptions {
  /** Scores at or below are low (default 3). */
  lowScoreAtMost?: number;
  now?: () => number;
}

export const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);
/** Milliseconds → minutes, to a tenth. */
export const minutes = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 6_000) / 10);

/** The period's requests, as a CTE (parameters $1 from, $2 to). */
export const PERIOD_REQUESTS = 'p AS (SELECT * FROM requests WHERE received_at >= $1 AND received_at < $2)';
/**
 * The period's requests' events of these kinds, as CTE `e` (after `p`). A lateral subquery kept from being flattened
 * (OFFSET 0): each request's events are read through the request_events_request index, rather than the planner
 * hashing the whole events table for a month's few thousand requests: 2.6 s → 0.2 s for a month of 100,000 requests on
 * PGlite (BENCHMARKS.md, "(f) Reports on the reporting database").
 */
export const periodEvents = (kinds: readonly string[]): string =>
  `e AS (SELECT p.first_time_fix, x.* FROM p CROSS JOIN LATERAL (SELECT * FROM request_events ev
     WHERE ev.request_id = p.request_id AND ev.kind IN (${kinds.map((k) => `'${k}'`).join(', ')}) OFFSET 0) x)`;

/** A later repeat repair names the request `x`. */
export const REPEATED = (x: string): string => `EXISTS (SELECT 1 FROM requests rr WHERE rr.repeat_of = ${x}.request_id)`;

const NONE = '(none)';

export async function periodReport(pool: Pool, bounds: PeriodBounds, o: ReportQueryOptions = {}): Promise<PeriodReport> {
  const args = [bounds.from, bounds.to];
  const low = o.lowScoreAtMost ?? 3;
  const [totals, classes, events, breakdowns, frequent] = await Promise.all([
    pool.query(
      `WITH ${PERIOD_REQUESTS}
       SELECT count(*)::int AS received,
              count(*) FILTER (WHERE closed_at IS NOT NULL)::int AS closed,
              count(*) FILTER (WHERE fixed_at IS NOT NULL)::int AS resolved,
              count(*) FILTER (WHERE status = 'cancelled' OR outcome = 'cancelled')::int AS cancelled,
              count(*) FILTER (WHERE vip)::int AS vip,
              count(*) FILTER (WHERE first_time_fix IS NOT NULL)::int AS visited,
              count(*) FILTER (WHERE first_time_fix AND NOT ${REPEATED('p')})::int AS fixed_first,
              count(*) FILTER (WHERE first_time_fix IS NOT NULL AND ${REPEATED('p')})::int AS repeated,
              count(*) FILTER (WHERE repeat_of IS NOT NULL)::int AS repeat_repairs,
              count(*) FILTER (WHERE type = 'complaint')::int AS complaints,
              count(score)::int AS rated,
              avg(score)::float8 AS average_score,
              count(*) FILTER (WHERE score <= $3)::int AS low_scores,
              coalesce(sum(charged_total), 0)::float8 AS charged,
              string_agg(DISTINCT currency, ',' ORDER BY currency) FILTER (WHERE charged_total > 0) AS currency
       FROM p`,
      [...args, low],
    ),
    pool.query(
      `WITH ${PERIOD_REQUESTS}
       SELECT complaint_class AS class, count(*)::int AS n FROM p WHERE complaint_class IS NOT NULL GROUP BY 1 ORDER BY 1`,
      args,
    ),
    // One pass over the period's deadline and acceptance events for both the SLA lines and the times.
    pool.query(
      `WITH ${PERIOD_REQUESTS}, ${periodEvents(['deadline_met', 'deadline_breached', 'accepted'])},
       d AS (SELECT milestone, bool_or(kind = 'deadline_breached' OR coalesce(late_by_ms, 0) > 0) AS late
             FROM e WHERE kind <> 'accepted' GROUP BY request_id, milestone, visit)
       SELECT 'sla' AS part, milestone AS what, count(*) FILTER (WHERE NOT late)::int AS met,
              count(*) FILTER (WHERE late)::int AS breached, NULL::float8 AS avg_ms
       FROM d GROUP BY milestone
       UNION ALL
       SELECT 'time', CASE WHEN kind = 'accepted' THEN 'accept' ELSE milestone END, count(*)::int, 0, avg(duration_ms)::float8
       FROM e WHERE kind = 'accepted' OR (kind = 'deadline_met' AND milestone IN ('response', 'on_site'))
       GROUP BY 2`,
      args,
    ),
    pool.query(
      `WITH ${PERIOD_REQUESTS}
       SELECT CASE WHEN GROUPING(product_model) = 0 THEN 'productModel' WHEN GROUPING(fault_cause) = 0 THEN 'faultCause'
                   WHEN GROUPING(region) = 0 THEN 'region' WHEN GROUPING(channel) = 0 THEN 'channel' ELSE 'type' END AS dim,
              CASE WHEN GROUPING(product_model) = 0 THEN product_model WHEN GROUPING(fault_cause) = 0 THEN coalesce(fault_cause, '${NONE}')
                   WHEN GROUPING(region) = 0 THEN region WHEN GROUPING(channel) = 0 THEN channel ELSE type END AS key,
              min(product_category) AS category,
              count(*)::int AS requests,
              count(*) FILTER (WHERE type = 'repair')::int AS repairs,
              count(*) FILTER (WHERE fixed_at IS NOT NULL)::int AS resolved,
              coalesce(sum(charged_total), 0)::float8 AS charged,
              count(score)::int AS rated,
              avg(score)::float8 AS average_score
       FROM p
       GROUP BY GROUPING SETS ((product_model), (fault_cause), (region), (channel), (type))`,
      args,
    ),
    pool.query(
      `WITH ${PERIOD_REQUESTS}
       SELECT product_model, fault_cause, count(*)::int AS n FROM p WHERE fault_cause IS NOT NULL
       GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 10`,
      args,
    ),
  ]);
  const t = totals.rows[0];
  const slaOut: Record<string, PeriodSla> = {};
  const sla = events.rows.filter((r) => r.part === 'sla').sort((x, y) => (x.what < y.what ? -1 : 1));
  for (const r of sla) slaOut[r.what] = { met: r.met, breached: r.breached, complianceRate: ratio(r.met, r.met + r.breached) };
  const time = (what: string) => {
    const r = events.rows.find((x) => x.part === 'time' && x.what === what);
    return { count: r?.met ?? 0, average: minutes(r?.avg_ms ?? null) }; // the union's columns are named by its first part
  };
  const lines = (dim: string): ProductModelLine[] =>
    breakdowns.rows
      .filter((r) => r.dim === dim)
      .map((r) => ({
        key: r.key,
        category: r.category,
        requests: r.requests,
        repairs: r.repairs,
        resolved: r.resolved,
        charged: r.charged,
        rated: r.rated,
        averageScore: r.average_score,
      }))
      .sort((a, b) => b.requests - a.requests || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const plain = (dim: string): BreakdownLine[] => lines(dim).map(({ category: _category, ...rest }) => rest);
  return {
    ...bounds,
    generatedAt: new Date((o.now ?? Date.now)()).toISOString(),
    source: 'database',
    totals: { received: t.received, closed: t.closed, resolved: t.resolved, cancelled: t.cancelled, vip: t.vip },
    sla: slaOut,
    times: { acceptMinutes: time('accept'), responseMinutes: time('response'), arrivalMinutes: time('on_site') },
    firstTimeFix: { visited: t.visited, fixedFirstVisit: t.fixed_first, repeated: t.repeated, rate: ratio(t.fixed_first, t.visited) },
    repeatRepairs: t.repeat_repairs,
    complaints: { total: t.complaints, byClass: Object.fromEntries(classes.rows.map((r) => [r.class, r.n])) },
    satisfaction: {
      rated: t.rated,
      averageScore: t.average_score,
      lowScores: t.low_scores,
      lowScoreShare: ratio(t.low_scores, t.rated),
    },
    charges: { total: t.charged, currency: t.currency },
    byProductModel: lines('productModel'),
    byFaultCause: plain('faultCause'),
    byRegion: plain('region'),
    byChannel: plain('channel'),
    byType: plain('type'),
    frequentProblems: frequent.rows.map((r) => ({ productModel: r.product_model, faultCause: r.fault_cause, requests: r.n })),
  };
}
