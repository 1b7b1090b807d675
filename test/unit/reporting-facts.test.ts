/**
 * The facts a request writes to the reporting database (src/domain/reporting.ts): the region an address gives away
 * (and nothing more of it), and event ids that stay the same however often a projection is written.
 */
import { regionOf, requestEvents, requestRow, type ProjectionInput } from '../../src/domain/reporting';
import type { ServiceRequestState } from '../../workflows/messages';

describe('regionOf', () => {
  it.each([
    ['广东省深圳市南山区科技园南区 18 栋 1802 室', '广东省深圳市'],
    ['上海市徐汇区漕溪北路 88 号 1802 室', '上海市'],
    ['新疆维吾尔自治区乌鲁木齐市天山区 5 号', '新疆维吾尔自治区乌鲁木齐市'],
    ['浙江省 杭州市 西湖区 文三路 1 号', '浙江省杭州市'],
    ['12 Main Street, Flat 3, Springfield', 'Springfield'],
    ['Flat 3, 12 Main Street', 'unknown'],
  ])('%s → %s', (address, region) => {
    expect(regionOf(address)).toBe(region);
  });

  it('never returns the street, house number or room', () => {
    for (const a of ['上海市徐汇区漕溪北路 88 号 1802 室', '广东省深圳市南山区科技园南区 18 栋']) {
      expect(regionOf(a)).not.toMatch(/路|号|室|栋|\d/);
    }
  });
});

const state = {
  requestId: 'sr-facts-1',
  ticket: 'FACTS-1',
  status: 'closed',
  type: 'repair',
  urgency: 'urgent',
  channel: 'hotline',
  vip: false,
  receivedAt: '2026-11-30T15:30:00.000Z',
  closedAt: '2026-12-01T03:00:00.000Z',
  outcome: 'closed',
  lifecycleVersion: 5,
  technicianId: 'T-1',
  visit: 1,
  escalationLevel: 1,
  assignments: [
    { technicianId: 'T-1', visit: 1, by: 'auto', assignedAt: '2026-11-30T15:31:00.000Z', acceptedAt: '2026-11-30T15:41:00.000Z' },
  ],
  deadlines: [
    {
      id: 'on_site',
      milestone: 'on_site',
      visit: 1,
      span: '4h',
      startedAt: '2026-11-30T15:30:00.000Z',
      dueAt: '2026-11-30T19:30:00.000Z',
      metAt: '2026-11-30T20:30:00.000Z',
      breachedAt: '2026-11-30T19:30:00.000Z',
      lateByMs: 3_600_000,
      status: 'met',
      business: false,
    },
  ],
  escalations: [{ at: '2026-11-30T19:30:00.000Z', level: 1, reason: 'breach', milestone: 'on_site' }],
  timeline: [
    { at: '2026-11-30T15:30:00.000Z', event: 'received' },
    { at: '2026-11-30T15:31:00.000Z', event: 'status', detail: 'assigned' },
    { at: '2026-11-30T20:30:00.000Z', event: 'status', detail: 'on_site' },
  ],
  photos: [],
  photoChecks: [{ at: '2026-11-30T21:00:00.000Z', ok: true, missing: [], invalid: [] }],
  completion: [{ at: '2026-11-30T21:00:00.000Z', resolved: true, notes: 'fixed', technicianId: 'T-1' }],
  feedback: { score: 5, at: '2026-12-01T03:00:00.000Z' },
} as unknown as ServiceRequestState;

const input = (over: Partial<ProjectionInput> = {}): ProjectionInput => ({
  seq: 40,
  state,
  product: { model: 'JSQ25-12', category: 'gas_water_heater' },
  region: '上海市',
  customerKey: 'abc',
  sms: [{ kind: 'received', to: 'customer', seq: 1, at: '2026-11-30T15:30:01.000Z', ok: true }],
  ...over,
});

describe('requestRow / requestEvents', () => {
  it('derives the row', () => {
    expect(requestRow(input())).toMatchObject({
      request_id: 'sr-facts-1',
      fixed_by: 'T-1',
      first_time_fix: true,
      record_complete: false, // lifecycle 5 without a stored service report
      score: 5,
      region: '上海市',
      escalation_level: 1,
    });
  });

  it('names each event by what happened, so writing it again is the same row', () => {
    const ids = requestEvents(input()).map((e) => e.event_id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'sr-facts-1/transition/1',
        'sr-facts-1/transition/2',
        'sr-facts-1/assigned/1',
        'sr-facts-1/accepted/1',
        'sr-facts-1/deadline_met/on_site',
        'sr-facts-1/deadline_breached/on_site',
        'sr-facts-1/escalated/1',
        'sr-facts-1/sms/customer-received-1',
        'sr-facts-1/score/1',
      ]),
    );
    expect(new Set(ids).size).toBe(ids.length);
    // A later projection (more history) keeps the earlier events' ids and values.
    const later = requestEvents(input({ seq: 90 }));
    expect(later).toEqual(requestEvents(input()));
  });

  it('gives durations: accept time from assignment, arrival from the deadline start, and lateness', () => {
    const e = requestEvents(input());
    expect(e.find((x) => x.kind === 'accepted')?.duration_ms).toBe(600_000);
    expect(e.find((x) => x.kind === 'deadline_met')).toMatchObject({
      duration_ms: 5 * 3_600_000,
      late_by_ms: 3_600_000,
      technician_id: 'T-1',
    });
  });
});
