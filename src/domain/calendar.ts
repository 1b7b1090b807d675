/**
 * Deterministic business calendar ("business time", docs/lifecycle.md). Workflow-safe: luxon only formats and converts
 * given instants through Intl time zones — no clock reads, no I/O — so replays compute the same due times.
 *
 * Model: each local date has at most one working window [workStart, workEnd) in the calendar's zone. A date is
 * worked if it is listed in `extraWorkingDays` (调休), else if it is not a holiday and its weekday is a working day.
 * Windows are computed per date through the zone, so DST days get their true (shorter/longer) length.
 * Arithmetic walks whole days, so a span of weeks costs a few dozen steps, never a minute loop.
 */
import { DateTime } from 'luxon';
import type { Urgency } from './types';
import type { CalendarSpec, ResolvedPolicy, Span } from './policyTypes';
import { DAY_MS, MINUTE_MS } from './duration';

/** Round the clock: business time == elapsed time (critical requests run 全天候24小时). */
export const CALENDAR_24X7: Readonly<CalendarSpec> = {
  timeZone: 'UTC',
  workStart: '00:00',
  workEnd: '24:00',
  workingDays: [1, 2, 3, 4, 5, 6, 7],
  holidays: [],
  extraWorkingDays: [],
  allHours: true,
};

/** Give up when a calendar has no working window for this many consecutive days (misconfiguration). */
const MAX_IDLE_DAYS = 400;

interface Civil {
  year: number;
  month: number;
  day: number;
}

interface Compiled {
  zone: string;
  startMin: number;
  endMin: number;
  weekdays: ReadonlySet<number>;
  holidays: ReadonlySet<string>;
  extra: ReadonlySet<string>;
}

/** "HH:mm" → minutes after local midnight; "24:00" allowed (end of day). */
export function parseClock(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  const h = m ? Number(m[1]) : NaN;
  const min = m ? Number(m[2]) : NaN;
  if (!m || min > 59 || h > 24 || (h === 24 && min !== 0)) throw new Error(`"${hhmm}" is not a time of day (HH:mm)`);
  return h * 60 + min;
}

function compile(cal: CalendarSpec): Compiled {
  if (!DateTime.fromMillis(0, { zone: cal.timeZone }).isValid) {
    throw new Error(`calendar: unknown time zone "${cal.timeZone}"`);
  }
  const startMin = parseClock(cal.workStart);
  const endMin = parseClock(cal.workEnd);
  if (endMin <= startMin) throw new Error(`calendar: workEnd ${cal.workEnd} must be after workStart ${cal.workStart}`);
  return {
    zone: cal.timeZone,
    startMin,
    endMin,
    weekdays: new Set(cal.workingDays),
    holidays: new Set(cal.holidays),
    extra: new Set(cal.extraWorkingDays),
  };
}

function civilOf(ms: number, zone: string): Civil {
  const dt = DateTime.fromMillis(ms, { zone });
  return { year: dt.year, month: dt.month, day: dt.day };
}

// Civil-date stepping is done in UTC so it never meets a DST gap.
function nextCivil(c: Civil): Civil {
  const dt = DateTime.utc(c.year, c.month, c.day).plus({ days: 1 });
  return { year: dt.year, month: dt.month, day: dt.day };
}

function isoDate(c: Civil): string {
  return `${String(c.year).padStart(4, '0')}-${String(c.month).padStart(2, '0')}-${String(c.day).padStart(2, '0')}`;
}

function localInstant(c: Civil, minutes: number, zone: string): number {
  if (minutes >= 24 * 60) return localInstant(nextCivil(c), minutes - 24 * 60, zone);
  // A wall time inside a DST gap is moved forward by luxon, which is what a clock on the wall does.
  return DateTime.fromObject(
    { year: c.year, month: c.month, day: c.day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
    { zone },
  ).toMillis();
}

function isWorkingDate(c: Civil, k: Compiled): boolean {
  const iso = isoDate(c);
  if (k.extra.has(iso)) return true;
  if (k.holidays.has(iso)) return false;
  return k.weekdays.has(DateTime.utc(c.year, c.month, c.day).weekday);
}

/** The working window of a local date as epoch ms [start, end), or null on a day off. */
function windowOf(c: Civil, k: Compiled): [number, number] | null {
  if (!isWorkingDate(c, k)) return null;
  const start = localInstant(c, k.startMin, k.zone);
  const end = localInstant(c, k.endMin, k.zone);
  return end > start ? [start, end] : null;
}

/** Nominal length of a working day (what "1 business day" means): workEnd − workStart; 24 h for 24×7. */
export function workdayMs(cal: CalendarSpec): number {
  if (cal.allHours) return DAY_MS;
  return (parseClock(cal.workEnd) - parseClock(cal.workStart)) * MINUTE_MS;
}

/** True if `ms` falls inside a working window (start inclusive, end exclusive). */
export function isWorkingTime(ms: number, cal: CalendarSpec): boolean {
  if (cal.allHours) return true;
  const k = compile(cal);
  const w = windowOf(civilOf(ms, k.zone), k);
  return w !== null && ms >= w[0] && ms < w[1];
}

/** `ms` itself during working time, else the start of the next working window. */
export function nextWorkingMoment(ms: number, cal: CalendarSpec): number {
  if (cal.allHours) return ms;
  const k = compile(cal);
  let c = civilOf(ms, k.zone);
  for (let idle = 0; idle <= MAX_IDLE_DAYS; c = nextCivil(c)) {
    const w = windowOf(c, k);
    if (w && ms < w[1]) return Math.max(ms, w[0]);
    idle = w ? 0 : idle + 1;
  }
  throw noWorkingTime(cal);
}

/**
 * The instant at which `businessMs` of working time has elapsed after `startMs`. Counting starts at the next
 * working moment when `startMs` is outside working hours; a span that ends exactly at the close of a window
 * is due at that close (Friday 17:00 + 1 h → Friday 18:00, not Saturday 08:00). Zero is due at `startMs`.
 */
export function addBusinessTime(startMs: number, businessMs: number, cal: CalendarSpec): number {
  assertFinite(startMs, 'startMs');
  if (!Number.isFinite(businessMs) || businessMs < 0) throw new Error(`businessMs must be ≥ 0, got ${businessMs}`);
  if (cal.allHours || businessMs === 0) return startMs + businessMs;
  const k = compile(cal);
  let remaining = businessMs;
  let c = civilOf(startMs, k.zone);
  for (let idle = 0; idle <= MAX_IDLE_DAYS; c = nextCivil(c)) {
    const w = windowOf(c, k);
    idle = w ? 0 : idle + 1;
    if (!w) continue;
    const from = Math.max(startMs, w[0]);
    if (from >= w[1]) continue;
    const available = w[1] - from;
    if (remaining <= available) return from + remaining;
    remaining -= available;
  }
  throw noWorkingTime(cal);
}

/** Working time between two instants (0 if `toMs` ≤ `fromMs`). Used to pause/resume business clocks. */
export function businessTimeBetween(fromMs: number, toMs: number, cal: CalendarSpec): number {
  assertFinite(fromMs, 'fromMs');
  assertFinite(toMs, 'toMs');
  if (toMs <= fromMs) return 0;
  if (cal.allHours) return toMs - fromMs;
  const k = compile(cal);
  const last = isoDate(civilOf(toMs, k.zone));
  let total = 0;
  for (let c = civilOf(fromMs, k.zone); ; c = nextCivil(c)) {
    const w = windowOf(c, k);
    if (w) total += Math.max(0, Math.min(toMs, w[1]) - Math.max(fromMs, w[0]));
    if (isoDate(c) >= last) return total;
  }
}

/** Due instant of a span started at `startMs`: elapsed spans just add; business spans count on `cal`. */
export function dueAt(startMs: number, span: Span, cal: CalendarSpec): number {
  return span.business ? addBusinessTime(startMs, span.ms, cal) : startMs + span.ms;
}

/** When the warning for a span goes out: `fraction` (policy.warningAt, e.g. 0.8) of the way to its due time. */
export function warningAt(startMs: number, span: Span, cal: CalendarSpec, fraction: number): number {
  const part = Math.round(span.ms * fraction);
  return span.business ? addBusinessTime(startMs, part, cal) : startMs + part;
}

/** How much of a span has been used between two instants (business spans only count working time). */
export function spanUsedBetween(fromMs: number, toMs: number, span: Span, cal: CalendarSpec): number {
  return span.business ? businessTimeBetween(fromMs, toMs, cal) : Math.max(0, toMs - fromMs);
}

/** Calendar a request's business spans count on: critical requests run 24×7, others on the policy's. */
export function calendarFor(policy: Pick<ResolvedPolicy, 'calendar'>, urgency: Urgency): CalendarSpec {
  return urgency === 'critical' ? { ...CALENDAR_24X7, timeZone: policy.calendar.timeZone } : policy.calendar;
}

function assertFinite(n: number, name: string): void {
  if (!Number.isFinite(n)) throw new Error(`${name} must be a finite epoch ms, got ${n}`);
}

function noWorkingTime(cal: CalendarSpec): Error {
  return new Error(`calendar (${cal.timeZone}) has no working time within ${MAX_IDLE_DAYS} days`);
}
