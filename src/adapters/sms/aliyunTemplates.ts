/**
 * Aliyun SMS sends registered templates, not free text: each message kind maps to a template code approved in
 * the Aliyun console, and the message's variables go along as `TemplateParam` (a JSON object of strings).
 * This module is the documented mapping (kind → parameters) and the check of the kind → code table.
 *
 * Rules the mapping follows (Aliyun's template and variable rules):
 *   - Every value is a string (Aliyun refuses `{"n":1}` with isv.INVALID_JSON_PARAM).
 *   - A template has no optional parts, so each kind always sends the same parameter names (below). Free-text
 *     optional values the system may leave out (cancellation reason, problem description, ops ticket, part names)
 *     become "无", as do an absent quote breakdown and a delayed part's absent new date.
 *   - Free text (names, model, address, problem, reason, summary, photo list, part names) is whitespace-collapsed and
 *     cut to `maxLength` characters (default 35, Aliyun's limit for "other" variables; set it to 20 for older
 *     accounts) ending in "…". Identifiers, phone numbers, amounts, times and links are never cut: a wrong ticket
 *     number or price is worse than a refusal (isv.PARAM_LENGTH_LIMIT, non-retryable).
 *   - Aliyun refuses domains in variables (isv.PARAM_NOT_SUPPORT_URL): `link` is the rating link (or the quote
 *     or report link) without its origin ("r/<token>"); the template holds the registered domain, e.g.
 *     "https://svc.example.com/${link}".
 *   - Times are "6月12日 14:00" in the message's time zone (default Asia/Shanghai); labels are the Chinese ones of
 *     templates.ts (a unit test keeps the two in step).
 *   - Amounts (quote, visit fee) are digits and a decimal point ("1268.00", thousands separators dropped), as amount
 *     variables take them; the unit 元 is in the template, so an amount in a currency other than CNY is refused
 *     rather than shown as yuan.
 */
import type { PhotoKind } from '../../domain/types';
import type { GrantedOutcome } from '../../domain/returns';
import {
  COUNTED_FROM_LABELS,
  DEFAULT_SMS_TIME_ZONE,
  FAULT_CAUSE_LABELS,
  isAmount,
  LEVEL_LABELS,
  MILESTONE_LABELS,
  PHOTO_LABELS,
  REFUSAL_LABELS,
  RETURN_KIND_LABELS,
  RETURN_OUTCOME_LABELS,
  URGENCY_LABELS,
} from './templates';
import { SMS_KINDS, type SmsKind } from './types';

/** The TemplateParam names each kind sends; an approved template may use any subset of them. */
export const ALIYUN_TEMPLATE_PARAMS = {
  received: ['ticket', 'link'],
  assigned: ['ticket', 'name', 'no', 'phone'],
  delay: ['ticket'],
  visit_booked: ['ticket', 'name', 'phone', 'time', 'change'],
  visit_reminder: ['ticket', 'name', 'phone', 'time'],
  completed: ['ticket', 'link'],
  survey: ['ticket', 'link'],
  revisit: ['ticket'],
  follow_up_apology: ['ticket', 'hours'],
  cancelled: ['ticket', 'reason'],
  quote: ['ticket', 'total', 'labour', 'parts', 'link', 'time'],
  quote_reminder: ['ticket', 'total', 'labour', 'parts', 'link', 'time'],
  quote_declined: ['ticket', 'fee'],
  parts_expected: ['ticket', 'parts', 'time'],
  parts_delayed: ['ticket', 'time', 'newtime'],
  parts_arrived: ['ticket'],
  completed_report: ['ticket', 'link', 'report'],
  return_accepted: ['ticket', 'kind', 'from', 'day'],
  return_refused: ['ticket', 'kind', 'reason', 'alternatives'],
  return_inspected: ['ticket', 'kind', 'result'],
  return_approved: ['ticket', 'kind', 'outcome'],
  return_settled: ['ticket', 'outcome', 'amount', 'direction'],
  complaint_registered: ['ticket', 'link'],
  complaint_analysed: ['ticket'],
  complaint_solution: ['ticket', 'solution'],
  complaint_implemented: ['ticket'],
  complaint_closed: ['ticket'],
  tech_assignment: ['ticket', 'urgency', 'model', 'address', 'problem'],
  tech_visit_reminder: ['ticket', 'model', 'address', 'time'],
  tech_photo_reminder: ['ticket', 'photos'],
  escalation_warning: ['ticket', 'stage', 'time'],
  escalation_breach: ['ticket', 'stage', 'overdue', 'level', 'role'],
  ops_alert: ['ticket', 'summary'],
} as const satisfies { [K in SmsKind]: readonly string[] };

export type AliyunTemplateParams<K extends SmsKind = SmsKind> = Record<(typeof ALIYUN_TEMPLATE_PARAMS)[K][number], string>;

/** Longest free-text value sent; Aliyun's limit for "other" variables (35) unless configured lower. */
export const DEFAULT_ALIYUN_PARAM_MAX_LENGTH = 35;

/** Used where an optional free-text value is absent. */
export const ALIYUN_ABSENT = '无';

/** Aliyun template codes look like SMS_154950909. */
export const ALIYUN_TEMPLATE_CODE = /^SMS_[A-Za-z0-9_]+$/;

/** Raised when the variables cannot fill a kind's parameters; names the variables, never their values. */
export class AliyunParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AliyunParamError';
  }
}

// Template parameters carry the Chinese labels of the SMS texts (templates.ts), so both read the same.
const URGENCY = URGENCY_LABELS.zh;
const MILESTONE = MILESTONE_LABELS.zh;
const LEVEL = LEVEL_LABELS.zh;
const PHOTO = PHOTO_LABELS.zh;
const RETURN_KIND = RETURN_KIND_LABELS.zh;
const COUNTED_FROM = COUNTED_FROM_LABELS.zh;
const CAUSE = FAULT_CAUSE_LABELS.zh;
const OUTCOME = RETURN_OUTCOME_LABELS.zh;
const REFUSAL = REFUSAL_LABELS.zh;
const DIRECTION = { to_customer: '退还', from_customer: '补交', none: '无' };

/**
 * Problems with a kind → template code table, one per bad entry: not an object, an unknown kind, a code that is
 * not SMS_…, and every kind the system sends without a code. [] when it is complete.
 */
export function aliyunTemplateProblems(value: unknown): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return ['expected a JSON object mapping each message kind to an Aliyun template code (SMS_…)'];
  }
  const problems: string[] = [];
  const table = value as Record<string, unknown>;
  for (const [kind, code] of Object.entries(table)) {
    if (!(SMS_KINDS as readonly string[]).includes(kind)) problems.push(`unknown message kind '${kind}' (kinds: ${SMS_KINDS.join(', ')})`);
    else if (typeof code !== 'string' || !ALIYUN_TEMPLATE_CODE.test(code))
      problems.push(`'${kind}': ${JSON.stringify(code)} is not an Aliyun template code (SMS_…)`);
  }
  for (const kind of SMS_KINDS) {
    if (!Object.prototype.hasOwnProperty.call(table, kind)) problems.push(`no template code for '${kind}'`);
  }
  return problems;
}

export interface AliyunParamOptions {
  /** Longest free-text value; default 35. */
  maxLength?: number;
}

/**
 * The TemplateParam object of one message: `vars` are the variables the text was rendered from (as passed to
 * `renderSms`, `timeZone` included). Throws `AliyunParamError` naming every missing or unusable variable.
 */
export function aliyunTemplateParams<K extends SmsKind>(
  kind: K,
  vars: Record<string, unknown>,
  opts: AliyunParamOptions = {},
): AliyunTemplateParams<K> {
  const build = BUILD[kind] as ((r: Reader) => AliyunTemplateParams<K>) | undefined;
  if (!build) throw new AliyunParamError(`unknown SMS kind '${String(kind)}'`);
  if (vars === null || typeof vars !== 'object')
    throw new AliyunParamError(`aliyun template parameters for '${kind}' need a variables object`);
  const reader = new Reader(vars, opts.maxLength ?? DEFAULT_ALIYUN_PARAM_MAX_LENGTH);
  const params = build(reader);
  if (reader.missing.length > 0 || reader.invalid.length > 0) {
    const parts = [];
    if (reader.missing.length > 0) parts.push(`missing variable(s): ${[...new Set(reader.missing)].join(', ')}`);
    if (reader.invalid.length > 0) parts.push(`invalid variable(s): ${[...new Set(reader.invalid)].join(', ')}`);
    throw new AliyunParamError(`aliyun template parameters for '${kind}': ${parts.join('; ')}`);
  }
  return params;
}

const BUILD: { [K in SmsKind]: (r: Reader) => AliyunTemplateParams<K> } = {
  // The status page link (patch `status-link`); 无 for a receipt without one (requests received before it).
  received: (r) => ({ ticket: r.id('ticketNo'), link: r.optLink('statusLink') }),
  assigned: (r) => ({
    ticket: r.id('ticketNo'),
    name: r.text('technicianName'),
    no: r.id('technicianNo'),
    phone: r.phone('technicianPhone'),
  }),
  delay: (r) => ({ ticket: r.id('ticketNo') }),
  visit_booked: (r) => ({
    ticket: r.id('ticketNo'),
    name: r.text('technicianName'),
    // Optional for renderSms, but a fixed template cannot drop it; the activity always fills it from the roster.
    phone: r.phone('technicianPhone'),
    time: r.window('visitAt', 'visitEnd'),
    change: r.raw('rescheduled') === true ? '改约' : '预约',
  }),
  visit_reminder: (r) => ({
    ticket: r.id('ticketNo'),
    name: r.text('technicianName'),
    // As for visit_booked: the activity fills it from the roster (technicianId).
    phone: r.phone('technicianPhone'),
    time: r.time('visitAt'),
  }),
  completed: (r) => ({ ticket: r.id('ticketNo'), link: r.link('ratingLink') }),
  survey: (r) => ({ ticket: r.id('ticketNo'), link: r.link('ratingLink') }),
  revisit: (r) => ({ ticket: r.id('ticketNo') }),
  follow_up_apology: (r) => ({ ticket: r.id('ticketNo'), hours: r.count('contactWithinHours') }),
  cancelled: (r) => ({ ticket: r.id('ticketNo'), reason: r.optText('reason') }),
  quote: (r) => quoteParams(r),
  quote_reminder: (r) => quoteParams(r),
  // The fee is sent even when it is 0.00: a fixed template cannot drop its sentence as the text does.
  quote_declined: (r) => ({ ticket: r.id('ticketNo'), fee: r.cny('visitFee') }),
  parts_expected: (r) => ({ ticket: r.id('ticketNo'), parts: r.optText('partNames'), time: r.time('expectedBy') }),
  parts_delayed: (r) => ({ ticket: r.id('ticketNo'), time: r.time('expectedBy'), newtime: r.optTime('newExpectedBy') }),
  parts_arrived: (r) => ({ ticket: r.id('ticketNo') }),
  completed_report: (r) => ({ ticket: r.id('ticketNo'), link: r.link('ratingLink'), report: r.link('reportLink') }),
  // Lifecycle 5: labels as the Chinese texts say them; the refusal's short reason, the remedies still open or 无.
  return_accepted: (r) => ({
    ticket: r.id('ticketNo'),
    kind: r.label('kind', RETURN_KIND),
    from: r.label('countedFrom', COUNTED_FROM),
    day: r.count('day'),
  }),
  return_refused: (r) => {
    const alts = r.raw('alternatives');
    return {
      ticket: r.id('ticketNo'),
      kind: r.label('kind', RETURN_KIND),
      reason: r.label('reason', REFUSAL),
      alternatives:
        Array.isArray(alts) && alts.length ? alts.map((o) => OUTCOME[o as GrantedOutcome] ?? String(o)).join('或') : ALIYUN_ABSENT,
    };
  },
  return_inspected: (r) => ({
    ticket: r.id('ticketNo'),
    kind: r.label('kind', RETURN_KIND),
    result: r.raw('faultFound') === true ? r.label('faultCause', CAUSE) : '未发现性能故障',
  }),
  return_approved: (r) => ({ ticket: r.id('ticketNo'), kind: r.label('kind', RETURN_KIND), outcome: r.label('outcome', OUTCOME) }),
  return_settled: (r) => ({
    ticket: r.id('ticketNo'),
    outcome: r.label('outcome', OUTCOME),
    amount: r.cny('amount'),
    direction: r.label('direction', DIRECTION),
  }),
  complaint_registered: (r) => ({ ticket: r.id('ticketNo'), link: r.optLink('statusLink') }),
  complaint_analysed: (r) => ({ ticket: r.id('ticketNo') }),
  complaint_solution: (r) => ({ ticket: r.id('ticketNo'), solution: r.text('solution') }),
  complaint_implemented: (r) => ({ ticket: r.id('ticketNo') }),
  complaint_closed: (r) => ({ ticket: r.id('ticketNo') }),
  tech_assignment: (r) => ({
    ticket: r.id('ticketNo'),
    urgency: r.label('urgency', URGENCY),
    model: r.text('productModel'),
    address: r.text('address'),
    problem: r.optText('problem'),
  }),
  tech_visit_reminder: (r) => ({
    ticket: r.id('ticketNo'),
    model: r.text('productModel'),
    address: r.text('address'),
    time: r.time('visitAt'),
  }),
  tech_photo_reminder: (r) => ({ ticket: r.id('ticketNo'), photos: r.photos('missingPhotos') }),
  escalation_warning: (r) => ({ ticket: r.id('ticketNo'), stage: r.label('milestone', MILESTONE), time: r.time('dueAt') }),
  escalation_breach: (r) => ({
    ticket: r.id('ticketNo'),
    stage: r.label('milestone', MILESTONE),
    overdue: r.duration('overdueMs'),
    level: r.label('level', { 1: '1', 2: '2', 3: '3' }),
    role: r.label('level', LEVEL),
  }),
  ops_alert: (r) => ({ ticket: r.optId('ticketNo'), summary: r.text('summary') }),
};

function quoteParams(r: Reader): AliyunTemplateParams<'quote'> {
  return {
    ticket: r.id('ticketNo'),
    total: r.cny('total'),
    labour: r.optCny('labour'),
    parts: r.optCny('parts'),
    link: r.link('quoteLink'),
    time: r.time('expiresAt'),
  };
}

/** Reads variables, collecting every problem instead of stopping at the first. */
class Reader {
  readonly missing: string[] = [];
  readonly invalid: string[] = [];
  private readonly timeZone: string;

  constructor(
    private readonly vars: Record<string, unknown>,
    private readonly maxLength: number,
  ) {
    const tz = vars.timeZone;
    this.timeZone = typeof tz === 'string' && tz.trim() !== '' ? tz : DEFAULT_SMS_TIME_ZONE;
  }

  raw(name: string): unknown {
    return this.vars[name];
  }

  /** Ticket numbers, work numbers: whole, whitespace collapsed. */
  id(name: string): string {
    const v = this.present(name);
    return v === undefined ? '' : collapse(String(v));
  }

  optId(name: string): string {
    const v = this.vars[name];
    return isAbsent(v) ? ALIYUN_ABSENT : this.id(name);
  }

  text(name: string): string {
    const v = this.present(name);
    return v === undefined ? '' : truncate(collapse(String(v)), this.maxLength);
  }

  optText(name: string): string {
    return isAbsent(this.vars[name]) ? ALIYUN_ABSENT : this.text(name);
  }

  /** A mainland number as the 11 digits people dial; anything else as given. */
  phone(name: string): string {
    const v = this.id(name);
    const compact = v.replace(/[\s-]/g, '');
    return /^\+861\d{10}$/.test(compact) ? compact.slice(3) : v;
  }

  /** Non-negative whole number, as text. */
  count(name: string): string {
    const v = this.present(name);
    if (v === undefined) return '';
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) {
      this.invalid.push(name);
      return '';
    }
    return String(n);
  }

  label(name: string, table: Record<string, string>): string {
    const v = this.present(name);
    if (v === undefined) return '';
    const key = String(v);
    if ((typeof v !== 'string' && typeof v !== 'number') || !Object.prototype.hasOwnProperty.call(table, key)) {
      this.invalid.push(`${name}=${key}`);
      return '';
    }
    return table[key] as string;
  }

  photos(name: string): string {
    const v = this.present(name);
    if (v === undefined) return '';
    if (!Array.isArray(v)) {
      this.invalid.push(name);
      return '';
    }
    const labels = v.map((k) => this.photoLabel(name, k));
    return truncate(labels.join('、'), this.maxLength);
  }

  /**
   * A formatted amount in CNY as Aliyun's amount variables take it: digits and a decimal point ("1268.00"). The
   * template holds 元, so `currency` must be CNY (a mismatch is reported once, however many amounts).
   */
  cny(name: string): string {
    const currency = this.present('currency');
    if (currency !== undefined && currency !== 'CNY') this.invalid.push(`currency=${String(currency)}`);
    const v = this.present(name);
    if (v === undefined) return '';
    if (typeof v !== 'string' || !isAmount(v.trim())) {
      this.invalid.push(name);
      return '';
    }
    return v.trim().replace(/,/g, '');
  }

  optCny(name: string): string {
    return isAbsent(this.vars[name]) ? ALIYUN_ABSENT : this.cny(name);
  }

  optLink(name: string): string {
    return isAbsent(this.vars[name]) ? ALIYUN_ABSENT : this.link(name);
  }

  /** A link (rating, quote) without scheme and host: the template holds the registered domain. */
  link(name: string): string {
    const v = this.id(name);
    if (v === '') return '';
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      this.invalid.push(name);
      return '';
    }
    return `${url.pathname}${url.search}${url.hash}`.replace(/^\/+/, '');
  }

  time(name: string): string {
    const v = this.present(name);
    if (v === undefined) return '';
    const d = this.date(name, v);
    return d ? this.fmt(d).full : '';
  }

  optTime(name: string): string {
    return isAbsent(this.vars[name]) ? ALIYUN_ABSENT : this.time(name);
  }

  /** "6月12日 14:00-16:00" within a day, both ends in full across days, or one time without an end. */
  window(fromName: string, toName: string): string {
    const from = this.present(fromName);
    if (from === undefined) return '';
    const a = this.date(fromName, from);
    const toRaw = this.vars[toName];
    const b = isAbsent(toRaw) ? undefined : this.date(toName, toRaw);
    if (!a) return '';
    const fa = this.fmt(a);
    if (!b) return fa.full;
    const fb = this.fmt(b);
    return fa.day === fb.day ? `${fa.full}-${fb.clock}` : `${fa.full}-${fb.full}`;
  }

  /** Rounded to the minute, at least one: "1小时5分钟", days as days and hours (as templates.ts). */
  duration(name: string): string {
    const v = this.present(name);
    if (v === undefined) return '';
    const ms = Number(v);
    if (!Number.isFinite(ms) || ms < 0) {
      this.invalid.push(name);
      return '';
    }
    const totalMin = Math.max(1, Math.round(ms / 60_000));
    const d = Math.floor(totalMin / 1440);
    const h = Math.floor((totalMin % 1440) / 60);
    const m = totalMin % 60;
    const parts: [number, string][] =
      d > 0
        ? [
            [d, '天'],
            [h, '小时'],
          ]
        : [
            [h, '小时'],
            [m, '分钟'],
          ];
    return parts
      .filter(([n]) => n !== 0)
      .map(([n, u]) => `${n}${u}`)
      .join('');
  }

  private photoLabel(name: string, key: unknown): string {
    const k = String(key);
    if (!Object.prototype.hasOwnProperty.call(PHOTO, k)) {
      this.invalid.push(`${name}=${k}`);
      return '';
    }
    return PHOTO[k as PhotoKind];
  }

  private present(name: string): unknown {
    const v = this.vars[name];
    if (isAbsent(v)) {
      this.missing.push(name);
      return undefined;
    }
    return v;
  }

  private date(name: string, v: unknown): Date | undefined {
    const d = v instanceof Date ? v : typeof v === 'string' || typeof v === 'number' ? new Date(v) : new Date(NaN);
    if (Number.isNaN(d.getTime())) {
      this.invalid.push(name);
      return undefined;
    }
    return d;
  }

  private fmt(d: Date): { full: string; clock: string; day: string } {
    let f: Intl.DateTimeFormat;
    try {
      f = formatFor(this.timeZone);
    } catch {
      this.invalid.push(`timeZone=${this.timeZone}`);
      return { full: '', clock: '', day: '' };
    }
    const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
    const clock = `${p.hour}:${p.minute}`;
    return { full: `${p.month}月${p.day}日 ${clock}`, clock, day: `${p.year}-${p.month}-${p.day}` };
  }
}

const FORMATS = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone, built once (constructing them is the expensive part; see templates.ts). */
function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = FORMATS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    FORMATS.set(timeZone, f);
  }
  return f;
}

function isAbsent(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (typeof v === 'number') return !Number.isFinite(v);
  if (Array.isArray(v)) return v.length === 0;
  return false;
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Cut to `max` characters (code points, so a Chinese character or emoji is never split), ending in "…". */
function truncate(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}
