/**
 * Resolution of a policy file (already checked against its schema by src/policy/) into the `ResolvedPolicy` a
 * workflow receives as data: spans sized on the file's calendar, defaults filled in, and the cross-field
 * rules a schema cannot express (hours in order, escalation levels complete …). Pure: no I/O, no schema.
 */
import { DateTime } from 'luxon';
import { normaliseSkill } from './dispatch';
import { REQUEST_TYPES, URGENCIES, type RequestType, type Urgency } from './types';
import type { FaultCause } from './charges';
import type {
  AppointmentPolicy,
  CalendarSpec,
  CallbackPolicy,
  ChargesPolicy,
  ComplaintPolicy,
  DeadlineSpans,
  DispatchPolicy,
  EscalationContact,
  PartsPolicy,
  PerUrgency,
  QuotePolicy,
  ResolvedPolicy,
  ReturnCountFrom,
  ReturnsPolicy,
  ReturnStepPolicy,
  ReturnTerms,
  Span,
  TypeOverride,
  WarrantyPolicy,
  WarrantyTerms,
} from './policyTypes';
import { DAY_MS, parseSpan } from './duration';
import { CALENDAR_24X7, parseClock, workdayMs } from './calendar';

/** Defaults (docs/policy.md) for fields a file may leave out. Deadlines have no defaults: they must be written down. */
export const POLICY_DEFAULTS = {
  language: 'zh',
  warningAt: 0.8,
  timeZone: 'Asia/Shanghai',
  workingHours: { start: '08:00', end: '18:00' },
  workingDays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
  feedbackWindow: '72h',
  smsRetryBudget: '2h',
  followUpThreshold: 3,
  vipStricterDispatch: true,
  radiusKm: 30,
  preferredRating: 0.95,
  maxCandidates: 5,
  publicBaseUrl: 'http://localhost:3000',
  // Lifecycle 3. Workflows read a policy recorded before these blocks existed with these values.
  appointments: { reminderLead: '2h', lateGrace: '15m' },
  callback: { earliest: '2h', latest: '24h', maxAttempts: 3 },
  // Lifecycle 4 (warranty, quotes, parts); the same fallback for policies recorded before these blocks existed.
  warranty: {
    default: { months: 12, extendedMonths: 24, covers: ['parts', 'labour'] },
    notCovered: ['misuse', 'transport', 'wear'],
  },
  charges: { currency: 'CNY', visitFee: 5000 },
  quotes: { expiry: '48h', reminderAfter: '24h', onExpiry: 'escalate' },
  parts: { pauseResolution: true, warehouse: { role: 'warehouse', name: '冯涛', phone: '+8613900139004' } },
  // The customer keeps the report as the record of the repair (and of the parts fitted): a year to open it.
  serviceReport: { linkValidity: '365 days' },
  // The status page link in the receipt SMS: half a year after receipt covers the longest repair and its call-back.
  statusLink: { validity: '180 days' },
  // Lifecycle 5: a repair of the same unit within 90 days of a resolved one is a second visit for the same fault.
  repeatRepair: { window: '90 days' },
  // Lifecycle 5, returns and exchanges: the national 三包 windows (《部分商品修理更换退货责任规定》) — a performance
  // fault within 7 days: return, exchange or repair; within 15 days: exchange or repair; then repair in warranty —
  // and the 7-day no-reason return of an intact product (消费者权益保护法 §25), counted from delivery when known.
  returns: {
    default: { returnDays: 7, exchangeDays: 15, noReasonDays: 7, countFrom: 'delivery' },
    notCovered: ['misuse', 'transport'],
    inspection: { within: '1 business day', escalateTo: 1 },
    approval: { within: '4 business hours', escalateTo: 2 },
    settlement: { within: '2 business days', escalateTo: 1 },
  },
  // Lifecycle 5: a complaint is analysed within a day, its solution decided the next, carried out within two days and
  // the customer's feedback taken the day after; a customer complaining again within a month is a repeat complaint.
  complaints: { repeatWindow: '30 days', deadlines: { analysis: '24h', solution: '24h', implementation: '48h', feedback: '24h' } },
} as const;

const WEEKDAYS: Record<string, number> = {
  mon: 1,
  monday: 1,
  tue: 2,
  tuesday: 2,
  wed: 3,
  wednesday: 3,
  thu: 4,
  thursday: 4,
  fri: 5,
  friday: 5,
  sat: 6,
  saturday: 6,
  sun: 7,
  sunday: 7,
};

/** "Mon", "monday" → 1 … 7 (ISO); undefined for anything else ("constructor" too: own keys only). */
export function weekdayNumber(name: string): number | undefined {
  const key = name.trim().toLowerCase();
  return Object.hasOwn(WEEKDAYS, key) ? WEEKDAYS[key] : undefined;
}

/** File key → milestone key (the file reads camelCase, the workflow uses snake_case milestones). */
const DEADLINE_KEYS = {
  acknowledge: 'acknowledge',
  dispatch: 'dispatch',
  accept: 'accept',
  response: 'response',
  onSite: 'on_site',
  resolution: 'resolution',
  photos: 'photos',
  followUp: 'follow_up',
} as const satisfies Record<string, keyof DeadlineSpans>;

const OVERRIDE_KEYS = {
  response: 'response',
  onSite: 'on_site',
  resolution: 'resolution',
  resolutionMax: 'resolution_max',
} as const satisfies Record<string, keyof TypeOverride>;

// ---------------------------------------------------------------------------------------------------------
// The file as the schema accepted it, and what resolution reports

/** A duration as written: "2h", "2 business days", or seconds. */
export type DurationInput = string | number;

/**
 * A policy file that passed the schema (src/policy/schema.ts, which checks at compile time that its type is
 * this one). Values are still as written: durations as text, weekdays as names, fractions maybe "80%".
 */
export interface PolicyFile {
  version: string;
  language?: 'zh' | 'en';
  warningAt?: number | string;
  publicBaseUrl?: string;
  calendar: {
    allHours?: boolean;
    timeZone?: string;
    workingHours?: { start: string; end: string };
    workingDays?: string[];
    holidays?: string[];
    extraWorkingDays?: string[];
  };
  deadlines: Record<keyof typeof DEADLINE_KEYS, DurationInput | PerUrgency<DurationInput>>;
  typeOverrides?: Partial<Record<RequestType, Partial<Record<keyof typeof OVERRIDE_KEYS, DurationInput>>>>;
  callbackDelay: DurationInput;
  feedbackWindow?: DurationInput;
  smsRetryBudget?: DurationInput;
  followUpThreshold?: number;
  vipStricterDispatch?: boolean;
  escalation: { level: 1 | 2 | 3; role: string; name: string; phone: string; webhookUrl?: string }[];
  appointments?: { reminderLead?: DurationInput; lateGrace?: DurationInput };
  callback?: { earliest?: DurationInput; latest?: DurationInput; maxAttempts?: number };
  warranty?: {
    categories?: Record<string, WarrantyTermsInput>;
    default?: WarrantyTermsInput;
    notCovered?: FaultCause[];
  };
  charges?: { currency?: string; visitFee?: number };
  quotes?: { expiry?: DurationInput; reminderAfter?: DurationInput; onExpiry?: 'escalate' | 'close' };
  parts?: { pauseResolution?: boolean; warehouse?: { role: string; name: string; phone: string; webhookUrl?: string } };
  serviceReport?: { linkValidity?: DurationInput };
  statusLink?: { validity?: DurationInput };
  hotline?: string;
  repeatRepair?: { window?: DurationInput };
  returns?: {
    default?: ReturnTermsInput;
    categories?: Record<string, ReturnTermsInput>;
    notCovered?: FaultCause[];
    inspection?: ReturnStepInput;
    approval?: ReturnStepInput;
    settlement?: ReturnStepInput;
  };
  complaints?: {
    repeatWindow?: DurationInput;
    deadlines?: { analysis?: DurationInput; solution?: DurationInput; implementation?: DurationInput; feedback?: DurationInput };
  };
  dispatch: {
    radiusKm?: number;
    preferredRating?: number | string;
    maxCandidates?: number;
    skillsByCategory?: Record<string, string[]>;
    skillsByType?: Partial<Record<RequestType, string[]>>;
  };
}

/** Warranty terms as written: every field may be left out (a category's fall back to `warranty.default`). */
export interface WarrantyTermsInput {
  months?: number;
  extendedMonths?: number;
  covers?: string[];
}

/** Return windows as written: every field may be left out (a category's fall back to `returns.default`). */
export interface ReturnTermsInput {
  returnDays?: number;
  exchangeDays?: number;
  noReasonDays?: number;
  countFrom?: ReturnCountFrom;
}

/** A step of a return as written. */
export interface ReturnStepInput {
  within?: DurationInput;
  escalateTo?: 1 | 2 | 3;
}

export interface PolicyIssue {
  /** Dotted path into the file, e.g. "deadlines.dispatch.urgent" or "escalation[1].phone"; "" = the whole file. */
  path: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------------------
// Value parsers (the schema's leaf checks use them too, so both passes agree)

/** A file value in a message: JSON, cut to 60 characters. */
export const show = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

/** "80%" or 0.8 → 0.8; undefined if not a fraction in [0, 1]. */
export function parseFraction(v: unknown): number | undefined {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*%\s*$/.test(v)) n = Number(v.replace('%', '').trim()) / 100;
  return n !== undefined && Number.isFinite(n) && n >= 0 && n <= 1 ? n : undefined;
}

const isoDay = (s: string): DateTime | undefined => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return undefined;
  const d = DateTime.fromISO(s, { zone: 'utc' });
  return d.isValid ? d : undefined;
};

/** "2026-10-01" or "2026-10-01..2026-10-07" (inclusive) → the dates; undefined if malformed. */
export function expandDates(v: string): string[] | undefined {
  const [a, b, extra] = v.split('..').map((x) => x.trim());
  const from = isoDay(a ?? '');
  const to = b === undefined ? from : isoDay(b);
  if (!from || !to || extra !== undefined || to < from || to.diff(from, 'days').days > 366) return undefined;
  const out: string[] = [];
  for (let d = from; d <= to; d = d.plus({ days: 1 })) out.push(d.toISODate() as string);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Resolution, collecting cross-field issues

function resolveCalendar(file: PolicyFile['calendar'], issues: PolicyIssue[]): CalendarSpec {
  const timeZone = file.timeZone ?? POLICY_DEFAULTS.timeZone;
  if (file.allHours) return { ...CALENDAR_24X7, timeZone };

  const hours = file.workingHours ?? POLICY_DEFAULTS.workingHours;
  const pad = (s: string) => s.trim().padStart(5, '0');
  const workStart = pad(hours.start);
  const workEnd = pad(hours.end);
  if (parseClock(workEnd) <= parseClock(workStart)) {
    issues.push({ path: 'calendar.workingHours.end', message: `${show(hours.end)} must be later than start ${show(hours.start)}` });
  }
  const workingDays = [...new Set((file.workingDays ?? POLICY_DEFAULTS.workingDays).map((d) => weekdayNumber(d) as number))].sort();
  const dates = (list: string[] | undefined) => [...new Set((list ?? []).flatMap((v) => expandDates(v) ?? []))].sort();
  const holidays = dates(file.holidays);
  const extraWorkingDays = dates(file.extraWorkingDays);
  const holidaySet = new Set(holidays);
  (file.extraWorkingDays ?? []).forEach((entry, i) => {
    const clash = (expandDates(entry) ?? []).filter((d) => holidaySet.has(d));
    if (clash.length > 0) {
      issues.push({ path: `calendar.extraWorkingDays[${i}]`, message: `${clash.join(', ')} is also listed as a holiday` });
    }
  });
  return { timeZone, workStart, workEnd, workingDays, holidays, extraWorkingDays, allHours: false };
}

function resolveEscalation(file: PolicyFile['escalation'], issues: PolicyIssue[]): EscalationContact[] {
  const seen = new Map<number, number>();
  file.forEach((c, i) => {
    const first = seen.get(c.level);
    if (first !== undefined)
      issues.push({ path: `escalation[${i}].level`, message: `level ${c.level} is already given by escalation[${first}]` });
    else seen.set(c.level, i);
  });
  for (const level of [1, 2, 3]) {
    if (!seen.has(level))
      issues.push({
        path: 'escalation',
        message: `no contact for level ${level} (levels 1, 2 and 3 are all needed, see docs/lifecycle.md)`,
      });
  }
  return [...seen.values()]
    .map((i) => file[i]!)
    .sort((a, b) => a.level - b.level)
    .map((c) => ({
      level: c.level,
      role: c.role,
      name: c.name,
      phone: c.phone,
      ...(c.webhookUrl !== undefined ? { webhookUrl: c.webhookUrl } : {}),
    }));
}

function resolveDispatch(file: PolicyFile['dispatch']): DispatchPolicy {
  // Categories and skills in the one spelling dispatch matches on (normaliseSkill): a key "water-heater"
  // must meet the request category water_heater.
  const lower = (list: string[]) => [...new Set(list.map(normaliseSkill))];
  const skillsByType: DispatchPolicy['skillsByType'] = {};
  for (const t of REQUEST_TYPES) {
    const list = file.skillsByType?.[t];
    if (list) skillsByType[t] = lower(list);
  }
  return {
    radiusKm: file.radiusKm ?? POLICY_DEFAULTS.radiusKm,
    preferredRating: parseFraction(file.preferredRating ?? POLICY_DEFAULTS.preferredRating) as number,
    maxCandidates: file.maxCandidates ?? POLICY_DEFAULTS.maxCandidates,
    skillsByCategory: Object.fromEntries(
      Object.entries(file.skillsByCategory ?? {}).map(([cat, skills]) => [normaliseSkill(cat), lower(skills)]),
    ),
    skillsByType,
  };
}

function resolveAppointments(file: PolicyFile['appointments'], span: (v: DurationInput) => Span): AppointmentPolicy {
  const d = POLICY_DEFAULTS.appointments;
  return { reminderLead: span(file?.reminderLead ?? d.reminderLead), lateGrace: span(file?.lateGrace ?? d.lateGrace) };
}

function resolveCallback(file: PolicyFile['callback'], span: (v: DurationInput) => Span, issues: PolicyIssue[]): CallbackPolicy {
  const d = POLICY_DEFAULTS.callback;
  const earliest = span(file?.earliest ?? d.earliest);
  const latest = span(file?.latest ?? d.latest);
  // Waiting times run as elapsed time (docs/policy.md), so their lengths compare directly. An empty window
  // would break the call-back deadline the moment the calls may start.
  if (latest.ms <= earliest.ms) {
    issues.push({
      path: file?.latest !== undefined ? 'callback.latest' : 'callback.earliest',
      message:
        file?.latest !== undefined
          ? `${show(file.latest)} must be later than earliest ${show(file?.earliest ?? d.earliest)}`
          : `${show(file?.earliest)} must be earlier than latest ${show(d.latest)} (the default)`,
    });
  }
  return { earliest, latest, maxAttempts: file?.maxAttempts ?? d.maxAttempts };
}

/**
 * A block's per-category entries keyed in the spelling dispatch and the request use (normaliseSkill), like
 * dispatch.skillsByCategory; a key that is no category, or the same category as an earlier key, is an issue.
 */
function perCategory<I, T>(
  block: string,
  entries: Record<string, I> | undefined,
  make: (entry: I, path: string) => T,
  issues: PolicyIssue[],
): Record<string, T> {
  const out: Record<string, T> = {};
  const firstKey = new Map<string, string>();
  for (const [key, entry] of Object.entries(entries ?? {})) {
    const cat = normaliseSkill(key);
    const path = `${block}.categories.${key}`;
    if (!/^[a-z][a-z0-9_]*$/.test(cat)) {
      issues.push({ path, message: `${show(key)} is not a product category (letters, digits, _)` });
      continue;
    }
    const first = firstKey.get(cat);
    if (first !== undefined) {
      issues.push({ path, message: `is the same category as "${first}" (categories compare without case, "-" = "_")` });
      continue;
    }
    firstKey.set(cat, key);
    out[cat] = make(entry, path);
  }
  return out;
}

function resolveWarranty(file: PolicyFile['warranty'], issues: PolicyIssue[]): WarrantyPolicy {
  const d = POLICY_DEFAULTS.warranty;
  const terms = (t: WarrantyTermsInput | undefined, base: WarrantyTerms): WarrantyTerms => ({
    months: t?.months ?? base.months,
    extendedMonths: t?.extendedMonths ?? base.extendedMonths,
    covers: [...(t?.covers ?? base.covers)],
  });
  const fallback = terms(file?.default, { ...d.default, covers: [...d.default.covers] });
  const categories = perCategory('warranty', file?.categories, (t) => terms(t, fallback), issues);
  const notCovered: FaultCause[] = [];
  (file?.notCovered ?? d.notCovered).forEach((cause, i) => {
    // A quality fault is what a warranty is for (三包): excluding it would make every repair chargeable.
    if (cause === 'quality')
      issues.push({ path: `warranty.notCovered[${i}]`, message: '"quality" faults are what the warranty covers; they cannot be excluded' });
    else if (!notCovered.includes(cause)) notCovered.push(cause);
  });
  return { categories, default: fallback, notCovered };
}

function resolveCharges(file: PolicyFile['charges']): ChargesPolicy {
  const d = POLICY_DEFAULTS.charges;
  return { currency: file?.currency ?? d.currency, visitFee: file?.visitFee ?? d.visitFee };
}

function resolveQuotes(file: PolicyFile['quotes'], span: (v: DurationInput) => Span, issues: PolicyIssue[]): QuotePolicy {
  const d = POLICY_DEFAULTS.quotes;
  const expiry = span(file?.expiry ?? d.expiry);
  const reminderAfter = span(file?.reminderAfter ?? d.reminderAfter);
  // Waiting times (elapsed), as the call-back window's: a reminder at or after the expiry would never be useful.
  if (reminderAfter.ms >= expiry.ms) {
    issues.push(
      file?.reminderAfter !== undefined
        ? {
            path: 'quotes.reminderAfter',
            message: `${show(file.reminderAfter)} must be shorter than expiry ${show(file.expiry ?? d.expiry)}${file.expiry === undefined ? ' (the default)' : ''}`,
          }
        : {
            path: 'quotes.expiry',
            message: `${show(file?.expiry)} must be longer than reminderAfter ${show(d.reminderAfter)} (the default)`,
          },
    );
  }
  return { expiry, reminderAfter, onExpiry: file?.onExpiry ?? d.onExpiry };
}

function resolveParts(file: PolicyFile['parts']): PartsPolicy {
  const d = POLICY_DEFAULTS.parts;
  const w = file?.warehouse ?? d.warehouse;
  return {
    pauseResolution: file?.pauseResolution ?? d.pauseResolution,
    warehouse: {
      role: w.role,
      name: w.name,
      phone: w.phone,
      ...('webhookUrl' in w && w.webhookUrl !== undefined ? { webhookUrl: w.webhookUrl } : {}),
    },
  };
}

function resolveReturns(file: PolicyFile['returns'], span: (v: DurationInput) => Span, issues: PolicyIssue[]): ReturnsPolicy {
  const d = POLICY_DEFAULTS.returns;
  const terms = (t: ReturnTermsInput | undefined, base: ReturnTerms, path: string): ReturnTerms => {
    const out: ReturnTerms = {
      returnDays: t?.returnDays ?? base.returnDays,
      exchangeDays: t?.exchangeDays ?? base.exchangeDays,
      noReasonDays: t?.noReasonDays ?? base.noReasonDays,
      countFrom: t?.countFrom ?? base.countFrom,
    };
    // 三包 order: an exchange is the remedy after the return window, never a shorter one.
    if (out.exchangeDays < out.returnDays)
      issues.push({ path: `${path}.exchangeDays`, message: `${out.exchangeDays} is shorter than returnDays ${out.returnDays}` });
    return out;
  };
  const fallback = terms(file?.default, { ...d.default }, 'returns.default');
  const categories = perCategory('returns', file?.categories, (t, path) => terms(t, fallback, path), issues);
  const notCovered: FaultCause[] = [];
  (file?.notCovered ?? d.notCovered).forEach((cause, i) => {
    // A quality (performance) fault is what 三包 returns are for.
    if (cause === 'quality')
      issues.push({
        path: `returns.notCovered[${i}]`,
        message: '"quality" faults are what returns and exchanges are for; they cannot be excluded',
      });
    else if (!notCovered.includes(cause)) notCovered.push(cause);
  });
  const step = (name: 'inspection' | 'approval' | 'settlement'): ReturnStepPolicy => ({
    within: span(file?.[name]?.within ?? d[name].within),
    escalateTo: file?.[name]?.escalateTo ?? d[name].escalateTo,
  });
  return {
    default: fallback,
    categories,
    notCovered,
    inspection: step('inspection'),
    approval: step('approval'),
    settlement: step('settlement'),
  };
}

function resolveComplaints(file: PolicyFile['complaints'], span: (v: DurationInput) => Span): ComplaintPolicy {
  const d = POLICY_DEFAULTS.complaints;
  const step = (k: keyof typeof d.deadlines): Span => span(file?.deadlines?.[k] ?? d.deadlines[k]);
  return {
    repeatWindow: span(file?.repeatWindow ?? d.repeatWindow),
    deadlines: {
      analysis: step('analysis'),
      solution: step('solution'),
      implementation: step('implementation'),
      feedback: step('feedback'),
    },
  };
}

/**
 * Resolves a schema-valid policy file for the workflow, or lists every cross-field problem. Business spans are
 * sized on the file's calendar (1 business day = its working-day length). The critical column is resolved on
 * the 24×7 calendar and as elapsed time (critical runs round the clock), so "1 business day" there
 * means 24 h whatever calendar a caller later uses.
 */
export function resolvePolicyFile(file: PolicyFile): { ok: true; policy: ResolvedPolicy } | { ok: false; issues: PolicyIssue[] } {
  const issues: PolicyIssue[] = [];

  const calendar = resolveCalendar(file.calendar, issues);
  const dayMs = calendar.allHours ? DAY_MS : Math.max(1, workdayMs(calendar));
  const span = (v: string | number): Span => parseSpan(v, dayMs);
  const criticalSpan = (v: string | number): Span => ({ ...parseSpan(v, DAY_MS), business: false });
  const perUrgency = (v: PolicyFile['deadlines'][keyof PolicyFile['deadlines']]): PerUrgency<Span> => {
    const by = (u: Urgency) => (typeof v === 'object' ? v[u] : v);
    return Object.fromEntries(URGENCIES.map((u) => [u, u === 'critical' ? criticalSpan(by(u)) : span(by(u))])) as PerUrgency<Span>;
  };

  const deadlines = {} as DeadlineSpans;
  for (const [fileKey, milestone] of Object.entries(DEADLINE_KEYS) as [keyof typeof DEADLINE_KEYS, keyof DeadlineSpans][]) {
    deadlines[milestone] = perUrgency(file.deadlines[fileKey]);
  }

  const typeOverrides: ResolvedPolicy['typeOverrides'] = {};
  for (const t of REQUEST_TYPES) {
    const o = file.typeOverrides?.[t];
    if (!o) continue;
    const out: TypeOverride = {};
    for (const [fileKey, key] of Object.entries(OVERRIDE_KEYS) as [keyof typeof OVERRIDE_KEYS, keyof TypeOverride][]) {
      const v = o[fileKey];
      if (v !== undefined) out[key] = span(v);
    }
    if (
      out.resolution &&
      out.resolution_max &&
      out.resolution.business === out.resolution_max.business &&
      out.resolution_max.ms < out.resolution.ms
    ) {
      issues.push({
        path: `typeOverrides.${t}.resolutionMax`,
        message: `${show(o.resolutionMax)} is shorter than resolution ${show(o.resolution)}`,
      });
    }
    typeOverrides[t] = out;
  }

  const escalation = resolveEscalation(file.escalation, issues);
  const appointments = resolveAppointments(file.appointments, span);
  const callback = resolveCallback(file.callback, span, issues);
  const warranty = resolveWarranty(file.warranty, issues);
  const quotes = resolveQuotes(file.quotes, span, issues);
  const returns = resolveReturns(file.returns, span, issues);
  if (issues.length > 0) return { ok: false, issues };

  const policy: ResolvedPolicy = {
    version: file.version,
    language: file.language ?? POLICY_DEFAULTS.language,
    warningAt: parseFraction(file.warningAt ?? POLICY_DEFAULTS.warningAt) as number,
    calendar,
    deadlines,
    typeOverrides,
    callbackDelay: span(file.callbackDelay),
    feedbackWindow: span(file.feedbackWindow ?? POLICY_DEFAULTS.feedbackWindow),
    smsRetryBudget: span(file.smsRetryBudget ?? POLICY_DEFAULTS.smsRetryBudget),
    followUpThreshold: file.followUpThreshold ?? POLICY_DEFAULTS.followUpThreshold,
    vipStricterDispatch: file.vipStricterDispatch ?? POLICY_DEFAULTS.vipStricterDispatch,
    escalation,
    dispatch: resolveDispatch(file.dispatch),
    publicBaseUrl: (file.publicBaseUrl ?? POLICY_DEFAULTS.publicBaseUrl).replace(/\/+$/, ''),
    appointments,
    callback,
    warranty,
    charges: resolveCharges(file.charges),
    quotes,
    parts: resolveParts(file.parts),
    serviceReport: { linkValidity: span(file.serviceReport?.linkValidity ?? POLICY_DEFAULTS.serviceReport.linkValidity) },
    statusLink: { validity: span(file.statusLink?.validity ?? POLICY_DEFAULTS.statusLink.validity) },
    ...(file.hotline ? { hotline: file.hotline.trim() } : {}),
    repeatRepair: { window: span(file.repeatRepair?.window ?? POLICY_DEFAULTS.repeatRepair.window) },
    returns,
    complaints: resolveComplaints(file.complaints, span),
  };
  return { ok: true, policy };
}
