/**
 * The daily summary against a seeded day with known outcomes (Asia/Shanghai, UTC+8): every count and rate
 * below is worked out by hand from the seeds, including requests a minute either side of local midnight.
 */
import { computeDailyReport, dayBounds, localDate, ReportDateError } from '../../src/reports/daily';
import { formatDailyReport } from '../../src/reports/table';
import { dailyFromDatabase } from '../../src/reports/database';
import { startTestDb, type TestDb } from '../support/reportingDb';
import { projection, writeStates } from '../support/reportRequests';
import type { Channel, EscalationLevel, Milestone, RequestType, Status, Urgency } from '../../src/domain/types';
import type { DeadlineState } from '../../workflows/deadlines';
import type { ServiceRequestState } from '../../workflows/messages';

type EscalationRecord = ServiceRequestState['escalations'][number];

const TZ = 'Asia/Shanghai';
type DStatus = DeadlineState['status'];

function dl(milestone: Milestone, status: DStatus, visit = 1): DeadlineState {
  return {
    id: visit > 1 ? `${milestone}#${visit}` : milestone,
    milestone,
    visit,
    span: '1h',
    startedAt: '2026-11-25T00:00:00.000Z',
    dueAt: '2026-11-25T01:00:00.000Z',
    status,
    business: false,
  };
}

const esc = (level: EscalationLevel, reason: EscalationRecord['reason'], milestone?: Milestone): EscalationRecord => ({
  at: '2026-11-25T02:00:00.000Z',
  level,
  reason,
  ...(milestone ? { milestone } : {}),
});

interface Seed {
  id: string;
  at: string;
  type: RequestType;
  channel: Channel;
  urgency: Urgency;
  status: Status;
  vip?: boolean;
  deadlines: DeadlineState[];
  escalations?: EscalationRecord[];
  completion?: boolean[];
  score?: number;
  outcome?: ServiceRequestState['outcome'];
}

function state(s: Seed): ServiceRequestState {
  const escalations = s.escalations ?? [];
  return {
    requestId: s.id,
    ticket: s.id.slice(3).toUpperCase(),
    status: s.status,
    type: s.type,
    urgency: s.urgency,
    channel: s.channel,
    vip: s.vip ?? false,
    bodyHash: 'h',
    policyVersion: 'test',
    receivedAt: s.at,
    assignments: [],
    visit: Math.max(1, s.completion?.length ?? 1),
    deadlines: s.deadlines,
    escalationLevel: escalations.reduce<number>((m, e) => Math.max(m, e.level), 0) as EscalationLevel,
    escalations,
    timeline: [],
    photos: [],
    photoChecks: [],
    ...(s.completion ? { completion: s.completion.map((resolved) => ({ at: s.at, resolved, notes: '', technicianId: 't1' })) } : {}),
    ...(s.score !== undefined ? { feedback: { score: s.score, at: s.at } } : {}),
    ...(s.outcome ? { outcome: s.outcome } : {}),
  };
}

const ack = dl('acknowledge', 'met');

/** 2026-11-25 local = [2026-11-24T16:00Z, 2026-11-25T16:00Z). */
const DAY: ServiceRequestState[] = [
  // A — 00:01 local: a clean first-time fix, score 5.
  state({
    id: 'sr-a',
    at: '2026-11-24T16:01:00.000Z',
    type: 'repair',
    channel: 'hotline',
    urgency: 'normal',
    status: 'closed',
    outcome: 'closed',
    deadlines: [
      ack,
      dl('dispatch', 'met'),
      dl('accept', 'met'),
      dl('response', 'met'),
      dl('on_site', 'met'),
      dl('resolution', 'met'),
      dl('photos', 'met'),
    ],
    completion: [true],
    score: 5,
  }),
  // B — VIP installation: late dispatch (L1), late arrival (L2), unresolved first visit, fixed at the second; score 2.
  state({
    id: 'sr-b',
    at: '2026-11-25T01:00:00.000Z',
    type: 'installation',
    channel: 'online',
    urgency: 'urgent',
    status: 'closed',
    vip: true,
    outcome: 'closed',
    deadlines: [
      ack,
      dl('dispatch', 'breached'),
      dl('response', 'met'),
      dl('on_site', 'breached'),
      dl('resolution', 'met'),
      dl('dispatch', 'met', 2),
      dl('photos', 'met'),
      dl('follow_up', 'met'),
    ],
    escalations: [esc(1, 'breach', 'dispatch'), esc(2, 'breach', 'on_site'), esc(2, 'unresolved')],
    completion: [false, true],
    score: 2,
  }),
  // C — critical complaint, cancelled after dispatch.
  state({
    id: 'sr-c',
    at: '2026-11-25T03:00:00.000Z',
    type: 'complaint',
    channel: 'app',
    urgency: 'critical',
    status: 'cancelled',
    outcome: 'cancelled',
    deadlines: [ack, dl('dispatch', 'met'), dl('response', 'cancelled'), dl('on_site', 'cancelled'), dl('resolution', 'cancelled')],
  }),
  // D — complaint in progress; an SMS outage paged L1.
  state({
    id: 'sr-d',
    at: '2026-11-25T05:00:00.000Z',
    type: 'complaint',
    channel: 'store',
    urgency: 'normal',
    status: 'scheduled',
    deadlines: [ack, dl('dispatch', 'met'), dl('response', 'met'), dl('on_site', 'pending'), dl('resolution', 'pending')],
    escalations: [esc(1, 'sms_failure')],
  }),
  // E — 23:59 local: critical, no technician, dispatch and response broke (L1 → L3).
  state({
    id: 'sr-e',
    at: '2026-11-25T15:59:00.000Z',
    type: 'repair',
    channel: 'hotline',
    urgency: 'critical',
    status: 'dispatching',
    deadlines: [ack, dl('dispatch', 'breached'), dl('response', 'breached'), dl('on_site', 'pending'), dl('resolution', 'pending')],
    escalations: [esc(1, 'no_candidate'), esc(2, 'breach', 'dispatch'), esc(3, 'breach', 'response')],
  }),
  // F — unresolved first visit, waiting for the second dispatch.
  state({
    id: 'sr-f',
    at: '2026-11-25T07:00:00.000Z',
    type: 'maintenance',
    channel: 'online',
    urgency: 'urgent',
    status: 'escalated',
    deadlines: [
      ack,
      dl('dispatch', 'met'),
      dl('response', 'met'),
      dl('on_site', 'met'),
      dl('resolution', 'pending'),
      dl('dispatch', 'pending', 2),
    ],
    escalations: [esc(2, 'unresolved')],
    completion: [false],
  }),
  // G — return fixed at the first visit, photos late (L1), score 3 → follow-up.
  state({
    id: 'sr-g',
    at: '2026-11-25T09:00:00.000Z',
    type: 'return',
    channel: 'hotline',
    urgency: 'normal',
    status: 'closed',
    outcome: 'closed',
    deadlines: [
      ack,
      dl('dispatch', 'met'),
      dl('response', 'met'),
      dl('on_site', 'met'),
      dl('resolution', 'met'),
      dl('resolution_max', 'met'),
      dl('photos', 'breached'),
      dl('follow_up', 'met'),
    ],
    escalations: [esc(1, 'photos_missing', 'photos')],
    completion: [true],
    score: 3,
  }),
];

const OTHER_DAYS: ServiceRequestState[] = [
  // 23:59 local on the 24th — the day before, although it is already the 24th 15:59 UTC.
  state({
    id: 'sr-x1',
    at: '2026-11-24T15:59:00.000Z',
    type: 'consultation',
    channel: 'app',
    urgency: 'normal',
    status: 'closed',
    deadlines: [ack],
    score: 1,
  }),
  // 00:01 local on the 26th — the day after, although it is still the 25th in UTC.
  state({
    id: 'sr-x2',
    at: '2026-11-25T16:01:00.000Z',
    type: 'exchange',
    channel: 'store',
    urgency: 'urgent',
    status: 'received',
    deadlines: [dl('dispatch', 'pending')],
  }),
  // 20:00 UTC on the 25th = 04:00 local on the 26th.
  state({
    id: 'sr-x3',
    at: '2026-11-25T20:00:00.000Z',
    type: 'repair',
    channel: 'hotline',
    urgency: 'normal',
    status: 'received',
    deadlines: [],
  }),
];

describe('computeDailyReport', () => {
  const report = computeDailyReport([...OTHER_DAYS, ...DAY, DAY[0]!], { date: '2026-11-25', timeZone: TZ });

  test('the day is the local day, [16:00Z, 16:00Z)', () => {
    expect(report.from).toBe('2026-11-24T16:00:00.000Z');
    expect(report.to).toBe('2026-11-25T16:00:00.000Z');
  });

  test('volume by type, channel and urgency (23:59 and 00:01 local in, the neighbours out, duplicates once)', () => {
    expect(report.volume).toEqual({
      total: 7,
      byType: { repair: 2, installation: 1, maintenance: 1, return: 1, exchange: 0, consultation: 0, complaint: 2 },
      byChannel: { hotline: 3, online: 2, store: 1, app: 1 },
      byUrgency: { normal: 3, urgent: 2, critical: 2 },
      vip: 1,
    });
    expect(report.complaints).toBe(2);
    expect(report.byStatus).toMatchObject({ closed: 3, cancelled: 1, scheduled: 1, dispatching: 1, escalated: 1, received: 0 });
  });

  test('SLA compliance per milestone: met on time / breached / pending, cancelled left out', () => {
    expect(report.sla.acknowledge).toEqual({ met: 7, breached: 0, pending: 0, complianceRate: 1 });
    expect(report.sla.dispatch).toEqual({ met: 6, breached: 2, pending: 1, complianceRate: 0.75 });
    expect(report.sla.accept).toEqual({ met: 1, breached: 0, pending: 0, complianceRate: 1 });
    expect(report.sla.response).toEqual({ met: 5, breached: 1, pending: 0, complianceRate: 5 / 6 });
    expect(report.sla.on_site).toEqual({ met: 3, breached: 1, pending: 2, complianceRate: 0.75 });
    expect(report.sla.resolution).toEqual({ met: 3, breached: 0, pending: 3, complianceRate: 1 });
    expect(report.sla.resolution_max).toEqual({ met: 1, breached: 0, pending: 0, complianceRate: 1 });
    expect(report.sla.photos).toEqual({ met: 2, breached: 1, pending: 0, complianceRate: 2 / 3 });
    expect(report.sla.follow_up).toEqual({ met: 2, breached: 0, pending: 0, complianceRate: 1 });
  });

  test('first-time fix, resolution rate, satisfaction', () => {
    expect(report.firstTimeFix).toEqual({ visited: 4, fixedFirstVisit: 2, repeated: 0, rate: 0.5 });
    expect(report.resolution).toEqual({ eligible: 6, resolved: 3, cancelled: 1, rate: 0.5 });
    expect(report.satisfaction).toEqual({ rated: 3, averageScore: 10 / 3, lowScores: 2, lowScoreShare: 2 / 3 });
  });

  test('requests without the lifecycle-3 fields add nothing to its figures', () => {
    expect(report.remoteResolutions).toBe(0);
    expect(report.revisits).toBe(0);
    expect(report.callbacks).toEqual({ reached: 0, notReached: 0, unreachable: 0, notFixed: 0 });
    expect(report.callbackComplaints).toEqual({ staff: 0, product: 0 });
    expect(report.sla.appointment).toEqual({ met: 0, breached: 0, pending: 0, complianceRate: null });
  });

  test('escalations: requests by highest level, events by level', () => {
    expect(report.escalations).toEqual({
      escalatedRequests: 5,
      requestsByLevel: { '0': 2, '1': 2, '2': 2, '3': 1 },
      eventsByLevel: { '1': 4, '2': 4, '3': 1 },
    });
  });

  test('the neighbouring days get exactly the requests across midnight', () => {
    const before = computeDailyReport([...OTHER_DAYS, ...DAY], { date: '2026-11-24', timeZone: TZ });
    expect(before.volume.total).toBe(1);
    expect(before.volume.byType.consultation).toBe(1);
    expect(before.satisfaction).toEqual({ rated: 1, averageScore: 1, lowScores: 1, lowScoreShare: 1 });
    const after = computeDailyReport([...OTHER_DAYS, ...DAY], { date: '2026-11-26', timeZone: TZ });
    expect(after.volume.total).toBe(2);
    expect(after.volume.byType).toMatchObject({ exchange: 1, repair: 1 });
    expect(after.sla.dispatch).toEqual({ met: 0, breached: 0, pending: 1, complianceRate: null });
  });

  test('the same instants in UTC fall on other days', () => {
    const utc = computeDailyReport([...OTHER_DAYS, ...DAY], { date: '2026-11-25', timeZone: 'UTC' });
    // In UTC the local day's first request (A, 24th 16:01Z) drops out; 16:01Z and 20:00Z on the 25th come in.
    expect(utc.volume.total).toBe(8);
  });

  test('an empty day has zero counts and null rates', () => {
    const empty = computeDailyReport([], { date: '2026-11-25', timeZone: TZ });
    expect(empty.volume.total).toBe(0);
    expect(empty.firstTimeFix.rate).toBeNull();
    expect(empty.resolution.rate).toBeNull();
    expect(empty.satisfaction.averageScore).toBeNull();
    expect(empty.sla.dispatch.complianceRate).toBeNull();
  });

  test('the table shows the headline numbers', () => {
    const text = formatDailyReport(report);
    expect(text).toContain('Daily service summary 2026-11-25 (Asia/Shanghai)');
    expect(text).toContain('Volume: 7 requests (1 VIP)');
    expect(text).toMatch(/Dispatch\s+6\s+2\s+1\s+75\.0%/);
    expect(text).toContain('First-time fix      50.0%  (2 of 4 visited)');
    expect(text).toContain('Average score       3.33  (3 rated; ≤3: 2, 66.7%)');
  });
});

// ── Lifecycle 3: remote resolutions, call-backs and the revisits they reopen (the same local day) ──────────

const at = (hhmm: string) => `2026-11-25T${hhmm}:00.000Z`;
type Callback = NonNullable<ServiceRequestState['callback']>;
const outcome = (when: string, fixed: boolean, score: number): NonNullable<Callback['outcome']> => ({
  at: when,
  satisfiedWithTechnician: true,
  useExplained: true,
  fixed,
  score,
});
const callback = (attempts: number, more: Partial<Callback> = {}): Callback => ({
  dueFrom: at('04:00'),
  dueBy: at('12:00'),
  attempts: Array.from({ length: attempts }, (_, i) => ({ at: at(`0${i + 4}:30`) })),
  ...more,
});
const v3 = (seed: Seed, more: Partial<ServiceRequestState>): ServiceRequestState => {
  const base = state(seed);
  return { ...base, lifecycleVersion: 3, ...more };
};
const visit = (when: string, resolved: boolean) => ({ at: when, resolved, notes: '', technicianId: 't1' });

const V3_DAY: ServiceRequestState[] = [
  // H — a consultation resolved by phone; one unanswered call, then reached: fixed, 5; a product complaint.
  v3(
    {
      id: 'sr-h',
      at: at('01:00'),
      type: 'consultation',
      channel: 'hotline',
      urgency: 'normal',
      status: 'closed',
      deadlines: [ack, dl('callback', 'met')],
    },
    {
      remoteResolution: { at: at('01:30'), notes: 'reset the unit' },
      callback: callback(1, { outcome: outcome(at('06:00'), true, 5) }),
      callbackComplaints: [{ at: at('06:00'), kind: 'product', text: 'noisy fan' }],
    },
  ),
  // I — fixed at the visit, but the call-back heard "not fixed": reopened, fixed again at the revisit (late), and
  // the second call-back (after two unanswered calls) reached: fixed, 4. A staff complaint in the first call.
  v3(
    {
      id: 'sr-i',
      at: at('02:00'),
      type: 'repair',
      channel: 'online',
      urgency: 'urgent',
      status: 'closed',
      deadlines: [ack, dl('appointment', 'met'), dl('callback', 'met'), dl('appointment', 'breached', 2), dl('callback', 'met', 2)],
    },
    {
      completion: [visit(at('03:00'), true), visit(at('08:00'), true)],
      reopened: [{ at: at('05:00'), visit: 2, excluded: ['t1'] }],
      callback: callback(2, { outcome: outcome(at('10:00'), true, 4) }),
      callbackComplaints: [{ at: at('05:00'), kind: 'staff', text: 'late and rude' }],
    },
  ),
  // J — the call-back just heard "not fixed": reopened, the revisit not made yet (the same call as the outcome).
  v3(
    {
      id: 'sr-j',
      at: at('03:00'),
      type: 'repair',
      channel: 'app',
      urgency: 'normal',
      status: 'dispatching',
      deadlines: [ack, dl('callback', 'met')],
    },
    {
      completion: [visit(at('04:00'), true)],
      reopened: [{ at: at('09:00'), visit: 2, excluded: ['t1'] }],
      callback: callback(0, { outcome: outcome(at('09:00'), false, 2) }),
      callbackComplaints: [{ at: at('09:00'), kind: 'staff', text: 'left a mess' }],
    },
  ),
  // K — fixed at the visit; three unanswered calls: unreachable (the call-back deadline cancelled, level 1 paged).
  v3(
    {
      id: 'sr-k',
      at: at('04:00'),
      type: 'repair',
      channel: 'store',
      urgency: 'normal',
      status: 'completed',
      deadlines: [ack, dl('callback', 'cancelled')],
    },
    { completion: [visit(at('05:00'), true)], callback: callback(3, { unreachable: true }) },
  ),
  // L — an unresolved visit, then resolved by phone: a remote resolution, not a visited request.
  v3(
    { id: 'sr-l', at: at('05:00'), type: 'maintenance', channel: 'hotline', urgency: 'normal', status: 'completed', deadlines: [ack] },
    { completion: [visit(at('06:00'), false)], remoteResolution: { at: at('07:00'), notes: 'talked through it', technicianId: 't2' } },
  ),
  // M — resolved by phone, but the call-back heard "not fixed": reopened, waiting for a visit.
  v3(
    {
      id: 'sr-m',
      at: at('06:00'),
      type: 'repair',
      channel: 'hotline',
      urgency: 'normal',
      status: 'dispatching',
      deadlines: [ack, dl('callback', 'met')],
    },
    {
      remoteResolution: { at: at('06:30'), notes: 'reset' },
      reopened: [{ at: at('09:30'), visit: 2, excluded: [] }],
      callback: callback(0, { outcome: outcome(at('09:30'), false, 1) }),
    },
  ),
];

describe('computeDailyReport, lifecycle 3', () => {
  const v = computeDailyReport(V3_DAY, { date: '2026-11-25', timeZone: TZ });

  test('remote resolutions are counted apart and are not visits; a reopened request was not fixed first time', () => {
    expect(v.remoteResolutions).toBe(3); // H, L, M
    expect(v.revisits).toBe(3); // I, J, M
    // Visited: I, J, K (L and M were resolved remotely). Fixed at the first visit and not reopened: K only.
    expect(v.firstTimeFix).toEqual({ visited: 3, fixedFirstVisit: 1, repeated: 0, rate: 1 / 3 });
  });

  test('resolved: by a visit or remotely, and not reopened since', () => {
    // H (remote), I (revisit after the reopening), K, L (remote); J and M wait for their revisit.
    expect(v.resolution).toEqual({ eligible: 6, resolved: 4, cancelled: 0, rate: 4 / 6 });
  });

  test('call-backs: reached, unanswered calls, unreachable, not fixed; complaints by kind', () => {
    // Reached: H 1, I 2 (the reopening call and the last one), J 1 and M 1 (the reopening call is the outcome shown).
    expect(v.callbacks).toEqual({ reached: 5, notReached: 6, unreachable: 1, notFixed: 3 });
    expect(v.callbackComplaints).toEqual({ staff: 2, product: 1 });
  });

  test('the new milestones have SLA lines; consultation sits at first line when it waits there', () => {
    expect(v.sla.appointment).toEqual({ met: 1, breached: 1, pending: 0, complianceRate: 0.5 });
    expect(v.sla.callback).toEqual({ met: 5, breached: 0, pending: 0, complianceRate: 1 });
    const waiting = state({
      id: 'sr-n',
      at: at('07:00'),
      type: 'consultation',
      channel: 'hotline',
      urgency: 'normal',
      status: 'first_line',
      deadlines: [],
    });
    expect(computeDailyReport([waiting], { date: '2026-11-25', timeZone: TZ }).byStatus.first_line).toBe(1);
  });

  test('mixed with requests of older lifecycles, each counts by its own fields', () => {
    const both = computeDailyReport([...DAY, ...V3_DAY], { date: '2026-11-25', timeZone: TZ });
    expect(both.firstTimeFix).toEqual({ visited: 7, fixedFirstVisit: 3, repeated: 0, rate: 3 / 7 });
    expect(both.resolution).toMatchObject({ eligible: 12, resolved: 7 });
    expect(both.revisits).toBe(3);
  });

  test('the table shows them', () => {
    const text = formatDailyReport(v);
    expect(text).toContain('First-time fix      33.3%  (1 of 3 visited)');
    expect(text).toContain('Remote resolutions  3  (not counted as visited)');
    expect(text).toContain('Revisits            3  (reopened: a call-back found the fault not fixed)');
    expect(text).toContain(
      'Call-backs          reached 5 · unanswered calls 6 · unreachable 1 · not fixed 3; complaints raised: staff 2 · product 1',
    );
    expect(text).toMatch(/Arrival at the booked time\s+1\s+1\s+0\s+50\.0%/);
  });
});

// ── Lifecycle 4: warranty, quotes, charges, spare parts (the same local day; amounts in fen) ─────────────────

type View = ServiceRequestState;
type Quote = NonNullable<View['quotes']>[number];
type PartsOrderView = NonNullable<View['parts']>[number];
type Line = Quote['lines'][number];
type Warranty = NonNullable<View['warranty']>;

const labour = (ref: string, amount: number): Line => ({
  kind: 'labour',
  ref,
  name: { zh: '工时', en: 'Labour' },
  quantity: 1,
  unitPrice: amount,
  amount,
});
const part = (ref: string, en: string, quantity: number, unitPrice: number): Line => ({
  kind: 'part',
  ref,
  name: { zh: en, en },
  quantity,
  unitPrice,
  amount: quantity * unitPrice,
});
const quote = (id: string, lines: Line[], more: Partial<Quote> = {}): Quote => {
  const sum = (kind: Line['kind']) => lines.filter((l) => l.kind === kind).reduce((t, l) => t + l.amount, 0);
  return {
    id,
    at: at('03:00'),
    lines,
    labour: sum('labour'),
    parts: sum('part'),
    total: sum('labour') + sum('part'),
    currency: 'CNY',
    expiresAt: at('05:00'),
    ...more,
  };
};
const decided = (approved: boolean, when = at('04:00')): Quote['decision'] => ({ approved, at: when, via: 'link' });
const order = (id: string, from: string, more: Partial<PartsOrderView> = {}): PartsOrderView => ({
  id,
  at: from,
  technicianId: 't1',
  lines: [part('P-100', 'Compressor', 1, 15000)],
  reason: 'compressor failed',
  expectedBy: '2026-11-26T00:00:00.000Z',
  overdue: [],
  pausedResolution: true,
  ...more,
});
const warrantyOf = (status: Warranty['status']): Warranty => ({
  status,
  coverUntil: status === 'in_warranty' ? '2027-06-30' : '2025-06-30',
  months: 12,
  terms: 'default',
  covers: ['parts', 'labour'],
});
const inWarranty = { warranty: warrantyOf('in_warranty'), chargeable: { chargeable: false, reason: 'in warranty until 2027-06-30' } };
const outOfWarranty = {
  warranty: warrantyOf('out_of_warranty'),
  chargeable: { chargeable: true, reason: 'out of warranty since 2025-07-01' },
};
const v4 = (seed: Seed, more: Partial<View>): View => ({ ...state(seed), lifecycleVersion: 4, ...more });
const repair = (id: string, hhmm: string, status: Status): Seed => ({
  id,
  at: at(hhmm),
  type: 'repair',
  channel: 'hotline',
  urgency: 'normal',
  status,
  deadlines: [ack],
});
const charges = (chargeable: boolean, labourFen: number, partsFen: number) => ({
  chargeable,
  reason: chargeable ? 'charged' : 'in warranty',
  labour: labourFen,
  parts: partsFen,
  total: labourFen + partsFen,
  currency: 'CNY',
});
const report = (partsUsed: NonNullable<View['serviceReport']>['partsUsed'], c: ReturnType<typeof charges>): View['serviceReport'] => ({
  at: at('10:00'),
  visit: 1,
  technicianId: 't1',
  workDone: 'repaired',
  partsUsed,
  charges: c,
  testRun: { done: true, minutes: 10 },
  useExplained: true,
});

const V4_DAY: View[] = [
  // N — out of warranty; the customer declined the quote by the link: closed with the 50.00 visit fee, paid on site.
  v4(
    { ...repair('sr-n4', '01:00', 'closed'), outcome: 'quote_declined' },
    {
      ...outOfWarranty,
      quotes: [quote('Q1', [labour('L-REPAIR', 8000)], { decision: decided(false) })],
      visitFee: { amount: 5000, currency: 'CNY' },
      payments: [{ at: at('05:00'), method: 'on_site', amount: 5000 }],
      outcome: 'quote_declined',
    },
  ),
  // O — in warranty, but misuse found at diagnosis: chargeable. The quote expired (ops paged), then the customer
  // approved it; the parts came 6 h after the order; two compressors and a valve fitted (the old compressors shown).
  // Paid 400.00 on site, 20.00 waived.
  v4(
    { ...repair('sr-o4', '02:00', 'closed'), completion: [true], outcome: 'closed' },
    {
      warranty: warrantyOf('in_warranty'),
      diagnosis: { at: at('02:30'), faultCause: 'misuse', diagnosis: 'dropped', technicianId: 't1' },
      chargeable: { chargeable: true, reason: 'misuse is not covered' },
      quotes: [
        quote('Q1', [labour('L-REPAIR', 12000), part('P-100', 'Compressor', 2, 12000), part('P-200', 'Valve', 1, 6000)], {
          expiredAt: at('05:00'),
          decision: decided(true, at('06:00')),
        }),
      ],
      parts: [order('P1', at('03:00'), { arrivedAt: at('09:00'), dispatchedAt: at('05:00') })],
      serviceReport: report(
        [
          { ...part('P-100', 'Compressor', 2, 12000), oldPartShown: true },
          { ...part('P-200', 'Valve', 1, 6000), oldPartShown: false },
        ],
        charges(true, 12000, 30000),
      ),
      payments: [
        { at: at('11:00'), method: 'on_site', amount: 40000 },
        { at: at('11:00'), method: 'waived', amount: 2000, reason: 'goodwill', approvedBy: 'supervisor' },
      ],
    },
  ),
  // P — out of warranty; nobody decided the quote by its expiry (`onExpiry: close`): closed as declined, visit fee
  // invoiced.
  v4(
    { ...repair('sr-p4', '03:00', 'closed'), outcome: 'quote_declined' },
    {
      ...outOfWarranty,
      quotes: [
        quote('Q1', [labour('L-REPAIR', 8000), part('P-300', 'Board', 1, 20000)], { remindedAt: at('04:00'), expiredAt: at('05:00') }),
      ],
      visitFee: { amount: 5000, currency: 'CNY' },
      payments: [{ at: at('06:00'), method: 'invoice', amount: 5000 }],
      outcome: 'quote_declined',
    },
  ),
  // Q — in warranty, quality fault: free. Waited 30 h for the compressor (its expected date passed once), fitted it
  // and showed the old one.
  v4(
    { ...repair('sr-q4', '02:00', 'closed'), completion: [true], outcome: 'closed' },
    {
      ...inWarranty,
      diagnosis: { at: at('02:30'), faultCause: 'quality', diagnosis: 'compressor', technicianId: 't1' },
      parts: [
        order('P1', at('02:00'), {
          overdue: ['2026-11-26T00:00:00.000Z'],
          expectedBy: '2026-11-26T06:00:00.000Z',
          arrivedAt: '2026-11-26T08:00:00.000Z',
        }),
      ],
      serviceReport: report([{ ...part('P-100', 'Compressor', 1, 15000), oldPartShown: true }], charges(false, 0, 0)),
    },
  ),
  // R — out of warranty, quote approved, still waiting for its parts: not revenue until the report shows it charged.
  v4(repair('sr-r4', '04:00', 'waiting_parts'), {
    ...outOfWarranty,
    quotes: [quote('Q1', [labour('L-REPAIR', 6000), part('P-100', 'Compressor', 1, 20000)], { decision: decided(true) })],
    parts: [order('P1', at('05:00'))],
  }),
  // S — out of warranty, the quote waits for the customer.
  v4(repair('sr-s4', '05:00', 'quote_pending'), {
    ...outOfWarranty,
    quotes: [quote('Q1', [labour('L-REPAIR', 8000)], { at: at('06:00'), expiresAt: at('18:00') })],
  }),
  // T — an older lifecycle's request (3, resolved remotely, closed): none of lifecycle 4's fields, counts in none of it.
  v3(
    { id: 'sr-t3', at: at('06:00'), type: 'repair', channel: 'hotline', urgency: 'normal', status: 'closed', deadlines: [ack] },
    { remoteResolution: { at: at('07:00'), notes: 'reset' }, outcome: 'closed' },
  ),
];

describe('computeDailyReport, lifecycle 4', () => {
  const v = computeDailyReport(V4_DAY, { date: '2026-11-25', timeZone: TZ });

  test('warranty: judged in / out at intake; chargeable also for a cause found at diagnosis; older requests not counted', () => {
    // In: O, Q. Out: N, P, R, S. Chargeable: N, P, R, S and O (misuse). T has no judgement.
    expect(v.warranty).toEqual({ inWarranty: 2, outOfWarranty: 4, chargeable: 5 });
  });

  test('quotes: issued, approved, declined (also expired and closed), expired, pending', () => {
    // Approved: O (after it expired), R. Declined: N by the customer, P expired undecided and closed. Expired: O, P.
    expect(v.quotes).toEqual({ issued: 5, approved: 2, declined: 2, expired: 2, pending: 1 });
  });

  test('revenue: charged on service reports, plus visit fees; an approved repair not completed yet is not counted', () => {
    // O's report: labour 120.00, parts 300.00 (Q's report is free, R has no report yet); visit fees N and P.
    expect(v.revenue).toEqual({ labour: 12000, parts: 30000, visitFees: 10000, total: 52000, currency: 'CNY' });
  });

  test('payments by method; waivers apart from what was paid', () => {
    expect(v.payments).toEqual({
      on_site: { count: 2, amount: 45000 },
      invoice: { count: 1, amount: 5000 },
      paid: { count: 3, amount: 50000 },
      waived: { count: 1, amount: 2000 },
    });
  });

  test('parts consumed per part number, with the old part shown', () => {
    expect(v.partsConsumed).toEqual([
      { ref: 'P-100', name: { zh: 'Compressor', en: 'Compressor' }, quantity: 3, oldPartShown: 2 },
      { ref: 'P-200', name: { zh: 'Valve', en: 'Valve' }, quantity: 1, oldPartShown: 0 },
    ]);
  });

  test('waited for parts: requests and orders; hours from order to arrival; expected dates passed', () => {
    // O waited 6 h, Q 30 h; R's order has not arrived. Q's expected date passed.
    expect(v.waitedForParts).toEqual({ requests: 3, orders: 3, arrived: 2, averageHours: 18, maxHours: 30, overdueOrders: 1 });
  });

  test('a declined quote is not an unresolved repair; a repair finished after waiting for parts was not fixed first time', () => {
    // N and P closed quote_declined: out of the 7, like cancellations.
    expect(v.resolution.eligible).toBe(5);
    expect(v.resolution.cancelled).toBe(0);
    const withoutParts = computeDailyReport(
      V4_DAY.map((r) => ({ ...r, parts: undefined })),
      { date: '2026-11-25', timeZone: TZ },
    );
    // O and Q were fixed on the visit that followed their parts' arrival: two trips each.
    expect(withoutParts.firstTimeFix.fixedFirstVisit - v.firstTimeFix.fixedFirstVisit).toBe(2);
  });

  test('the new statuses and outcome; the older request still counts in its own figures', () => {
    expect(v.volume.total).toBe(7);
    expect(v.byStatus).toMatchObject({ quote_pending: 1, waiting_parts: 1, closed: 5 });
    expect(v.remoteResolutions).toBe(1);
  });

  test('a day of older lifecycles only has zero counts, null hours and no currency', () => {
    const old = computeDailyReport([...DAY, ...V3_DAY], { date: '2026-11-25', timeZone: TZ });
    expect(old.warranty).toEqual({ inWarranty: 0, outOfWarranty: 0, chargeable: 0 });
    expect(old.quotes).toEqual({ issued: 0, approved: 0, declined: 0, expired: 0, pending: 0 });
    expect(old.revenue).toEqual({ labour: 0, parts: 0, visitFees: 0, total: 0, currency: null });
    expect(old.payments.paid).toEqual({ count: 0, amount: 0 });
    expect(old.partsConsumed).toEqual([]);
    expect(old.waitedForParts).toEqual({ requests: 0, orders: 0, arrived: 0, averageHours: null, maxHours: null, overdueOrders: 0 });
  });

  test('mixed with older lifecycles, the lifecycle-4 figures are those of the lifecycle-4 requests', () => {
    const both = computeDailyReport([...DAY, ...V3_DAY, ...V4_DAY], { date: '2026-11-25', timeZone: TZ });
    for (const k of ['warranty', 'quotes', 'revenue', 'payments', 'partsConsumed', 'waitedForParts'] as const)
      expect(both[k]).toEqual(v[k]);
  });

  test('a report without its charges falls back to the approved quotes of a chargeable repair', () => {
    const o = V4_DAY[1]!;
    const { charges: _dropped, ...bare } = o.serviceReport!;
    const noCharges = { ...o, serviceReport: bare } as unknown as View;
    expect(computeDailyReport([noCharges], { date: '2026-11-25', timeZone: TZ }).revenue).toEqual({
      labour: 12000,
      parts: 30000,
      visitFees: 0,
      total: 42000,
      currency: 'CNY',
    });
  });

  test('the table shows them, amounts in yuan', () => {
    const text = formatDailyReport(v);
    expect(text).toContain('Warranty            in warranty 2 · out of warranty 4 · chargeable 5');
    expect(text).toContain('Quotes              issued 5 · approved 2 · declined 2 · expired 2 · pending 1');
    expect(text).toContain('Revenue             520.00 CNY  (labour 120.00 · parts 300.00 · visit fees 100.00)');
    expect(text).toContain('Payments            paid 500.00 CNY  (on site 2 (450.00) · invoice 1 (50.00)); waived 1 (20.00)');
    expect(text).toContain('Waited for parts    3 requests  (3 orders; arrived 2: average 18.0 h, max 30.0 h; expected date passed 1)');
    expect(text).toMatch(/Parts consumed\s+fitted\s+old part shown\n\s+P-100 Compressor\s+3\s+2\n\s+P-200 Valve\s+1\s+0/);
    const old = formatDailyReport(computeDailyReport(DAY, { date: '2026-11-25', timeZone: TZ }));
    expect(old).toContain('Revenue             0.00  (labour 0.00 · parts 0.00 · visit fees 0.00)');
    expect(old).toContain('Parts consumed      –');
  });
});

describe('dayBounds', () => {
  test('a DST day in Europe/Berlin has 23 hours', () => {
    const { fromMs, toMs } = dayBounds('2026-03-29', 'Europe/Berlin');
    expect((toMs - fromMs) / 3600_000).toBe(23);
    expect(new Date(fromMs).toISOString()).toBe('2026-03-28T23:00:00.000Z');
  });

  test('bad dates and zones are refused', () => {
    expect(() => dayBounds('2026-02-30', TZ)).toThrow(ReportDateError);
    expect(() => dayBounds('25.11.2026', TZ)).toThrow(/YYYY-MM-DD/);
    expect(() => dayBounds('2026-11-25', 'Mars/Olympus')).toThrow(/time zone/);
  });

  test('localDate is the date in the zone', () => {
    expect(localDate(Date.parse('2026-11-24T16:30:00Z'), TZ)).toBe('2026-11-25');
    expect(localDate(Date.parse('2026-11-24T16:30:00Z'), 'UTC')).toBe('2026-11-24');
  });
});

// ── Lifecycle 5: repeat repairs (二次上门) ─────────────────────────────────────────────────────────────────────
describe('computeDailyReport, repeat repairs', () => {
  // DAY: 4 visited, 2 of them fixed at the first visit.
  const base = computeDailyReport(DAY, { date: '2026-11-25', timeZone: TZ });

  test('a fix that a later repeat repair undid is no first-time fix; it is counted as repeated', () => {
    const fixedFirst = DAY.filter(
      (r) =>
        computeDailyReport(DAY, { date: '2026-11-25', timeZone: TZ, repeated: new Set([r.requestId]) }).firstTimeFix.fixedFirstVisit <
        base.firstTimeFix.fixedFirstVisit,
    );
    expect(fixedFirst).toHaveLength(2);
    const id = fixedFirst[0]!.requestId;
    const withRepeat = computeDailyReport(DAY, { date: '2026-11-25', timeZone: TZ, repeated: new Set([id]) });
    expect(withRepeat.firstTimeFix).toEqual({
      visited: base.firstTimeFix.visited,
      fixedFirstVisit: base.firstTimeFix.fixedFirstVisit - 1,
      repeated: 1,
      rate: (base.firstTimeFix.fixedFirstVisit - 1) / base.firstTimeFix.visited,
    });
    expect(formatDailyReport(withRepeat)).toContain('; 1 repeated later)');
    // A repeat named by id of a request of another day changes nothing here.
    expect(computeDailyReport(DAY, { date: '2026-11-25', timeZone: TZ, repeated: new Set(['sr-other-day']) }).firstTimeFix).toEqual(
      base.firstTimeFix,
    );
  });

  test("the day's repeat repairs are counted; older requests have none", () => {
    expect(base.repeatRepairs).toBe(0);
    const [first, ...rest] = DAY;
    const repeat = {
      ...first!,
      repeatRepair: { requestId: 'sr-crm-E', ticket: 'CRM-E', resolvedAt: '2026-10-01T02:00:00Z', technicianId: 't-1' },
    };
    const v = computeDailyReport([repeat, ...rest], { date: '2026-11-25', timeZone: TZ });
    expect(v.repeatRepairs).toBe(1);
    expect(formatDailyReport(v)).toMatch(/Repeat repairs\s+1/);
  });
});

describe('computeDailyReport, lifecycle 5: returns and exchanges', () => {
  const when = '2026-11-25T02:00:00.000Z';
  const eligibility = (eligible: boolean) => ({
    kind: 'return' as const,
    countedFrom: 'purchase' as const,
    fromDate: '2026-11-20',
    day: eligible ? 5 : 20,
    terms: 'default',
    returnDays: 7,
    exchangeDays: 15,
    noReasonDays: 7,
    inWarranty: true,
    eligible,
    reason: 'x',
  });
  const ret = (id: string, status: Status, returns: ServiceRequestState['returns'], outcome?: ServiceRequestState['outcome']) => ({
    ...state({
      id,
      at: when,
      type: 'return',
      channel: 'store',
      urgency: 'normal',
      status,
      deadlines: [ack],
      ...(outcome ? { outcome } : {}),
    }),
    returns,
  });
  const decision = (outcome: 'refund' | 'replacement' | 'repair' | 'refused') => ({ at: when, outcome });
  const settlement = { at: when, outcome: 'refund' as const, amount: 100, currency: 'CNY', direction: 'to_customer' as const };
  const RETURNS: ServiceRequestState[] = [
    ret('sr-r1', 'closed', { kind: 'return', eligibility: eligibility(false), refusal: 'window_passed' }, 'return_refused'),
    ret('sr-r2', 'closed', { kind: 'return', eligibility: eligibility(true), decision: decision('refused') }, 'return_refused'),
    ret('sr-r3', 'completed', { kind: 'return', eligibility: eligibility(true), decision: decision('refund'), settlement }),
    ret('sr-r4', 'settlement', { kind: 'exchange', eligibility: eligibility(true), decision: decision('replacement') }),
    ret('sr-r5', 'dispatching', { kind: 'return', eligibility: eligibility(true), decision: decision('repair') }),
    ret('sr-r6', 'inspection', { kind: 'return', eligibility: eligibility(true) }),
  ];
  const v = computeDailyReport(RETURNS, { date: '2026-11-25', timeZone: TZ });

  test('counted by outcome; a settled one is resolved, a refused one leaves the denominator', () => {
    expect(v.returns).toEqual({
      received: 6,
      refusedAtIntake: 1,
      refusedAfterInspection: 1,
      refunds: 1,
      replacements: 1,
      repairs: 1,
      settled: 1,
      open: 1,
    });
    expect(v.resolution).toEqual({ eligible: 4, resolved: 1, cancelled: 0, rate: 1 / 4 });
  });

  test('the table shows them', () => {
    expect(formatDailyReport(v)).toContain(
      'Returns/exchanges   6 received  (refused at intake 1 · after inspection 1; refunds 1 · replacements 1 · repairs 1; settled 1 · open 1)',
    );
  });
});

// ── Lifecycle 5: complaints with a process ────────────────────────────────────────────────────────────────
describe('complaints with a process (lifecycle 5)', () => {
  const complaint = (id: string, c: NonNullable<ServiceRequestState['complaint']>): ServiceRequestState => ({
    ...state({
      id,
      at: '2026-11-25T02:00:00.000Z',
      type: 'complaint',
      channel: 'hotline',
      urgency: 'normal',
      status: 'closed',
      deadlines: [],
    }),
    complaint: c,
  });
  const at = '2026-11-25T05:00:00.000Z';
  const requests = [
    complaint('sr-c1', {
      classification: 'service_attitude',
      repeatOf: { requestId: 'sr-c0', ticket: 'C0', startedAt: '2026-11-10T02:00:00.000Z' },
      accountability: { at, responsible: { kind: 'person', name: '张伟' }, action: '培训' },
    }),
    complaint('sr-c2', {
      classification: 'product_quality',
      productFeedback: { eventId: 'sr-c2:complaint-feedback', sentAt: at, via: 'file' },
    }),
    complaint('sr-c3', { classification: 'timeliness', classifiedAtIntake: 'other' }),
  ];

  test('by class (as analysed), repeats, accountability, product feedback; older complaints count only as complaints', () => {
    const old = state({ id: 'sr-c4', at, type: 'complaint', channel: 'app', urgency: 'urgent', status: 'assigned', deadlines: [] });
    const r = computeDailyReport([...requests, old], { date: '2026-11-25', timeZone: TZ });
    expect(r.complaints).toBe(4);
    expect(r.complaintProcess).toEqual({
      byClass: { product_quality: 1, service_attitude: 1, timeliness: 1, charges: 0, other: 0 },
      repeats: 1,
      accountability: 1,
      productFeedback: 1,
    });
    expect(formatDailyReport(r)).toContain('repeats 1 · accountability 1 · product feedback 1');
  });
});

/**
 * The daily report on the reporting database: this file's request states written as the projection writes them and
 * read back from `requests.state` give the same report as from Temporal — including the hand-checked figures above.
 */
describe('the daily report from the reporting database', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await startTestDb();
  });
  afterAll(async () => {
    await db?.stop();
  });
  const load = async (states: ServiceRequestState[]): Promise<void> => {
    await db.pool.query('TRUNCATE requests, request_events');
    await writeStates(
      db.pool,
      states.map((s) => projection(s)),
    );
  };
  const fromDb = async (date: string) => {
    const { generatedAt, source, unreadable, ...report } = await dailyFromDatabase(db.pool, date, { timeZone: TZ, now: () => 0 });
    expect({ generatedAt, source, unreadable }).toEqual({ generatedAt: '1970-01-01T00:00:00.000Z', source: 'database', unreadable: [] });
    return report;
  };

  test('the seeded day and its neighbours: the same report, the hand-checked figures', async () => {
    await load([...OTHER_DAYS, ...DAY]);
    for (const date of ['2026-11-24', '2026-11-25', '2026-11-26'])
      expect(await fromDb(date)).toEqual(computeDailyReport([...OTHER_DAYS, ...DAY], { date, timeZone: TZ }));
    const day = await fromDb('2026-11-25');
    expect(day.volume.total).toBe(7);
    expect(day.sla.dispatch).toEqual({ met: 6, breached: 2, pending: 1, complianceRate: 0.75 });
    expect(day.firstTimeFix).toEqual({ visited: 4, fixedFirstVisit: 2, repeated: 0, rate: 0.5 });
  });

  test('lifecycle 3 and 4 days: the same report', async () => {
    for (const states of [V3_DAY, V4_DAY as ServiceRequestState[]]) {
      await load(states);
      expect(await fromDb('2026-11-25')).toEqual(computeDailyReport(states, { date: '2026-11-25', timeZone: TZ }));
    }
  });

  test("a repeat repair taken in on a later day marks the earlier day's fix as repeated", async () => {
    const base = computeDailyReport(DAY, { date: '2026-11-25', timeZone: TZ });
    const fixed = DAY.find(
      (r) =>
        computeDailyReport(DAY, { date: '2026-11-25', timeZone: TZ, repeated: new Set([r.requestId]) }).firstTimeFix.fixedFirstVisit <
        base.firstTimeFix.fixedFirstVisit,
    )!;
    const later = state({
      id: 'sr-later',
      at: '2026-12-02T02:00:00.000Z',
      type: 'repair',
      channel: 'app',
      urgency: 'normal',
      status: 'received',
      deadlines: [],
    });
    const repeat = { ...later, repeatRepair: { requestId: fixed.requestId, ticket: fixed.ticket, resolvedAt: '2026-11-25T06:00:00.000Z' } };
    await load([...DAY, repeat]);
    expect((await fromDb('2026-11-25')).firstTimeFix).toEqual({ visited: 4, fixedFirstVisit: 1, repeated: 1, rate: 0.25 });
  });
});
