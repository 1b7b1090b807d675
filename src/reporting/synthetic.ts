/**
 * A deterministic synthetic data set for the reporting database (`npm run db:seed`, the report benchmark): request
 * states shaped like the workflow's, spread over `months` months before `end` in the policy's zone, turned into rows
 * and events by the projection's own functions (src/domain/reporting.ts). Same seed, same rows — on any day.
 * No customer data: ids, product models, regions and technicians are made up.
 */
import { DateTime } from 'luxon';
import { requestEvents, requestRow, type EventRow, type ProjectionInput, type RequestRow } from '../domain/reporting';
import { FAULT_CAUSES } from '../domain/charges';
import { COMPLAINT_CLASSES, type Channel, type RequestType } from '../domain/types';
import type { ServiceRequestView } from '../domain/lifecycle/view';

export interface SyntheticOptions {
  requests: number;
  /** PRNG seed (default 15). */
  seed?: number;
  /** Months of requests ending at `end` (default 12). */
  months?: number;
  /** Local date the data ends (exclusive), default 2026-12-01. */
  end?: string;
  timeZone?: string;
  technicians?: number;
}

/** mulberry32: small, fast, good enough for test data; deterministic across platforms. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const CATEGORIES = ['aircon', 'washer', 'fridge', 'water_heater', 'tv', 'range_hood'];
const REGIONS = [
  '广东省深圳市',
  '广东省广州市',
  '北京市',
  '上海市',
  '浙江省杭州市',
  '江苏省南京市',
  '江苏省苏州市',
  '四川省成都市',
  '湖北省武汉市',
  '陕西省西安市',
  '重庆市',
  '天津市',
  '福建省厦门市',
  '山东省青岛市',
  '湖南省长沙市',
  '河南省郑州市',
];
const TYPES: [RequestType, number][] = [
  ['repair', 55],
  ['installation', 15],
  ['maintenance', 12],
  ['consultation', 8],
  ['complaint', 5],
  ['return', 3],
  ['exchange', 2],
];
const CHANNELS: [Channel, number][] = [
  ['hotline', 45],
  ['app', 25],
  ['online', 20],
  ['store', 10],
];
const SCORES: [number, number][] = [
  [5, 55],
  [4, 25],
  [3, 10],
  [2, 5],
  [1, 5],
];
const MIN = 60_000;

function weighted<T>(rand: () => number, items: [T, number][]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = rand() * total;
  for (const [v, w] of items) if ((x -= w) < 0) return v;
  return items[items.length - 1]![0];
}

/** A first visit's automatic assignment (the technician's id doubles as name and work number: no real names here). */
export function autoAssignment(technicianId: string, assignedAt: string, acceptedAt?: string): ServiceRequestView['assignments'][number] {
  return {
    technicianId,
    name: technicianId,
    workNumber: technicianId,
    tier: 1,
    visit: 1,
    by: 'auto',
    assignedAt,
    ...(acceptedAt ? { acceptedAt } : {}),
  };
}

export interface SyntheticBatch {
  rows: RequestRow[];
  events: EventRow[];
}

/** The data set in batches of `batch` requests (bounded memory for 100,000 and more). */
export function* syntheticBatches(o: SyntheticOptions, batch = 2_000): Generator<SyntheticBatch> {
  const rand = prng(o.seed ?? 15);
  const zone = o.timeZone ?? 'Asia/Shanghai';
  const end = DateTime.fromISO(o.end ?? '2026-12-01', { zone });
  const startMs = end.minus({ months: o.months ?? 12 }).toMillis();
  const spanMs = end.toMillis() - startMs;
  const techs = Array.from({ length: o.technicians ?? 60 }, (_, i) => `t-${String(i + 1).padStart(3, '0')}`);
  const models = Array.from({ length: 40 }, (_, i) => ({
    model: `M-${CATEGORIES[i % CATEGORIES.length]!.slice(0, 2).toUpperCase()}${100 + i}`,
    category: CATEGORIES[i % CATEGORIES.length]!,
  }));
  // Receipt times ascending, so a repeat repair can name an earlier fixed request.
  const times = Array.from({ length: o.requests }, () => startMs + Math.floor(rand() * spanMs)).sort((a, b) => a - b);
  const fixed: { id: string; tech: string; at: string }[] = [];
  let out: SyntheticBatch = { rows: [], events: [] };
  for (let n = 0; n < o.requests; n++) {
    const id = `sr-syn-${String(n + 1).padStart(7, '0')}`;
    const t0 = times[n]!;
    const iso = (ms: number) => new Date(ms).toISOString();
    const type = weighted(rand, TYPES);
    const product = models[Math.floor(rand() * models.length)]!;
    const region = REGIONS[Math.floor(rand() * REGIONS.length)]!;
    const tech = techs[Math.floor(rand() * techs.length)]!;
    const onSiteVisit = type !== 'consultation' && type !== 'complaint';
    const deadlines: ServiceRequestView['deadlines'] = [];
    const respondedMin = Math.round(5 + rand() * 55);
    deadlines.push({
      id: 'response',
      milestone: 'response',
      visit: 1,
      span: '1h',
      startedAt: iso(t0),
      dueAt: iso(t0 + 60 * MIN),
      metAt: iso(t0 + respondedMin * MIN),
      lateByMs: 0,
      status: 'met',
      business: false,
    });
    const assignedAt = t0 + 10 * MIN;
    const assignments: ServiceRequestView['assignments'] = [];
    let completion: ServiceRequestView['completion'];
    let closedAt: string | undefined;
    let lastVisit = t0;
    const recent = n < o.requests * 0.02; // the newest requests are still open
    if (onSiteVisit) {
      const acceptMin = Math.round(2 + rand() * 58);
      assignments.push(autoAssignment(tech, iso(assignedAt), iso(assignedAt + acceptMin * MIN)));
      const due = t0 + 240 * MIN;
      const onSite = {
        id: 'on_site',
        milestone: 'on_site',
        visit: 1,
        span: '4h',
        startedAt: iso(t0),
        dueAt: iso(due),
        business: false,
      } as const;
      const r = rand();
      if (r < 0.05) deadlines.push({ ...onSite, breachedAt: iso(due), status: 'breached' });
      else {
        const arrive = t0 + Math.round(30 + rand() * (r < 0.85 ? 200 : 400)) * MIN;
        const late = Math.max(0, arrive - due);
        deadlines.push({
          ...onSite,
          metAt: iso(arrive),
          lateByMs: late,
          ...(late > 0 ? { breachedAt: iso(due) } : {}),
          status: late > 0 ? 'breached' : 'met',
        });
        lastVisit = arrive + 60 * MIN;
        const v = rand();
        if (!recent) {
          completion =
            v < 0.8
              ? [{ at: iso(lastVisit), resolved: true, notes: '', technicianId: tech }]
              : [
                  { at: iso(lastVisit), resolved: false, notes: '', technicianId: tech },
                  { at: iso(lastVisit + 2 * 86_400_000), resolved: true, notes: '', technicianId: tech },
                ];
          lastVisit = Date.parse(completion[completion.length - 1]!.at);
        }
      }
    }
    if (!recent && (!onSiteVisit || completion)) closedAt = iso(lastVisit + 86_400_000);
    const scored = closedAt !== undefined && rand() < 0.7;
    const repeatOf =
      type === 'repair' && fixed.length > 10 && rand() < 0.03
        ? fixed[fixed.length - 1 - Math.floor(rand() * Math.min(fixed.length, 500))]
        : undefined;
    const state: ServiceRequestView = {
      requestId: id,
      ticket: `SYN${n + 1}`,
      status: closedAt ? 'closed' : onSiteVisit ? 'assigned' : 'first_line',
      type,
      urgency: rand() < 0.1 ? 'urgent' : 'normal',
      channel: weighted(rand, CHANNELS),
      vip: rand() < 0.05,
      bodyHash: 'synthetic',
      policyVersion: 'synthetic',
      lifecycleVersion: 3,
      receivedAt: iso(t0),
      ...(onSiteVisit ? { technicianId: tech } : {}),
      assignments,
      visit: Math.max(1, completion?.length ?? 1),
      deadlines,
      escalationLevel: 0,
      escalations: [],
      timeline: [],
      photos: [],
      photoChecks: completion ? [{ at: iso(lastVisit), ok: rand() < 0.92, missing: [], invalid: [] }] : [],
      ...(completion ? { completion } : {}),
      ...(scored ? { feedback: { score: weighted(rand, SCORES), at: closedAt! } } : {}),
      ...(type === 'repair' && completion && rand() < 0.9
        ? {
            diagnosis: {
              at: iso(lastVisit),
              faultCause: FAULT_CAUSES[Math.floor(rand() * FAULT_CAUSES.length)]!,
              diagnosis: '',
              technicianId: tech,
            },
          }
        : {}),
      ...(type === 'complaint'
        ? {
            complaint: {
              classification: COMPLAINT_CLASSES[Math.floor(rand() * COMPLAINT_CLASSES.length)]!,
              ...(rand() < 0.5 ? { relatesTo: { requestId: 'sr-earlier', ticket: 'E', technicianId: tech } } : {}),
            },
          }
        : {}),
      ...(repeatOf
        ? { repeatRepair: { requestId: repeatOf.id, ticket: repeatOf.id, resolvedAt: repeatOf.at, technicianId: repeatOf.tech } }
        : {}),
      ...(type === 'repair' && completion && rand() < 0.3
        ? { visitFee: { amount: 5_000 + Math.floor(rand() * 15) * 1_000, currency: 'CNY' } }
        : {}),
      ...(closedAt ? { closedAt, outcome: 'closed' as const } : {}),
    };
    if (type === 'repair' && completion?.some((c) => c.resolved)) fixed.push({ id, tech, at: completion[completion.length - 1]!.at });
    const input: ProjectionInput = { seq: 1, state, product, region, sms: [] };
    out.rows.push(requestRow(input));
    out.events.push(...requestEvents(input));
    if (out.rows.length >= batch) {
      yield out;
      out = { rows: [], events: [] };
    }
  }
  if (out.rows.length) yield out;
}
