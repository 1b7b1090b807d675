/**
 * The policy FILE (SPEC §2: "all configurable in one policy file") — its schema and its resolution into the
 * `ResolvedPolicy` a workflow receives as data. Pure (no I/O); reading the file is src/policyFile.ts's job.
 *
 * Validation is two-pass: the TypeBox schema checks shape and every leaf (durations, dates, zones, phones …),
 * then cross-field rules run (hours in order, escalation levels complete …). Either pass reports *every*
 * problem with its path, so an admin fixes the file in one round.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { Settings } from 'typebox/system';
import { DateTime } from 'luxon';
import { REQUEST_TYPES, URGENCIES, type RequestType, type Urgency } from './types';
import type {
  CalendarSpec,
  DeadlineSpans,
  DispatchPolicy,
  EscalationContact,
  PerUrgency,
  ResolvedPolicy,
  Span,
  TypeOverride,
} from './policyTypes';
import { DAY_MS, DURATION_HINT, parseSpan, spanProblem } from './duration';
import { CALENDAR_24X7, parseClock, workdayMs } from './calendar';

export { CALENDAR_24X7 };

/** SPEC §2 defaults for fields a file may leave out. Deadlines have no defaults: they must be written down. */
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
} as const;

const WEEKDAYS: Record<string, number> = {
  mon: 1, monday: 1, tue: 2, tuesday: 2, wed: 3, wednesday: 3, thu: 4, thursday: 4,
  fri: 5, friday: 5, sat: 6, saturday: 6, sun: 7, sunday: 7,
};

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
// Leaf checks (also used by the schema's refinements, so both passes agree)

const show = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

function durationProblem(v: unknown): string | undefined {
  const problem = spanProblem(v);
  if (problem) return problem;
  return parseSpan(v as string | number).ms > 0 ? undefined : `${show(v)} must be longer than zero`;
}

/** "80%" or 0.8 → 0.8; undefined if not a fraction in [0, 1]. */
function parseFraction(v: unknown): number | undefined {
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
function expandDates(v: string): string[] | undefined {
  const [a, b, extra] = v.split('..').map((x) => x.trim());
  const from = isoDay(a ?? '');
  const to = b === undefined ? from : isoDay(b);
  if (!from || !to || extra !== undefined || to < from || to.diff(from, 'days').days > 366) return undefined;
  const out: string[] = [];
  for (let d = from; d <= to; d = d.plus({ days: 1 })) out.push(d.toISODate() as string);
  return out;
}

const isZone = (z: string): boolean => typeof z === 'string' && z.length > 0 && DateTime.fromMillis(0, { zone: z }).isValid;

const isClock = (s: string): boolean => {
  if (typeof s !== 'string') return false;
  try {
    parseClock(s);
    return true;
  } catch {
    return false;
  }
};

// ---------------------------------------------------------------------------------------------------------
// Schema of the file

const Duration = Type.Refine(
  Type.Union([Type.String(), Type.Number()], {
    description: 'A duration: "45s", "10m", "2h", "1h30m", "3 days", "2 business days", or a number of seconds.',
    errorMessage: 'must be a duration (e.g. "2h", "2 business days", or seconds)',
  }),
  (v) => durationProblem(v) === undefined,
  (v) => durationProblem(v) ?? `${show(v)} is not a duration`,
);

const ByUrgency = Type.Object(
  { normal: Duration, urgent: Duration, critical: Duration },
  { additionalProperties: false, description: 'One duration per urgency column (SPEC §2).' },
);

const Deadline = Type.Union([Duration, ByUrgency], {
  description: 'One duration for every urgency, or { normal, urgent, critical }.',
  errorMessage: 'must be a duration or { normal, urgent, critical }',
});

const Fraction = Type.Refine(
  Type.Union([Type.Number(), Type.String()], { errorMessage: 'must be a fraction 0..1 or a percentage like "80%"' }),
  (v) => parseFraction(v) !== undefined,
  (v) => `${show(v)} is not a fraction between 0 and 1 (or a percentage like "80%")`,
);

const Clock = Type.Refine(Type.String(), isClock, (v) => `${show(v)} is not a time of day (HH:mm, 00:00–24:00)`);

const Weekday = Type.Refine(
  Type.String(),
  (v) => typeof v === 'string' && WEEKDAYS[v.trim().toLowerCase()] !== undefined,
  (v) => `${show(v)} is not a weekday (mon, tue, wed, thu, fri, sat, sun)`,
);

const DateOrRange = Type.Refine(
  Type.String({ description: 'A local date YYYY-MM-DD, or an inclusive range YYYY-MM-DD..YYYY-MM-DD.' }),
  (v) => typeof v === 'string' && expandDates(v) !== undefined,
  (v) => `${show(v)} is not a date (YYYY-MM-DD) or range (YYYY-MM-DD..YYYY-MM-DD)`,
);

const TimeZone = Type.Refine(Type.String(), isZone, (v) => `${show(v)} is not an IANA time zone (e.g. Asia/Shanghai)`);

const Phone = Type.Refine(
  Type.String(),
  (v) => typeof v === 'string' && /^\+[1-9]\d{6,14}$/.test(v),
  (v) => `${show(v)} is not an international phone number (E.164, e.g. "+8613800138000")`,
);

const HttpUrl = Type.Refine(
  Type.String(),
  (v) => typeof v === 'string' && /^https?:\/\/[^\s/]+(\/\S*)?$/.test(v),
  (v) => `${show(v)} is not an http(s) URL`,
);

const SkillList = Type.Array(
  Type.Refine(Type.String(), (v) => typeof v === 'string' && /^[a-z][a-z0-9_]*$/i.test(v), (v) => `${show(v)} is not a skill name (letters, digits, _)`),
);

const typeKeyed = <T extends TSchema>(schema: T) =>
  Type.Object(
    Object.fromEntries(REQUEST_TYPES.map((t) => [t, Type.Optional(schema)])) as Record<RequestType, ReturnType<typeof Type.Optional<T>>>,
    { additionalProperties: false },
  );

const Text = Type.String({ minLength: 1 });

export const PolicyFileSchema = Type.Object(
  {
    version: Type.String({ minLength: 1, description: 'Policy version; a running request keeps the version it started with.' }),
    language: Type.Optional(Type.Enum(['zh', 'en'], { description: 'Default language of customer messages.' })),
    warningAt: Type.Optional(Fraction),
    publicBaseUrl: Type.Optional(HttpUrl),
    calendar: Type.Object(
      {
        allHours: Type.Optional(Type.Boolean({ description: 'true: 24×7, business time == elapsed time.' })),
        timeZone: Type.Optional(TimeZone),
        workingHours: Type.Optional(Type.Object({ start: Clock, end: Clock }, { additionalProperties: false })),
        workingDays: Type.Optional(Type.Array(Weekday, { minItems: 1 })),
        holidays: Type.Optional(Type.Array(DateOrRange)),
        extraWorkingDays: Type.Optional(Type.Array(DateOrRange)),
      },
      { additionalProperties: false },
    ),
    deadlines: Type.Object(
      {
        acknowledge: Deadline,
        dispatch: Deadline,
        accept: Deadline,
        response: Deadline,
        onSite: Deadline,
        resolution: Deadline,
        photos: Deadline,
        followUp: Deadline,
      },
      { additionalProperties: false },
    ),
    typeOverrides: Type.Optional(
      typeKeyed(
        Type.Object(
          {
            response: Type.Optional(Duration),
            onSite: Type.Optional(Duration),
            resolution: Type.Optional(Duration),
            resolutionMax: Type.Optional(Duration),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    callbackDelay: Duration,
    feedbackWindow: Type.Optional(Duration),
    smsRetryBudget: Type.Optional(Duration),
    followUpThreshold: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })),
    vipStricterDispatch: Type.Optional(Type.Boolean()),
    escalation: Type.Array(
      Type.Object(
        {
          level: Type.Enum([1, 2, 3]),
          role: Text,
          name: Text,
          phone: Phone,
          webhookUrl: Type.Optional(HttpUrl),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
    dispatch: Type.Object(
      {
        radiusKm: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
        preferredRating: Type.Optional(Fraction),
        maxCandidates: Type.Optional(Type.Integer({ minimum: 1 })),
        skillsByCategory: Type.Optional(Type.Record(Type.String(), SkillList)),
        skillsByType: Type.Optional(typeKeyed(SkillList)),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type PolicyFile = Static<typeof PolicyFileSchema>;

// ---------------------------------------------------------------------------------------------------------
// Errors

export interface PolicyIssue {
  /** Dotted path into the file, e.g. "deadlines.dispatch.urgent" or "escalation[1].phone"; "" = the whole file. */
  path: string;
  message: string;
}

export class PolicyError extends Error {
  constructor(
    readonly issues: PolicyIssue[],
    /** Where the policy came from (a file name), for the message. */
    readonly source?: string,
  ) {
    const lines = issues.map((i) => `  - ${i.path || '(policy)'}: ${i.message}`);
    const hint = issues.some((i) => /is not a duration/.test(i.message)) ? [`  (durations: ${DURATION_HINT})`] : [];
    const n = issues.length;
    super([`Invalid policy${source ? ` ${source}` : ''} (${n} problem${n === 1 ? '' : 's'}):`, ...lines, ...hint].join('\n'));
    this.name = 'PolicyError';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Pass 1: schema → issues

interface RawError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message: string;
}

const unescapePointer = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

function segments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer);
}

function valueAt(root: unknown, pointer: string): unknown {
  let v: unknown = root;
  for (const s of segments(pointer)) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

/** "/escalation/1/phone" → "escalation[1].phone" (array indexes in brackets, decided by the actual value). */
function dotted(root: unknown, pointer: string, extra?: string): string {
  let out = '';
  let v: unknown = root;
  for (const s of [...segments(pointer), ...(extra === undefined ? [] : [extra])]) {
    out += Array.isArray(v) ? `[${s}]` : out === '' ? s : `.${s}`;
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  }
  return out;
}

function schemaAt(schemaPath: string): Record<string, unknown> | undefined {
  let node: unknown = PolicyFileSchema;
  for (const s of segments(schemaPath.replace(/^#/, ''))) {
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[s] : undefined;
  }
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

const article = (t: unknown): string =>
  t === 'object' ? 'a mapping (key: value)' : t === 'array' ? 'a list' : t === 'integer' ? 'a whole number' : `a ${String(t)}`;

function describe(e: RawError, got: unknown): string {
  const p = e.params;
  switch (e.keyword) {
    case 'type':
      return `must be ${article(p.type)}, got ${show(got)}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((x) => show(x)).join(', ')}, got ${show(got)}`;
    case 'minimum':
      return `must be ≥ ${String(p.limit)}, got ${show(got)}`;
    case 'maximum':
      return `must be ≤ ${String(p.limit)}, got ${show(got)}`;
    case 'exclusiveMinimum':
      return `must be > ${String(p.limit)}, got ${show(got)}`;
    case 'exclusiveMaximum':
      return `must be < ${String(p.limit)}, got ${show(got)}`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`;
    case 'minItems':
      return `must list at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`;
    case '~refine':
      return String(p.message ?? e.message);
    default:
      return e.message;
  }
}

/** Every schema violation as a readable issue; union branches are collapsed to the one the value was meant for. */
function schemaIssues(raw: unknown): PolicyIssue[] {
  const previous = Settings.Get().maxErrors;
  let errors: RawError[];
  try {
    // TypeBox buffers 8 errors by default; a policy file is small and trusted, and the admin wants them all.
    Settings.Set({ maxErrors: 1000 });
    errors = Value.Errors(PolicyFileSchema, raw) as unknown as RawError[];
  } finally {
    Settings.Set({ maxErrors: previous });
  }

  // A failed union reports every branch's complaint. Keep what the value's own branch said (refinements,
  // nested fields, required/unknown keys); drop "wrong type" noise from the others; if nothing specific is
  // left, say what the union accepts.
  const unionPaths = new Map<string, RawError>();
  for (const e of errors) if (e.keyword === 'anyOf') unionPaths.set(e.instancePath, e); // last = outermost
  const noise = (e: RawError) => unionPaths.has(e.instancePath) && ['type', 'const', 'enum', 'anyOf'].includes(e.keyword);
  const specific = errors.filter((e) => !noise(e) && e.keyword !== 'boolean');
  const kept: RawError[] = [];
  for (const e of errors) {
    if (!noise(e) && e.keyword !== 'boolean') kept.push(e);
    const path = e.instancePath;
    if (unionPaths.get(path) === e && !specific.some((x) => x.instancePath === path || x.instancePath.startsWith(`${path}/`))) {
      // Nothing specific was said about this value: state what the union accepts, in document order.
      const msg = (schemaAt(e.schemaPath)?.errorMessage as string | undefined) ?? 'has the wrong type';
      kept.push({ ...e, keyword: 'union', message: `${msg}, got ${show(valueAt(raw, path))}` });
    }
  }

  const issues: PolicyIssue[] = [];
  for (const e of kept) {
    if (e.keyword === 'required') {
      for (const k of e.params.requiredProperties as string[]) issues.push({ path: dotted(raw, e.instancePath, k), message: 'is required' });
    } else if (e.keyword === 'additionalProperties') {
      const known = Object.keys((schemaAt(e.schemaPath)?.properties as object | undefined) ?? {});
      for (const k of e.params.additionalProperties as string[]) {
        const guess = closest(k, known);
        issues.push({ path: dotted(raw, e.instancePath, k), message: `is not a known setting${guess ? ` (did you mean "${guess}"?)` : ''}` });
      }
    } else {
      issues.push({ path: dotted(raw, e.instancePath), message: describe(e, valueAt(raw, e.instancePath)) });
    }
  }
  return dedupe(issues);
}

/** The known key a typo most likely meant (edit distance ≤ 2, case-insensitive), if any. */
function closest(word: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++) {
        row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
      prev = row;
    }
    return prev[b.length]!;
  };
  let best: { key: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { key: c, d };
  }
  return best?.key;
}

function dedupe(issues: PolicyIssue[]): PolicyIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Pass 2: resolve a schema-valid file, collecting cross-field issues

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
  const workingDays = [...new Set((file.workingDays ?? POLICY_DEFAULTS.workingDays).map((d) => WEEKDAYS[d.trim().toLowerCase()] as number))].sort();
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
    if (first !== undefined) issues.push({ path: `escalation[${i}].level`, message: `level ${c.level} is already given by escalation[${first}]` });
    else seen.set(c.level, i);
  });
  for (const level of [1, 2, 3]) {
    if (!seen.has(level)) issues.push({ path: 'escalation', message: `no contact for level ${level} (levels 1, 2 and 3 are all needed, SPEC §5)` });
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
  // Lower-case keys and skills: dispatch matching compares lower-case (src/domain/dispatch.ts).
  const lower = (list: string[]) => [...new Set(list.map((s) => s.trim().toLowerCase()))];
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
      Object.entries(file.skillsByCategory ?? {}).map(([cat, skills]) => [cat.trim().toLowerCase(), lower(skills)]),
    ),
    skillsByType,
  };
}

/**
 * Validates a parsed policy file (YAML/JSON object) and resolves it for the workflow. Throws `PolicyError`
 * listing every problem. Business spans are sized on the file's calendar (1 business day = its working-day
 * length). The critical column is resolved on the 24×7 calendar and as elapsed time (SPEC §2: critical runs
 * round the clock), so "1 business day" there means 24 h whatever calendar a caller later uses.
 */
export function resolvePolicy(raw: unknown, source?: string): ResolvedPolicy {
  const structural = schemaIssues(raw);
  if (structural.length > 0) throw new PolicyError(structural, source);
  const file = raw as PolicyFile;
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
    if (out.resolution && out.resolution_max && out.resolution.business === out.resolution_max.business &&
        out.resolution_max.ms < out.resolution.ms) {
      issues.push({
        path: `typeOverrides.${t}.resolutionMax`,
        message: `${show(o.resolutionMax)} is shorter than resolution ${show(o.resolution)}`,
      });
    }
    typeOverrides[t] = out;
  }

  const escalation = resolveEscalation(file.escalation, issues);
  if (issues.length > 0) throw new PolicyError(issues, source);

  return {
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
  };
}
