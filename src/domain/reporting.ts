/**
 * What a request writes to the reporting database: its row and its events, derived from what the workflow knows
 * (its state as the query shows it, the product, the region and the customer key, the SMS it sent). Pure and
 * workflow-safe: the live projection (activities/projection.ts) and the rebuild from histories
 * (src/reporting/rebuild.ts) use the same function, so a rebuilt table equals the live one.
 *
 * Event ids are derived from what happened (`<request>/<kind>/<which>`): a projection carries every event so far,
 * and writing one again changes nothing — a retried or repeated projection never double-counts.
 */
import type { ServiceRequestView } from './lifecycle/view';
import { lastFix } from './lifecycle/resolution';

export interface SmsFact {
  /** customer / technician SMS kind, or `page` for an escalation contact's. */
  kind: string;
  to: 'customer' | 'technician' | 'ops';
  seq: number;
  at: string;
  ok: boolean;
}

/** The `kind` of a page's SMS fact: the live projection (notifications.ts) and the rebuild (rebuild.ts) must agree. */
export const pageFactKind = (kind: string, level: number | string): string => `${kind}_l${level}`;

export interface ProjectionInput {
  /** Grows with each projection of the request; the row is only replaced by a higher one. */
  seq: number;
  state: ServiceRequestView;
  product: { model: string; category: string };
  region: string;
  customerKey?: string;
  sms: SmsFact[];
}

export interface RequestRow {
  request_id: string;
  ticket: string;
  seq: number;
  lifecycle_version: number;
  type: string;
  urgency: string;
  channel: string;
  vip: boolean;
  status: string;
  outcome: string | null;
  received_at: string;
  closed_at: string | null;
  product_model: string;
  product_category: string;
  region: string;
  customer_key: string | null;
  technician_id: string | null;
  fixed_by: string | null;
  fixed_at: string | null;
  fault_cause: string | null;
  escalation_level: number;
  visits: number;
  first_time_fix: boolean | null;
  repeat_of: string | null;
  complaint_class: string | null;
  complaint_technician: string | null;
  score: number | null;
  charged_total: number;
  currency: string | null;
  record_complete: boolean | null;
  state: ServiceRequestView;
}

export interface EventRow {
  event_id: string;
  request_id: string;
  at: string;
  kind: EventKind;
  status?: string;
  milestone?: string;
  urgency?: string;
  visit?: number;
  technician_id?: string;
  level?: number;
  reason?: string;
  late_by_ms?: number;
  duration_ms?: number;
  amount?: number;
  currency?: string;
  part_number?: string;
  quantity?: number;
  ok?: boolean;
  detail?: string;
}

export const EVENT_KINDS = [
  'transition',
  'assigned',
  'accepted',
  'deadline_met',
  'deadline_breached',
  'escalated',
  'visit_result',
  'sms',
  'score',
  'charge',
  'payment',
  'part_ordered',
  'part_used',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const EVENT_COLUMNS = [
  'event_id',
  'request_id',
  'at',
  'kind',
  'status',
  'milestone',
  'urgency',
  'visit',
  'technician_id',
  'level',
  'reason',
  'late_by_ms',
  'duration_ms',
  'amount',
  'currency',
  'part_number',
  'quantity',
  'ok',
  'detail',
] as const satisfies readonly (keyof EventRow)[];

/** Region of an address: province and city of a Chinese address (`广东省深圳市`), else its last part; never the rest. */
export function regionOf(address: string): string {
  const a = address.replace(/\s+/g, '');
  const zh = /^(.{2,8}?(?:省|自治区|特别行政区))?(.{2,10}?(?:市|自治州|州|盟|地区))/u.exec(a);
  if (zh) return `${zh[1] ?? ''}${zh[2] ?? ''}`;
  const parts = address
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p && !/\d/.test(p));
  return parts[parts.length - 1] ?? 'unknown';
}

/** The first visit fixed it: the same reading as the daily report's first-time fix (not reopened, no parts wait). */
function firstTimeFix(s: ServiceRequestView): boolean | null {
  const visits = s.completion ?? [];
  if (!visits.length) return null;
  return Boolean(visits[0]?.resolved && !s.reopened?.length && !s.parts?.length);
}

/**
 * The service record is complete when the resolving visit left what the manuals ask for: its photos passed the check
 * and (lifecycle 4 on) its service report was stored. Null when no visit fixed the request.
 */
function recordComplete(s: ServiceRequestView): boolean | null {
  const resolved = (s.completion ?? []).some((v) => v.resolved);
  if (!resolved) return null;
  const photosOk = (s.photoChecks ?? []).some((c) => c.ok);
  const reportOk = (s.lifecycleVersion ?? 1) < 4 || Boolean(s.serviceReport?.stored);
  return photosOk && reportOk;
}

function charged(s: ServiceRequestView): { total: number; currency: string | null } {
  const report = s.serviceReport?.charges;
  let total = report?.chargeable ? report.total : 0;
  let currency = report?.chargeable ? report.currency : null;
  if (s.visitFee) {
    total += s.visitFee.amount;
    currency = s.visitFee.currency;
  }
  return { total, currency };
}

export function requestRow(p: ProjectionInput): RequestRow {
  const s = p.state;
  const fix = lastFix(s);
  const money = charged(s);
  const complaintTechnician = s.complaint?.accountability?.responsible.technicianId ?? s.complaint?.relatesTo?.technicianId ?? null;
  return {
    request_id: s.requestId,
    ticket: s.ticket,
    seq: p.seq,
    lifecycle_version: s.lifecycleVersion ?? 1,
    type: s.type,
    urgency: s.urgency,
    channel: s.channel,
    vip: s.vip,
    status: s.status,
    outcome: s.outcome ?? null,
    received_at: s.receivedAt,
    closed_at: s.closedAt ?? null,
    product_model: p.product.model,
    product_category: p.product.category,
    region: p.region,
    customer_key: p.customerKey ?? null,
    technician_id: s.technicianId ?? null,
    fixed_by: fix?.technicianId ?? null,
    fixed_at: fix?.at ?? null,
    fault_cause: s.diagnosis?.faultCause ?? s.returns?.inspection?.faultCause ?? null,
    escalation_level: s.escalationLevel,
    visits: s.visit,
    first_time_fix: firstTimeFix(s),
    repeat_of: s.repeatRepair?.requestId ?? null,
    complaint_class: s.complaint?.classification ?? null,
    complaint_technician: s.complaint ? complaintTechnician : null,
    score: s.feedback?.score ?? null,
    charged_total: money.total,
    currency: money.currency,
    record_complete: recordComplete(s),
    state: s,
  };
}

export function requestEvents(p: ProjectionInput): EventRow[] {
  const s = p.state;
  const id = s.requestId;
  const out: EventRow[] = [];
  const add = (which: string, e: Omit<EventRow, 'event_id' | 'request_id'>): void => {
    out.push({ event_id: `${id}/${e.kind}/${which}`, request_id: id, ...e });
  };
  // Transitions: the timeline's status entries, numbered in order (a status may recur: on_hold and back).
  let n = 0;
  for (const t of s.timeline) if (t.event === 'status') add(String(++n), { at: t.at, kind: 'transition', status: t.detail });
  s.assignments.forEach((a, i) => {
    const base = { visit: a.visit, technician_id: a.technicianId, reason: a.by };
    add(String(i + 1), { ...base, at: a.assignedAt, kind: 'assigned' });
    if (a.acceptedAt) {
      const duration = Date.parse(a.acceptedAt) - Date.parse(a.assignedAt);
      add(String(i + 1), { ...base, at: a.acceptedAt, kind: 'accepted', duration_ms: duration });
    }
  });
  for (const d of s.deadlines) {
    // The technician of the visit the deadline belongs to: whoever held that visit's assignment when it was met.
    const tech = technicianOfVisit(s, d.visit, d.metAt ?? d.breachedAt);
    const base = { milestone: d.milestone, urgency: s.urgency, visit: d.visit, technician_id: tech };
    const fromStart = (at: string): number => Date.parse(at) - Date.parse(d.startedAt);
    if (d.metAt) add(d.id, { ...base, at: d.metAt, kind: 'deadline_met', late_by_ms: d.lateByMs ?? 0, duration_ms: fromStart(d.metAt) });
    if (d.breachedAt) add(d.id, { ...base, at: d.breachedAt, kind: 'deadline_breached', late_by_ms: d.lateByMs });
  }
  s.escalations.forEach((e, i) =>
    add(String(i + 1), { at: e.at, kind: 'escalated', level: e.level, reason: e.reason, milestone: e.milestone, urgency: s.urgency }),
  );
  (s.completion ?? []).forEach((v, i) =>
    add(String(i + 1), { at: v.at, kind: 'visit_result', ok: v.resolved, technician_id: v.technicianId, visit: i + 1 }),
  );
  for (const m of p.sms) add(`${m.to}-${m.kind}-${m.seq}`, { at: m.at, kind: 'sms', reason: m.kind, detail: m.to, ok: m.ok });
  if (s.feedback) add('1', { at: s.feedback.at, kind: 'score', amount: s.feedback.score, technician_id: s.technicianId });
  const report = s.serviceReport;
  if (report?.charges.chargeable && report.charges.total > 0) {
    add('report', { at: report.at, kind: 'charge', amount: report.charges.total, currency: report.charges.currency, reason: 'repair' });
  }
  if (s.visitFee)
    add('visit_fee', {
      at: s.closedAt ?? s.receivedAt,
      kind: 'charge',
      amount: s.visitFee.amount,
      currency: s.visitFee.currency,
      reason: 'visit_fee',
    });
  (s.payments ?? []).forEach((pay, i) => add(String(i + 1), { at: pay.at, kind: 'payment', amount: pay.amount, reason: pay.method }));
  (s.parts ?? []).forEach((order) =>
    order.lines.forEach((l, i) =>
      add(`${order.id}-${i + 1}`, { at: order.at, kind: 'part_ordered', part_number: l.ref, quantity: l.quantity, amount: l.amount }),
    ),
  );
  (report?.partsUsed ?? []).forEach((l, i) =>
    add(String(i + 1), {
      at: report!.at,
      kind: 'part_used',
      part_number: l.ref,
      quantity: l.quantity,
      amount: l.amount,
      technician_id: report!.technicianId,
    }),
  );
  return out;
}

function technicianOfVisit(s: ServiceRequestView, visit: number, at?: string): string | undefined {
  const forVisit = s.assignments.filter((a) => a.visit === visit && (!at || Date.parse(a.assignedAt) <= Date.parse(at)));
  return forVisit[forVisit.length - 1]?.technicianId;
}
