/**
 * The daily summary against a seeded day with known outcomes (Asia/Shanghai, UTC+8): every count and rate
 * below is worked out by hand from the seeds, including requests a minute either side of local midnight.
 */
import { computeDailyReport, dayBounds, localDate, ReportDateError } from '../../src/reports/daily';
import { formatDailyReport } from '../../src/reports/table';
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
    expect(report.firstTimeFix).toEqual({ visited: 4, fixedFirstVisit: 2, rate: 0.5 });
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
    expect(v.firstTimeFix).toEqual({ visited: 3, fixedFirstVisit: 1, rate: 1 / 3 });
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
    expect(both.firstTimeFix).toEqual({ visited: 7, fixedFirstVisit: 3, rate: 3 / 7 });
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
