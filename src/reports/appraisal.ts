/**
 * The technician's monthly appraisal (服务人员月度考核) from the reporting database: one line per technician who
 * appears in the month's requests. The month holds the requests received in it, in the policy's time zone (the
 * period reports' rule, ./period.ts); each figure is credited to the technician the request's facts name:
 *
 * - satisfaction: the scores of requests whose technician (the one holding the request when it was scored, the
 *   request's `technician_id`) they are: count, average, low (≤ 3);
 * - accept time: assignment → acceptance of their assignments (`accepted` events), average minutes;
 * - arrival: their `on_site` deadline instances (the visit's technician when met or breached): arrival time =
 *   deadline start → met, average minutes over the met ones; on time = met with no lateness; late = met late or
 *   breached; on-time rate = on time / (on time + late);
 * - first-time fix: requests whose first visit was theirs and finished (`visit_result` of visit 1), fixed first
 *   time as in the daily report (resolved, not reopened, no parts wait, no later repeat repair); rate over those;
 * - repeat repairs: their fixes that hold (`fixed_by`) which a later repeat repair names (`repeat_of`, 二次上门),
 *   whenever that repeat was taken in; rate over their fixes;
 * - complaints: complaints received in the month that name them (the accountable technician, else the technician
 *   of the request complained about);
 * - record completeness: their fixes whose service record is complete (photos passed, report stored), over their
 *   fixes where it is known.
 * Rates are fractions 0..1, null with nothing to count. Technicians are sorted by id.
 */
import type { Pool } from 'pg';
import { toCsv } from './csv';
import { minutes, PERIOD_REQUESTS, periodEvents, ratio, REPEATED, type PeriodBounds, type ReportQueryOptions } from './period';

export interface TechnicianAppraisal {
  technicianId: string;
  satisfaction: { rated: number; averageScore: number | null; lowScores: number };
  accept: { count: number; averageMinutes: number | null };
  arrival: { onTime: number; late: number; onTimeRate: number | null; averageMinutes: number | null };
  firstTimeFix: { visited: number; fixedFirstVisit: number; rate: number | null };
  repeatRepairs: { fixes: number; repeated: number; rate: number | null };
  complaints: number;
  records: { known: number; complete: number; rate: number | null };
}

export interface AppraisalReport extends PeriodBounds {
  generatedAt: string;
  source: 'database';
  technicians: TechnicianAppraisal[];
}

type Row = Record<string, number | string | null>;

export async function appraisalReport(pool: Pool, bounds: PeriodBounds, o: ReportQueryOptions = {}): Promise<AppraisalReport> {
  const args = [bounds.from, bounds.to];
  const [scores, events, fixes, complaints] = await Promise.all([
    pool.query<Row>(
      `WITH ${PERIOD_REQUESTS}
       SELECT technician_id AS t, count(score)::int AS rated, avg(score)::float8 AS avg, count(*) FILTER (WHERE score <= $3)::int AS low
       FROM p WHERE technician_id IS NOT NULL AND score IS NOT NULL GROUP BY 1`,
      [...args, o.lowScoreAtMost ?? 3],
    ),
    // One pass over the month's acceptance, on-site deadline and first-visit events.
    pool.query<Row>(
      `WITH ${PERIOD_REQUESTS}, ${periodEvents(['accepted', 'deadline_met', 'deadline_breached', 'visit_result'])},
       d AS (SELECT (array_agg(technician_id ORDER BY kind = 'deadline_met' DESC))[1] AS t,
                    bool_or(kind = 'deadline_breached' OR coalesce(late_by_ms, 0) > 0) AS late,
                    max(duration_ms) FILTER (WHERE kind = 'deadline_met') AS arrived_ms
             FROM e WHERE kind IN ('deadline_met', 'deadline_breached') AND milestone = 'on_site'
             GROUP BY request_id, visit)
       SELECT 'accept' AS part, technician_id AS t, count(*)::int AS a, 0 AS b, avg(duration_ms)::float8 AS avg_ms
       FROM e WHERE kind = 'accepted' AND technician_id IS NOT NULL GROUP BY 2
       UNION ALL
       SELECT 'arrival', t, count(*) FILTER (WHERE NOT late)::int, count(*) FILTER (WHERE late)::int, avg(arrived_ms)::float8
       FROM d WHERE t IS NOT NULL GROUP BY 2
       UNION ALL
       SELECT 'first', technician_id, count(*)::int,
              count(*) FILTER (WHERE first_time_fix AND NOT ${REPEATED('e')})::int, NULL
       FROM e WHERE kind = 'visit_result' AND visit = 1 AND first_time_fix IS NOT NULL AND technician_id IS NOT NULL GROUP BY 2`,
      args,
    ),
    pool.query<Row>(
      `WITH ${PERIOD_REQUESTS}
       SELECT fixed_by AS t, count(*)::int AS fixes, count(*) FILTER (WHERE ${REPEATED('p')})::int AS repeated,
              count(record_complete)::int AS known, count(*) FILTER (WHERE record_complete)::int AS complete
       FROM p WHERE fixed_by IS NOT NULL GROUP BY 1`,
      args,
    ),
    pool.query<Row>(
      `WITH ${PERIOD_REQUESTS}
       SELECT complaint_technician AS t, count(*)::int AS n FROM p WHERE complaint_technician IS NOT NULL GROUP BY 1`,
      args,
    ),
  ]);
  const by = (rows: Row[]) => new Map(rows.map((r) => [r.t as string, r]));
  const part = (name: string) => by(events.rows.filter((r) => r.part === name));
  const [s, x, c] = [scores, fixes, complaints].map((q) => by(q.rows));
  const [a, v, f] = [part('accept'), part('arrival'), part('first')];
  const ids = new Set<string>();
  for (const m of [s, a, v, f, x, c]) for (const id of m!.keys()) ids.add(id);
  const n = (r: Row | undefined, k: string): number => Number(r?.[k] ?? 0);
  const avg = (r: Row | undefined, k: string): number | null => (r?.[k] === null || r?.[k] === undefined ? null : Number(r[k]));
  const technicians = [...ids].sort().map((id): TechnicianAppraisal => {
    const [sr, ar, vr, fr, xr, cr] = [s, a, v, f, x, c].map((m) => m!.get(id));
    return {
      technicianId: id,
      satisfaction: { rated: n(sr, 'rated'), averageScore: avg(sr, 'avg'), lowScores: n(sr, 'low') },
      accept: { count: n(ar, 'a'), averageMinutes: minutes(avg(ar, 'avg_ms')) },
      arrival: {
        onTime: n(vr, 'a'),
        late: n(vr, 'b'),
        onTimeRate: ratio(n(vr, 'a'), n(vr, 'a') + n(vr, 'b')),
        averageMinutes: minutes(avg(vr, 'avg_ms')),
      },
      firstTimeFix: { visited: n(fr, 'a'), fixedFirstVisit: n(fr, 'b'), rate: ratio(n(fr, 'b'), n(fr, 'a')) },
      repeatRepairs: { fixes: n(xr, 'fixes'), repeated: n(xr, 'repeated'), rate: ratio(n(xr, 'repeated'), n(xr, 'fixes')) },
      complaints: n(cr, 'n'),
      records: { known: n(xr, 'known'), complete: n(xr, 'complete'), rate: ratio(n(xr, 'complete'), n(xr, 'known')) },
    };
  });
  return { ...bounds, generatedAt: new Date((o.now ?? Date.now)()).toISOString(), source: 'database', technicians };
}

const APPRAISAL_COLUMNS = [
  'month',
  'technician',
  'rated',
  'average_score',
  'low_scores',
  'accepts',
  'accept_avg_minutes',
  'arrivals_on_time',
  'arrivals_late',
  'on_time_rate',
  'arrival_avg_minutes',
  'first_visits',
  'fixed_first_visit',
  'first_time_fix_rate',
  'fixes',
  'repeated_fixes',
  'repeat_rate',
  'complaints',
  'records_known',
  'records_complete',
  'record_complete_rate',
];

/** One line per technician (a wide sheet: the appraisal is read across). */
export function appraisalCsv(r: AppraisalReport): string {
  return toCsv(
    APPRAISAL_COLUMNS,
    r.technicians.map((t) => [
      r.period,
      t.technicianId,
      t.satisfaction.rated,
      t.satisfaction.averageScore,
      t.satisfaction.lowScores,
      t.accept.count,
      t.accept.averageMinutes,
      t.arrival.onTime,
      t.arrival.late,
      t.arrival.onTimeRate,
      t.arrival.averageMinutes,
      t.firstTimeFix.visited,
      t.firstTimeFix.fixedFirstVisit,
      t.firstTimeFix.rate,
      t.repeatRepairs.fixes,
      t.repeatRepairs.repeated,
      t.repeatRepairs.rate,
      t.complaints,
      t.records.known,
      t.records.complete,
      t.records.rate,
    ]),
  );
}
