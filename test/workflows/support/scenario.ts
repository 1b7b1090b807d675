/**
 * Scenario helpers for the workflow tests: one bed per file with per-test bookkeeping (SMS idempotency check,
 * leftover workflows terminated, load reset), server-time anchors on the business calendar, the technician's
 * and customer's actions, photos, the rating link, and history recording.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { OutboxLine } from '../../../src/adapters/sms';
import { resolvePolicy } from '../../../src/policy';
import type { ResolvedPolicy } from '../../../src/domain/policyTypes';
import type { ActionArgs, ActionBody } from '../../../src/domain/lifecycle/actions';
import type { PhotoKind, ServiceRequestInput } from '../../../src/domain/types';
import type { FaultCause } from '../../../src/domain/charges';
import type { Actor } from '../../../src/domain/roles';
import { parsePolicyText } from '../../../src/policy';
import { isRatingTokenError, verifyRatingToken } from '../../../src/ratingLink';
import { PROJECT_ROOT } from '../../../src/temporal/binaries';
import { ACTION_UPDATES, CURRENT_LIFECYCLE, photoUploadedSignal, type ServiceRequestState } from '../../../workflows/messages';
import type { DeadlineState } from '../../../workflows/deadlines';
import { makePng } from '../../support/images';
import { createBed, RATING_SECRET, type Bed, type BedOptions, type Handle, type StartExtra } from './env';
import { historyToJSON } from './historyJson';

export const ZONE = 'Asia/Shanghai';
const EventType = temporal.api.enums.v1.EventType;

// ── The bed, per file ──────────────────────────────────────────────────────────────────────────────
export interface Suite {
  readonly bed: Bed;
  /** Starts a request and remembers it for the after-each checks; `extra`: more start input (e.g. `history`). */
  start(over?: Partial<ServiceRequestInput>, policy?: ResolvedPolicy, extra?: StartExtra): Promise<Handle>;
  /** Adds a request started some other way (bed.startParked) to the after-each checks. */
  track(h: Handle): Handle;
}

/**
 * One bed (one server) for the file. After each test, for every request the test started: the SMS idempotency
 * check, then the request is terminated if still running (so its timers cannot fire into the next test's
 * time skips); technician load is reset.
 */
export function useBed(opts: BedOptions = {}): Suite {
  let bed: Bed | undefined;
  let started: Handle[] = [];
  beforeAll(async () => {
    bed = await createBed(undefined, opts);
  });
  afterEach(async () => {
    const handles = started;
    started = [];
    if (!bed) return;
    for (const k of Object.keys(bed.openJobs)) delete bed.openJobs[k];
    for (const h of handles) {
      const running = (await h.describe()).status.name === 'RUNNING';
      // The test server stops skipping time for good if a workflow is terminated mid-task: settle first.
      if (running) {
        await settle(h);
        await h.terminate('test over').catch(() => undefined);
      }
      await expectSmsIdempotent(bed, h);
    }
    // A terminated request never releases its board claim: without this, the next test's dispatch would see it.
    bed.board.book.clear();
  });
  afterAll(async () => {
    await bed?.teardown();
  });
  return {
    get bed(): Bed {
      if (!bed) throw new Error('bed not ready');
      return bed;
    },
    async start(over, policy, extra) {
      if (!bed) throw new Error('bed not ready');
      const h = await bed.start(over, policy, undefined, extra);
      started.push(h);
      return h;
    },
    track(h) {
      started.push(h);
      return h;
    },
  };
}

// ── Waiting (real time) and skipping (server time) ───────────────────────────────────────────────
/** Polls until `ok` holds (activities and workflow tasks run in real time; server time stays put). */
export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last, null, 1)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 20));
    last = await read();
  }
  return last;
}

export const untilState = (h: Handle, ok: (s: ServiceRequestState) => boolean, what: string): Promise<ServiceRequestState> =>
  until(() => h.state(), ok, `${h.workflowId}: ${what}`);

export const untilStatus = (h: Handle, status: ServiceRequestState['status']): Promise<ServiceRequestState> =>
  untilState(h, (s) => s.status === status, `status ${status}`);

/** The request's outbox lines (optionally of some kinds), once `ok` holds for them. */
export async function untilSms(bed: Bed, h: Handle, ok: (lines: OutboxLine[]) => boolean, what: string): Promise<OutboxLine[]> {
  return until(() => smsOf(bed, h), ok, `${h.workflowId}: SMS ${what}`);
}

export async function smsOf(bed: Bed, h: Handle, ...kinds: string[]): Promise<OutboxLine[]> {
  const lines = (await bed.outbox()).filter((l) => l.requestId === h.workflowId);
  return kinds.length ? lines.filter((l) => kinds.includes(l.kind)) : lines;
}

export const serverNow = (bed: Bed): Promise<number> => bed.env.currentTimeMs();

/** Skips server time to `ms` (timers in between fire in order). */
export async function advanceTo(bed: Bed, ms: number): Promise<void> {
  const now = await serverNow(bed);
  if (ms < now) throw new Error(`cannot go back in time: ${new Date(ms).toISOString()} < ${new Date(now).toISOString()}`);
  if (ms > now) await bed.env.sleep(ms - now);
}

// ── Local time on the default calendar (Asia/Shanghai, 08:00–18:00 Mon–Sat) ───────────────────────
const DEFAULT_CAL = loadDefaultRaw().calendar as { holidays: string[]; extraWorkingDays: string[] };
const expand = (v: string): string[] => {
  const [a, b = a] = v.split('..');
  const out: string[] = [];
  for (
    let d = DateTime.fromISO(a as string, { zone: 'utc' });
    d <= DateTime.fromISO(b as string, { zone: 'utc' });
    d = d.plus({ days: 1 })
  ) {
    out.push(d.toISODate() as string);
  }
  return out;
};
const SPECIAL_DAYS = new Set([...DEFAULT_CAL.holidays.flatMap(expand), ...DEFAULT_CAL.extraWorkingDays]);

/**
 * Skips server time to the next `weekday` (1 = Mon … 7 = Sun) at `hhmm` in Shanghai, choosing a week where the
 * `quietDays` from there on are ordinary (no holiday, no 调休 working day in the default policy), so expected due
 * times can be written by hand. Returns the anchor (epoch ms); requests started now are received at it.
 */
export async function anchorAt(bed: Bed, weekday: number, hhmm: string, quietDays = 12): Promise<number> {
  const now = await serverNow(bed);
  const [h, m] = hhmm.split(':').map(Number);
  let d = DateTime.fromMillis(now, { zone: ZONE }).startOf('day');
  for (;;) {
    const cand = d.set({ hour: h, minute: m });
    const quiet = Array.from({ length: quietDays }, (_, i) => cand.plus({ days: i }).toISODate() as string).every(
      (x) => !SPECIAL_DAYS.has(x),
    );
    if (cand.weekday === weekday && cand.toMillis() > now && quiet) {
      await advanceTo(bed, cand.toMillis());
      return cand.toMillis();
    }
    d = d.plus({ days: 1 });
  }
}

/** ISO instant of the local date `days` after the anchor's, at `hhmm` Shanghai time ("Wed 10:00" = at(A, 2, '10:00')). */
export function at(anchor: number, days: number, hhmm: string): string {
  const [h, m] = hhmm.split(':').map(Number);
  return DateTime.fromMillis(anchor, { zone: ZONE })
    .plus({ days })
    .set({ hour: h, minute: m, second: 0, millisecond: 0 })
    .toUTC()
    .toISO() as string;
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Matches an ISO instant within `tolMs` of `expected` (ms or ISO). Server time runs on in real time between
 * skips, so a request "received at" the anchor is a few ms after it; every due time shifts with it.
 */
export function near(expected: number | string, tolMs = 2000): { asymmetricMatch(a: unknown): boolean; toAsymmetricMatcher(): string } {
  const want = typeof expected === 'number' ? expected : Date.parse(expected);
  return {
    asymmetricMatch: (a: unknown) => typeof a === 'string' && Math.abs(Date.parse(a) - want) <= tolMs,
    toAsymmetricMatcher: () => `near(${iso(want)})`,
  };
}
/**
 * Matches an ISO instant in [fromMs, toMs]: for what the workflow stamps when its task runs, which on a busy machine
 * is later than the timer by however long the task waited (server time runs on in real time meanwhile).
 */
export function between(fromMs: number, toMs: number): { asymmetricMatch(a: unknown): boolean; toAsymmetricMatcher(): string } {
  return {
    asymmetricMatch: (a: unknown) => typeof a === 'string' && Date.parse(a) >= fromMs && Date.parse(a) <= toMs,
    toAsymmetricMatcher: () => `between(${iso(fromMs)}, ${iso(toMs)})`,
  };
}
export const MIN = 60_000;
export const HOUR = 3_600_000;

/** Waits until the request has no workflow task or activity in flight (it is waiting on timers or updates). */
export async function settle(h: Handle, timeoutMs = 15_000): Promise<void> {
  const inFlight = async (): Promise<string[]> => {
    const events = await historyEvents(h);
    const open = new Map<number, string>();
    let tasks = 0;
    for (const e of events) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled) open.set(Number(e.eventId), `activity ${scheduled.activityType?.name}`);
      const closed =
        e.activityTaskCompletedEventAttributes ??
        e.activityTaskFailedEventAttributes ??
        e.activityTaskTimedOutEventAttributes ??
        e.activityTaskCanceledEventAttributes;
      if (closed) open.delete(Number(closed.scheduledEventId));
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) tasks++;
      if (WORKFLOW_TASK_ENDS.has(e.eventType ?? 0)) tasks--;
    }
    return [...open.values(), ...(tasks > 0 ? ['workflow task'] : [])];
  };
  await until(inFlight, (open) => open.length === 0, `${h.workflowId} to settle (in flight)`, timeoutMs);
}
const WORKFLOW_TASK_ENDS = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
]);

// ── State ──────────────────────────────────────────────────────────────────────────────────────────
export function deadline(s: ServiceRequestState, id: string): DeadlineState {
  const d = s.deadlines.find((x) => x.id === id);
  if (!d) throw new Error(`no deadline ${id}; have ${s.deadlines.map((x) => x.id).join(', ')}`);
  return d;
}

// ── Actions (what the technician's app, ops and the customer do) ───────────────────────────────────
export const act = {
  assign: (h: Handle, technicianId: string) => h.executeUpdate(ACTION_UPDATES.assign, { args: [{ technicianId }] }),
  accept: (h: Handle, technicianId: string) => h.executeUpdate(ACTION_UPDATES.accept, { args: [{ technicianId }] }),
  decline: (h: Handle, technicianId: string, reason = 'fully booked today') =>
    h.executeUpdate(ACTION_UPDATES.decline, { args: [{ technicianId, reason }] }),
  book: (h: Handle, technicianId: string, at: string) => h.executeUpdate(ACTION_UPDATES.appointment, { args: [{ technicianId, at }] }),
  arrive: (h: Handle, technicianId: string) => h.executeUpdate(ACTION_UPDATES.arrival, { args: [{ technicianId }] }),
  complete: (
    h: Handle,
    technicianId: string,
    resolved = true,
    notes = resolved ? 'replaced the flame sensor' : 'control board fault, needs L2',
  ) => h.executeUpdate(ACTION_UPDATES.completion, { args: [{ technicianId, resolved, notes }] }),
  hold: (h: Handle, reason = 'waiting for parts') => h.executeUpdate(ACTION_UPDATES.hold, { args: [{ reason }] }),
  resume: (h: Handle, reason = 'parts arrived') => h.executeUpdate(ACTION_UPDATES.resume, { args: [{ reason }] }),
  feedback: (h: Handle, tokenId: string, score: number, comment?: string) =>
    h.executeUpdate(ACTION_UPDATES.feedback, { args: [{ score, tokenId, comment }] }),
  followUp: (h: Handle, notes = 'called the customer, apologised, offered a free check') =>
    h.executeUpdate(ACTION_UPDATES.followUp, { args: [{ notes }] }),
  cancel: (h: Handle, reason = 'customer fixed it themselves') => h.executeUpdate(ACTION_UPDATES.cancel, { args: [{ reason }] }),
  /** Ops (by default) or the assigned technician resolves it without a visit. */
  remote: (h: Handle, by: { technicianId?: string } = {}, notes = 'reset the unit by phone; works again') =>
    h.executeUpdate(ACTION_UPDATES.remoteResolution, {
      // Ops send no technicianId (the type asks for one because technicians must name themselves).
      args: [
        {
          notes,
          ...by,
          by: { name: by.technicianId ?? 'hotline', role: by.technicianId ? 'technician' : 'ops' },
        } as ActionArgs<'remoteResolution'>,
      ],
    }),
  visitNeeded: (h: Handle, reason = 'needs a look at the unit') => h.executeUpdate(ACTION_UPDATES.visitNeeded, { args: [{ reason }] }),
  /** The call centre's report: not reached (no answers), or reached with answers A–D and a score. */
  callback: (h: Handle, outcome: CallbackOutcome) =>
    h.executeUpdate(ACTION_UPDATES.callbackOutcome, { args: [{ ...outcome, by: { name: 'callcentre', role: 'callcentre' } }] }),
  // ── Lifecycle 4 ──
  diagnose: (h: Handle, technicianId: string, faultCause: FaultCause = 'quality', diagnosis = 'thermocouple worn out') =>
    h.executeUpdate(ACTION_UPDATES.diagnosis, { args: [{ technicianId, faultCause, diagnosis }] }),
  quote: (h: Handle, technicianId: string, lines: ActionBody<'quote'>['lines'] = QUOTE_LINES) =>
    h.executeUpdate(ACTION_UPDATES.quote, { args: [{ technicianId, lines }] }),
  /** Ops record the customer's decision taken by phone. */
  quoteDecision: (h: Handle, approved: boolean, note = 'customer decided on the phone') =>
    h.executeUpdate(ACTION_UPDATES.quoteDecision, { args: [{ approved, note, by: { name: 'hotline', role: 'ops' } }] }),
  /** The customer's decision through the signed quote link (its token id, as the API sends it). */
  quoteResponse: (h: Handle, tokenId: string, approved: boolean) =>
    h.executeUpdate(ACTION_UPDATES.quoteResponse, { args: [{ approved, tokenId }] }),
  payment: (h: Handle, technicianId: string, body: Omit<ActionBody<'payment'>, 'technicianId'>) =>
    h.executeUpdate(ACTION_UPDATES.payment, { args: [{ technicianId, ...body }] }),
  partsRequest: (h: Handle, technicianId: string, expectedBy: string, parts: ActionBody<'partsRequest'>['parts'] = PARTS) =>
    h.executeUpdate(ACTION_UPDATES.partsRequest, { args: [{ technicianId, parts, reason: 'thermocouple not on the van', expectedBy }] }),
  partsDispatched: (h: Handle, body: ActionBody<'partsDispatched'> = { shipment: 'SF1234567890' }) =>
    h.executeUpdate(ACTION_UPDATES.partsDispatched, { args: [{ ...body, by: { name: 'warehouse', role: 'warehouse' } }] }),
  partsArrived: (h: Handle, note?: string) =>
    h.executeUpdate(ACTION_UPDATES.partsArrived, { args: [{ ...(note ? { note } : {}), by: { name: 'warehouse', role: 'warehouse' } }] }),
  // ── Lifecycle 5: returns and exchanges ──
  /** The store (ops, by default) or a technician records the inspection. */
  returnInspection: (h: Handle, body: ActionBody<'returnInspection'>, by: Actor = { name: 'store', role: 'ops' }) =>
    h.executeUpdate(ACTION_UPDATES.returnInspection, { args: [{ ...body, by }] }),
  returnApproval: (h: Handle, body: ActionBody<'returnApproval'>) =>
    h.executeUpdate(ACTION_UPDATES.returnApproval, { args: [{ ...body, by: { name: 'supervisor', role: 'supervisor' } }] }),
  returnSettlement: (h: Handle, body: ActionBody<'returnSettlement'>) =>
    h.executeUpdate(ACTION_UPDATES.returnSettlement, { args: [{ ...body, by: { name: 'store', role: 'ops' } }] }),
  // ── Lifecycle 5: a complaint's process, by ops ──
  complaintAnalysis: (h: Handle, body: ActionBody<'complaintAnalysis'> = { findings: '工程师上门迟到两小时且未提前告知客户' }) =>
    h.executeUpdate(ACTION_UPDATES.complaintAnalysis, { args: [{ ...body, by: OPS_DESK }] }),
  complaintSolution: (h: Handle, body: ActionBody<'complaintSolution'> = { solution: '向客户致歉并免除本次上门费' }) =>
    h.executeUpdate(ACTION_UPDATES.complaintSolution, { args: [{ ...body, by: OPS_DESK }] }),
  complaintImplementation: (h: Handle, notes = '已电话致歉，上门费已退回') =>
    h.executeUpdate(ACTION_UPDATES.complaintImplementation, { args: [{ notes, by: OPS_DESK }] }),
  complaintFeedback: (h: Handle, body: Partial<ActionBody<'complaintFeedback'>> = {}) =>
    h.executeUpdate(ACTION_UPDATES.complaintFeedback, {
      args: [{ satisfied: true, feedback: '客户接受处理结果', ...body, by: OPS_DESK }],
    }),
};
const OPS_DESK = { name: 'ops desk', role: 'ops' } as const;

/** A gas water heater repair: ignition labour (80.00) and a thermocouple (35.00) from the repo's catalogue files. */
export const QUOTE_LABOUR = 'GAS-IGNITION';
export const QUOTE_PART = 'GWH-TC-01';
export const QUOTE_LINES: ActionBody<'quote'>['lines'] = [
  { kind: 'labour', code: QUOTE_LABOUR, quantity: 1 },
  { kind: 'part', partNumber: QUOTE_PART, quantity: 1 },
];
export const PARTS: ActionBody<'partsRequest'>['parts'] = [{ partNumber: QUOTE_PART, quantity: 1 }];

export type CallbackOutcome = ActionBody<'callbackOutcome'>;

/** A reached call-back: satisfied, explained, fixed, score 5 unless `over` says otherwise. */
export const reachedCall = (over: Partial<NonNullable<CallbackOutcome['answers']>> & { score?: number } = {}): CallbackOutcome => {
  const { score = 5, ...answers } = over;
  return { reached: true, score, answers: { satisfiedWithTechnician: true, useExplained: true, fixed: true, ...answers } };
};

/** The automatic assignment accepted, booked for now and arrived: returns the technician, on site. */
export async function onSiteNow(bed: Bed, h: Handle): Promise<string> {
  const tech = await assignedTech(h);
  await act.accept(h, tech);
  await act.book(h, tech, new Date(await serverNow(bed)).toISOString());
  await act.arrive(h, tech);
  return tech;
}

/** Waits for the first automatic assignment and returns the technician. */
export async function assignedTech(h: Handle): Promise<string> {
  const s = await untilStatus(h, 'assigned');
  return s.technicianId as string;
}

// ── Photos ──────────────────────────────────────────────────────────────────────────────────────────
/** A small but complete baseline JPEG (1×1, JFIF). */
export const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
);
export const PNG = makePng(4, 3);
/** What a broken app might upload as a "photo". */
export const TEXT_NOT_IMAGE = Buffer.from('IMG_2041.jpg — 这不是照片, just text\n');

/** Puts the bytes into the request's photo storage and announces each upload with the photoUploaded signal. */
export async function uploadPhotos(bed: Bed, h: Handle, photos: Partial<Record<PhotoKind, Buffer>>, contentType?: string): Promise<void> {
  for (const [kind, body] of Object.entries(photos) as [PhotoKind, Buffer][]) {
    const type = contentType ?? (body === JPEG ? 'image/jpeg' : 'image/png');
    const stored = await bed.storage.put(h.workflowId, kind, body, type);
    await h.signal(photoUploadedSignal, { kind, key: stored.key, at: new Date(await serverNow(bed)).toISOString() });
  }
}

export const ALL_PHOTOS = { before: JPEG, after: PNG, signature: PNG };

// ── Rating link ─────────────────────────────────────────────────────────────────────────────────────
/** The signed token in the rating link of the request's `completed` SMS. */
export async function ratingToken(bed: Bed, h: Handle): Promise<string> {
  const lines = await untilSms(bed, h, (l) => l.some((x) => x.kind.startsWith('completed')), 'completed');
  const completed = lines.find((x) => x.kind.startsWith('completed')) as OutboxLine;
  const token = /https?:\/\/[^\s/]+\/r\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(completed.text)?.[1];
  if (!token) throw new Error(`no rating link in: ${completed.text}`);
  return token;
}

/** The token id in the rating link, verified like the API does (signature, expiry at server time). */
export async function ratingTokenId(bed: Bed, h: Handle): Promise<string> {
  const v = verifyRatingToken(await ratingToken(bed, h), RATING_SECRET, await serverNow(bed));
  if (isRatingTokenError(v)) throw new Error(`rating link does not verify: ${v.error}`);
  expect(v.requestId).toBe(h.workflowId);
  return v.tokenId;
}

/** The signed token (and its id) of the quote link in the request's n-th `quote` SMS, verified like the API does. */
export async function quoteToken(bed: Bed, h: Handle, n = 1): Promise<{ token: string; tokenId: string }> {
  const lines = await untilSms(bed, h, (l) => l.filter((x) => x.kind === 'quote').length >= n, `quote SMS #${n}`);
  const text = lines.filter((x) => x.kind === 'quote')[n - 1]?.text ?? '';
  const token = /https?:\/\/[^\s/]+\/q\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(text)?.[1];
  if (!token) throw new Error(`no quote link in: ${text}`);
  const v = verifyRatingToken(token, RATING_SECRET, await serverNow(bed), 'quote');
  if (isRatingTokenError(v)) throw new Error(`quote link does not verify: ${v.error}`);
  expect(v.requestId).toBe(h.workflowId);
  return { token, tokenId: v.tokenId };
}

// ── Policies (built like the worker builds them: from the file, through resolvePolicy) ─────────────
function loadDefaultRaw(): Record<string, unknown> {
  const file = join(PROJECT_ROOT, 'policy', 'default.yaml');
  return parsePolicyText(readFileSync(file, 'utf8'), file) as Record<string, unknown>;
}

/** The parsed policy file, loosely typed for edits (resolvePolicy validates the result). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RawPolicy = Record<string, any>;

/** policy/default.yaml with `edit` applied to the parsed file, resolved and validated. */
export function policyVariant(version: string, edit: (raw: RawPolicy) => void): ResolvedPolicy {
  const raw = loadDefaultRaw();
  raw.version = version;
  edit(raw);
  return resolvePolicy(raw, `policy/default.yaml (${version})`);
}

// ── History checks ──────────────────────────────────────────────────────────────────────────────────
export async function historyEvents(h: Handle): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  return (await h.fetchHistory()).events ?? [];
}

export const eventName = (e: temporal.api.history.v1.IHistoryEvent): string => EventType[e.eventType ?? 0] ?? String(e.eventType);

const WORKFLOW_TASK_EVENTS = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
]);

/**
 * `update` must be rejected by the workflow's validator (WorkflowUpdateFailedError naming the reason) and leave
 * the state and the history as they were. On a real server (`exact`) the history is identical: the validator
 * runs in a speculative workflow task that is never written. The time-skipping test server has no speculative
 * tasks and records that workflow task (scheduled/started/completed) — but nothing else: no update accepted or
 * completed, no command, no timer, no activity, no search-attribute upsert.
 */
export async function expectRejected(h: Handle, update: () => Promise<unknown>, reason: RegExp | string, exact = false): Promise<void> {
  await settle(h); // activities in flight would add their own events
  const before = await historyEvents(h);
  const stateBefore = await h.state();
  const err = await update().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(String((err as WorkflowUpdateFailedError).cause?.message)).toMatch(reason);
  const after = await historyEvents(h);
  if (exact) {
    expect(after.map(eventName)).toEqual(before.map(eventName));
  } else {
    expect(after.slice(0, before.length).map(eventName)).toEqual(before.map(eventName));
    expect(
      after
        .slice(before.length)
        .filter((e) => !WORKFLOW_TASK_EVENTS.has(e.eventType ?? 0))
        .map(eventName),
    ).toEqual([]);
  }
  expect(await h.state()).toEqual(stateBefore);
}

// ── SMS idempotency inside the workflow ─────────────────────────────────────────────────────────────
const SMS_ACTIVITIES = new Set(['sendCustomerSms', 'sendTechnicianSms', 'notifyEscalation']);

/**
 * No message is ever issued twice and none is lost to a reused key: the outbox holds no duplicate idempotency
 * key; no two scheduled SMS activities carry the same input; and every SMS activity that completed put exactly
 * one line in the outbox (a key reused for a different message would have been dropped as a duplicate). For a
 * request that has settled or ended; activities still running may have written their line already.
 */
export async function expectSmsIdempotent(bed: Bed, h: Handle, settled = true): Promise<void> {
  const lines = await smsOf(bed, h);
  const keys = lines.map((l) => l.idempotencyKey);
  expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);

  const events = await historyEvents(h);
  const scheduled = new Map<number, string>();
  let completed = 0;
  for (const e of events) {
    const a = e.activityTaskScheduledEventAttributes;
    if (a && SMS_ACTIVITIES.has(a.activityType?.name ?? '')) {
      const input = Buffer.from(a.input?.payloads?.[0]?.data ?? []).toString('utf8');
      scheduled.set(Number(e.eventId), `${a.activityType?.name}:${input}`);
    }
    const c = e.activityTaskCompletedEventAttributes;
    if (c && scheduled.has(Number(c.scheduledEventId))) completed++;
  }
  const inputs = [...scheduled.values()];
  expect(inputs.filter((x, i) => inputs.indexOf(x) !== i)).toEqual([]);
  expect(lines.length).toBeGreaterThanOrEqual(completed);
  expect(lines.length).toBeLessThanOrEqual(scheduled.size);
  if (settled) expect(lines.length).toBe(completed);
}

// ── Recording histories for the replay test (RECORD_HISTORIES=1) ────────────────────────────────────
/** Recorded histories, one folder per lifecycle version; scenarios record the current one's. */
export const HISTORIES_DIR = join(PROJECT_ROOT, 'test', 'histories');
export const CURRENT_HISTORIES_DIR = join(HISTORIES_DIR, `v${CURRENT_LIFECYCLE}`);

/** Writes the request's history to test/histories/<name>.json when RECORD_HISTORIES=1; otherwise nothing. */
export async function recordHistory(h: Handle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  // Only the current lifecycle's: an older one's recorded set is kept as it was recorded by the code of its time.
  if ((await h.state()).lifecycleVersion !== CURRENT_LIFECYCLE) return;
  const history = await h.fetchHistory();
  mkdirSync(CURRENT_HISTORIES_DIR, { recursive: true });
  writeFileSync(join(CURRENT_HISTORIES_DIR, `${name}.json`), `${historyToJSON(history)}\n`);
}

export { EventType };
