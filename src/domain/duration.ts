/**
 * Human-readable durations for the policy file ("2h", "1h30m", "2 business days", 90 = seconds).
 * Workflow-safe: pure string/number handling, no I/O, no clock.
 */
import type { Span } from './policyTypes';

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** Length of a working day on the default calendar (08:00–18:00). */
export const DEFAULT_WORKDAY_MS = 10 * HOUR_MS;

export const DURATION_HINT = 'use e.g. "30m", "2h", "1h30m", "3 days", "2 business days", or a number of seconds';

type Unit = 'second' | 'minute' | 'hour' | 'day' | 'week';

const UNITS: Record<string, Unit> = {
  s: 'second',
  sec: 'second',
  secs: 'second',
  second: 'second',
  seconds: 'second',
  m: 'minute',
  min: 'minute',
  mins: 'minute',
  minute: 'minute',
  minutes: 'minute',
  h: 'hour',
  hr: 'hour',
  hrs: 'hour',
  hour: 'hour',
  hours: 'hour',
  d: 'day',
  day: 'day',
  days: 'day',
  w: 'week',
  wk: 'week',
  wks: 'week',
  week: 'week',
  weeks: 'week',
};

const FIXED_MS: Record<Exclude<Unit, 'day' | 'week'>, number> = {
  second: SECOND_MS,
  minute: MINUTE_MS,
  hour: HOUR_MS,
};

// One "<number> [business|working] <unit>" part; parts may be glued ("1h30m") or separated by spaces, commas, "and".
const PART = /\s*(\d+(?:\.\d+)?)\s*(?:(business|working)\s+)?([a-z]+)\s*(?:(?:,|\band\b)\s*)?/y;

/** Why `input` is not a duration, or undefined when it is one. Independent of the calendar. */
export function spanProblem(input: unknown): string | undefined {
  try {
    parseSpan(input as string | number);
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/ \(use e\.g\..*\)$/, '');
  }
}

/**
 * Parses a duration. Numbers (and digit-only strings) are seconds. "business" spans are stored as milliseconds
 * of *working* time; a business day is `workdayMs` long (the calendar's working-day length — pass
 * `workdayMs(calendar)`), so "2 business days" on 08:00–18:00 is 20 working hours.
 */
export function parseSpan(input: string | number, workdayMs: number = DEFAULT_WORKDAY_MS): Span {
  if (!(workdayMs > 0)) throw new Error(`workdayMs must be positive, got ${workdayMs}`);
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw bad(input, 'seconds must be a finite number ≥ 0');
    return { ms: Math.round(input * SECOND_MS), business: false, text: `${input}s` };
  }
  if (typeof input !== 'string') throw bad(input);
  const text = input.trim();
  const s = text.toLowerCase();
  if (s === '') throw bad(input, 'empty');
  if (/^\d+(\.\d+)?$/.test(s)) return { ms: Math.round(Number(s) * SECOND_MS), business: false, text: `${s}s` };

  let ms = 0;
  let business: boolean | undefined;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const at = PART.lastIndex;
    const m = PART.exec(s);
    if (!m || m.index !== at) throw bad(input);
    const [, num, qualifier, unitWord] = m as unknown as [string, string, string | undefined, string];
    const unit = UNITS[unitWord];
    if (!unit) throw bad(input, `unknown unit "${unitWord}"`);
    const isBusiness = qualifier !== undefined;
    if (business !== undefined && business !== isBusiness) throw bad(input, 'mixes business and elapsed time');
    business = isBusiness;
    const n = Number(num);
    if (unit === 'week') {
      // A "business week" means 5 or 6 working days depending on the centre; make the admin say which.
      if (isBusiness) throw bad(input, 'business weeks are ambiguous, use business days');
      ms += n * 7 * DAY_MS;
    } else if (unit === 'day') {
      ms += n * (isBusiness ? workdayMs : DAY_MS);
    } else {
      ms += n * FIXED_MS[unit];
    }
  }
  return { ms: Math.round(ms), business: business ?? false, text };
}

/** Compact summary of a length of time: "45s", "30m", "2h", "1h 30m", "1d 2h". Days are 24 h. */
export function formatSpan(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatSpan(-ms)}`;
  if (ms === 0) return '0s';
  if (ms < SECOND_MS) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / SECOND_MS);
  const parts: string[] = [];
  for (const [label, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${label}`);
  }
  return parts.join(' ');
}

/** A span for summaries: "2h", or "20h business" for working time. Prefer `span.text` when showing the policy as written. */
export function describeSpan(span: Span): string {
  return span.business ? `${formatSpan(span.ms)} business` : formatSpan(span.ms);
}

function bad(input: unknown, reason?: string): Error {
  const shown = typeof input === 'string' ? JSON.stringify(input) : String(input);
  return new Error(`${shown} is not a duration${reason ? ` (${reason})` : ''} (${DURATION_HINT})`);
}
