/** The daily report's query and response (src/reports/daily.ts DailyReport; keep the two in step). */
import { Type, type TSchema } from 'typebox';
import { CHANNELS, COMPLAINT_CLASSES, MILESTONES, REQUEST_TYPES, STATUSES, URGENCIES } from '../../domain/types';

const Count = Type.Integer({ minimum: 0 });
const Rate = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
  description: 'Fraction 0..1; null when nothing to count',
});
const counts = (keys: readonly string[], description?: string) =>
  Type.Object(Object.fromEntries(keys.map((k) => [k, Count])) as Record<string, TSchema>, description ? { description } : {});

const Format = Type.Optional(
  Type.Union([Type.Literal('json'), Type.Literal('csv')], {
    description: 'json (default) or csv: text/csv, UTF-8 with a byte-order mark (docs/operations.md, CSV)',
  }),
);

export const DailyReportQuery = Type.Object(
  {
    format: Format,
    date: Type.Optional(
      Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}$',
        format: 'date',
        maxLength: 10,
        description: 'Local date (policy time zone), YYYY-MM-DD; default today',
      }),
    ),
  },
  { additionalProperties: false },
);

const SlaLine = Type.Object({ met: Count, breached: Count, pending: Count, complianceRate: Rate });
const Fen = (description: string) => Type.Integer({ minimum: 0, description: `${description}; smallest currency unit (fen)` });
const PaymentLine = Type.Object({ count: Count, amount: Fen('Sum of the payments') });
const Hours = Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'Hours; null when no order arrived' });

export const DailyReportResponse = Type.Object(
  {
    date: Type.String(),
    timeZone: Type.String(),
    from: Type.String({ description: 'Start of the local day (UTC)' }),
    to: Type.String({ description: 'End of the local day, exclusive (UTC)' }),
    generatedAt: Type.String(),
    source: Type.Union([Type.Literal('database'), Type.Literal('temporal')], {
      description: 'Where the states were read: the reporting database (DATABASE_URL) or Temporal',
    }),
    volume: Type.Object({
      total: Count,
      byType: counts(REQUEST_TYPES),
      byChannel: counts(CHANNELS),
      byUrgency: counts(URGENCIES),
      vip: Count,
    }),
    byStatus: counts(STATUSES, "Where the day's requests are now"),
    sla: Type.Object(Object.fromEntries(MILESTONES.map((m) => [m, SlaLine])) as Record<string, TSchema>, {
      description:
        'Deadline instances per milestone: met on time / breached (also if met late) / still pending. complianceRate = met / (met + breached)',
    }),
    firstTimeFix: Type.Object(
      {
        visited: Count,
        fixedFirstVisit: Count,
        repeated: Type.Integer({
          minimum: 0,
          description: 'Visited requests whose fix a later repeat repair of the same product undid (counted as not fixed first visit)',
        }),
        rate: Rate,
      },
      {
        description:
          'Among requests with a finished visit, those resolved at the first visit (a request reopened by a call-back, or ' +
          'repeated by a later repair of the same product, was not); remote resolutions are left out',
      },
    ),
    resolution: Type.Object(
      { eligible: Count, resolved: Count, cancelled: Count, rate: Rate },
      { description: 'Resolved (by a visit or remotely, not reopened since) / (received − cancelled)' },
    ),
    satisfaction: Type.Object(
      { rated: Count, averageScore: Type.Union([Type.Number(), Type.Null()]), lowScores: Count, lowScoreShare: Rate },
      { description: 'Scores 1..5; low = ≤ 3' },
    ),
    complaints: Count,
    complaintProcess: Type.Object(
      {
        byClass: counts(COMPLAINT_CLASSES, 'Lifecycle-5 complaints by class (as analysed)'),
        repeats: Count,
        accountability: Count,
        productFeedback: Count,
      },
      {
        description:
          'Lifecycle 5: complaints with a process — by class, repeats (raised a level), closed with an accountability outcome, ' +
          'product complaints reported to production and engineering',
      },
    ),
    remoteResolutions: Type.Integer({ minimum: 0, description: 'Requests resolved without a visit; not in firstTimeFix.visited' }),
    revisits: Type.Integer({ minimum: 0, description: 'Requests reopened because a call-back found the fault not fixed' }),
    repeatRepairs: Type.Integer({
      minimum: 0,
      description: "Repairs taken in this day that repeat an earlier fixed repair of the same customer's product (二次上门)",
    }),
    callbacks: Type.Object(
      { reached: Count, notReached: Count, unreachable: Count, notFixed: Count },
      {
        description:
          'Satisfaction call-backs (回访): calls that reached the customer, unanswered calls (each attempt), customers never ' +
          'reached, answers "not fixed"',
      },
    ),
    callbackComplaints: Type.Object({ staff: Count, product: Count }, { description: 'Complaints raised during call-backs' }),
    escalations: Type.Object({
      escalatedRequests: Count,
      requestsByLevel: counts(['0', '1', '2', '3'], 'Requests by the highest level reached'),
      eventsByLevel: counts(['1', '2', '3'], 'Escalation events per level'),
    }),
    warranty: Type.Object(
      { inWarranty: Count, outOfWarranty: Count, chargeable: Count },
      {
        description:
          'Warranty judged at intake (lifecycle 4): requests in / out of warranty, and those chargeable (out of warranty, or a cause ' +
          'the warranty excludes found at diagnosis). Requests of older lifecycles are not counted',
      },
    ),
    quotes: Type.Object(
      { issued: Count, approved: Count, declined: Count, expired: Count, pending: Count },
      {
        description:
          'Quotes, each counted: issued; approved; declined (by the customer, or the request closed quote_declined when the quote ' +
          'expired undecided); expired (its expiry passed, also if decided afterwards); pending (undecided, the request still open)',
      },
    ),
    revenue: Type.Object(
      {
        labour: Fen('Labour charged on the service reports of chargeable repairs'),
        parts: Fen('Parts charged on the service reports of chargeable repairs'),
        visitFees: Fen('Visit fees of declined quotes'),
        total: Fen('labour + parts + visitFees'),
        currency: Type.Union([Type.String(), Type.Null()], { description: 'Currency of the amounts; null when there were none' }),
      },
      { description: 'Charged, in the smallest currency unit (fen); an approved repair not completed yet is not counted' },
    ),
    payments: Type.Object(
      { on_site: PaymentLine, invoice: PaymentLine, paid: PaymentLine, waived: PaymentLine },
      { description: 'Payments recorded per method (count, amount in fen); paid = on_site + invoice, waivers apart' },
    ),
    partsConsumed: Type.Array(
      Type.Object({
        ref: Type.String({ description: 'Part number' }),
        name: Type.Object({ zh: Type.String(), en: Type.String() }),
        quantity: Type.Integer({ minimum: 0, description: 'Units fitted' }),
        oldPartShown: Type.Integer({ minimum: 0, description: 'Service-report lines whose old part was shown to the customer' }),
      }),
      { description: 'Spare parts fitted (service reports), per part number, sorted by it' },
    ),
    waitedForParts: Type.Object(
      { requests: Count, orders: Count, arrived: Count, averageHours: Hours, maxHours: Hours, overdueOrders: Count },
      {
        description:
          'Requests with a parts order; orders; arrived orders and their wait from the order to the arrival (average, max hours); ' +
          'orders whose expected date passed',
      },
    ),
    returns: Type.Object(
      {
        received: Count,
        refusedAtIntake: Count,
        refusedAfterInspection: Count,
        refunds: Count,
        replacements: Count,
        repairs: Count,
        settled: Count,
        open: Count,
      },
      {
        description:
          'Returns and exchanges (lifecycle 5): received; refused at intake (window passed) or after the inspection; refunds, ' +
          'replacements and repairs instead approved; settled; open (not decided yet)',
      },
    ),
    unreadable: Type.Array(Type.Object({ requestId: Type.String(), reason: Type.String() }), {
      description: 'Requests listed for the day whose state could not be read; non-empty means the report is incomplete',
    }),
  },
  { description: 'Daily service summary (日服务数据汇总表)' },
);

// ── Weekly, monthly and appraisal reports (src/reports/period.ts, appraisal.ts; reporting database only) ──

export const WeeklyReportQuery = Type.Object(
  {
    week: Type.Optional(
      Type.String({ pattern: '^\\d{4}-W\\d{2}$', maxLength: 8, description: 'ISO week YYYY-Www (policy time zone); default this week' }),
    ),
    format: Format,
  },
  { additionalProperties: false },
);

export const MonthlyReportQuery = Type.Object(
  {
    month: Type.Optional(
      Type.String({ pattern: '^\\d{4}-\\d{2}$', maxLength: 7, description: 'Month YYYY-MM (policy time zone); default this month' }),
    ),
    format: Format,
  },
  { additionalProperties: false },
);

const Avg = Type.Union([Type.Number(), Type.Null()], { description: 'Average; null when nothing to average' });
const Minutes = Type.Object({ count: Count, average: Avg });
const Period = {
  kind: Type.Union([Type.Literal('week'), Type.Literal('month')]),
  period: Type.String({ description: '2026-W48 or 2026-11' }),
  timeZone: Type.String(),
  from: Type.String({ description: 'Start of the local period (UTC)' }),
  to: Type.String({ description: 'End of the local period, exclusive (UTC)' }),
  generatedAt: Type.String(),
  source: Type.Literal('database'),
};
const breakdownFields = {
  key: Type.String(),
  requests: Count,
  repairs: Count,
  resolved: Count,
  charged: Fen('Charged'),
  rated: Count,
  averageScore: Avg,
};
const Breakdown = Type.Array(Type.Object(breakdownFields));

export const PeriodReportResponse = Type.Object(
  {
    ...Period,
    totals: Type.Object({ received: Count, closed: Count, resolved: Count, cancelled: Count, vip: Count }),
    sla: Type.Record(Type.String(), Type.Object({ met: Count, breached: Count, complianceRate: Rate }), {
      description: 'Per milestone: deadline instances met on time / breached (also if met late)',
    }),
    times: Type.Object(
      { acceptMinutes: Minutes, responseMinutes: Minutes, arrivalMinutes: Minutes },
      { description: 'Minutes: assignment → accepted; response and on-site deadlines: start → met' },
    ),
    firstTimeFix: Type.Object({ visited: Count, fixedFirstVisit: Count, repeated: Count, rate: Rate }),
    repeatRepairs: Count,
    complaints: Type.Object({ total: Count, byClass: Type.Record(Type.String(), Count) }),
    satisfaction: Type.Object({ rated: Count, averageScore: Avg, lowScores: Count, lowScoreShare: Rate }),
    charges: Type.Object({ total: Fen('Charged'), currency: Type.Union([Type.String(), Type.Null()]) }),
    byProductModel: Type.Array(Type.Object({ ...breakdownFields, category: Type.String() })),
    byFaultCause: Breakdown,
    byRegion: Breakdown,
    byChannel: Breakdown,
    byType: Breakdown,
    frequentProblems: Type.Array(Type.Object({ productModel: Type.String(), faultCause: Type.String(), requests: Count })),
  },
  { description: 'Weekly or monthly summary (周报 / 月报)' },
);

export const AppraisalReportResponse = Type.Object(
  {
    ...Period,
    technicians: Type.Array(
      Type.Object({
        technicianId: Type.String(),
        satisfaction: Type.Object({ rated: Count, averageScore: Avg, lowScores: Count }),
        accept: Type.Object({ count: Count, averageMinutes: Avg }),
        arrival: Type.Object({ onTime: Count, late: Count, onTimeRate: Rate, averageMinutes: Avg }),
        firstTimeFix: Type.Object({ visited: Count, fixedFirstVisit: Count, rate: Rate }),
        repeatRepairs: Type.Object({ fixes: Count, repeated: Count, rate: Rate }),
        complaints: Count,
        records: Type.Object({ known: Count, complete: Count, rate: Rate }),
      }),
    ),
  },
  { description: "Technicians' monthly appraisal (服务人员月度考核)" },
);
