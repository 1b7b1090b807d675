import fc from 'fast-check';
import {
  CALENDAR_24X7,
  addBusinessTime,
  businessTimeBetween,
  calendarFor,
  dueAt,
  isWorkingTime,
  nextWorkingMoment,
  parseClock,
  spanUsedBetween,
  warningAt,
  workdayMs,
} from '../../src/domain/calendar';
import { DAY_MS, HOUR_MS, MINUTE_MS, parseSpan } from '../../src/domain/duration';
import type { CalendarSpec } from '../../src/domain/policyTypes';

// Expected instants are written by hand with explicit UTC offsets; Date.parse is the independent oracle.
const t = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
};
const H = HOUR_MS;

/** The default calendar: Asia/Shanghai 08:00–18:00 Mon–Sat, with the real 2026 holidays/调休 used below. */
const SHANGHAI: CalendarSpec = {
  timeZone: 'Asia/Shanghai',
  workStart: '08:00',
  workEnd: '18:00',
  workingDays: [1, 2, 3, 4, 5, 6],
  holidays: [
    '2026-01-01',
    '2026-01-02',
    '2026-01-03',
    ...['15', '16', '17', '18', '19', '20', '21', '22', '23'].map((d) => `2026-02-${d}`),
    '2026-04-04',
    '2026-04-05',
    '2026-04-06',
    ...['01', '02', '03', '04', '05', '06', '07'].map((d) => `2026-10-${d}`),
  ],
  extraWorkingDays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-09-20', '2026-10-10'],
  allHours: false,
};

/** An office in Berlin, Mon–Fri 09:00–17:00, to cross DST (2026: 29 March 02:00→03:00, 25 October 03:00→02:00). */
const BERLIN: CalendarSpec = {
  timeZone: 'Europe/Berlin',
  workStart: '09:00',
  workEnd: '17:00',
  workingDays: [1, 2, 3, 4, 5],
  holidays: [],
  extraWorkingDays: [],
  allHours: false,
};

describe('workdayMs / parseClock', () => {
  it('is the nominal working-day length', () => {
    expect(workdayMs(SHANGHAI)).toBe(10 * H);
    expect(workdayMs(BERLIN)).toBe(8 * H);
    expect(workdayMs(CALENDAR_24X7)).toBe(DAY_MS);
    expect(workdayMs({ ...BERLIN, workStart: '08:30', workEnd: '12:00' })).toBe(3.5 * H);
  });

  it('parses HH:mm including 24:00 and rejects the rest', () => {
    expect(parseClock('08:00')).toBe(480);
    expect(parseClock('8:05')).toBe(485);
    expect(parseClock('24:00')).toBe(1440);
    for (const bad of ['24:01', '25:00', '12:60', '1200', 'noon']) expect(() => parseClock(bad)).toThrow(/not a time of day/);
  });
});

describe('addBusinessTime — Shanghai 08:00–18:00 Mon–Sat', () => {
  it('Friday 17:00 + 2 business hours → Saturday 09:00', () => {
    expect(addBusinessTime(t('2026-03-06T17:00+08:00'), 2 * H, SHANGHAI)).toBe(t('2026-03-07T09:00+08:00'));
  });

  it('Saturday 17:30 + 1 h → Monday 08:30 (Sunday is off)', () => {
    expect(addBusinessTime(t('2026-03-07T17:30+08:00'), 1 * H, SHANGHAI)).toBe(t('2026-03-09T08:30+08:00'));
  });

  it('a span that ends exactly at closing is due at closing, not next morning', () => {
    expect(addBusinessTime(t('2026-03-06T17:00+08:00'), 1 * H, SHANGHAI)).toBe(t('2026-03-06T18:00+08:00'));
  });

  it('starting before opening, at closing, at night or on Sunday counts from the next working moment', () => {
    expect(addBusinessTime(t('2026-03-09T06:00+08:00'), 30 * MINUTE_MS, SHANGHAI)).toBe(t('2026-03-09T08:30+08:00'));
    expect(addBusinessTime(t('2026-03-09T18:00+08:00'), 30 * MINUTE_MS, SHANGHAI)).toBe(t('2026-03-10T08:30+08:00'));
    expect(addBusinessTime(t('2026-03-08T23:00+08:00'), 1 * H, SHANGHAI)).toBe(t('2026-03-09T09:00+08:00'));
    expect(addBusinessTime(t('2026-03-08T12:00+08:00'), 10 * H, SHANGHAI)).toBe(t('2026-03-09T18:00+08:00'));
  });

  it('skips a holiday week in the middle (国庆 1–7 Oct): Wed 30 Sep 17:00 + 2 business days → Fri 9 Oct 17:00', () => {
    // 1 h on 30 Sep, 1–7 Oct off, 10 h on Thu 8 Oct, 9 h on Fri 9 Oct.
    expect(addBusinessTime(t('2026-09-30T17:00+08:00'), 20 * H, SHANGHAI)).toBe(t('2026-10-09T17:00+08:00'));
  });

  it('works a 调休 Sunday: holiday Fri 2 Jan 10:00 + 3 h → Sun 4 Jan 11:00', () => {
    // 2 and 3 Jan are 元旦 holidays; Sunday 4 Jan is a make-up working day.
    expect(addBusinessTime(t('2026-01-02T10:00+08:00'), 3 * H, SHANGHAI)).toBe(t('2026-01-04T11:00+08:00'));
    expect(addBusinessTime(t('2026-09-19T17:00+08:00'), 2 * H, SHANGHAI)).toBe(t('2026-09-20T09:00+08:00'));
    // An ordinary Sunday is still off.
    expect(addBusinessTime(t('2026-09-26T17:00+08:00'), 2 * H, SHANGHAI)).toBe(t('2026-09-28T09:00+08:00'));
  });

  it('Spring Festival: make-up Sat 14 Feb 17:00 + 2 business days → Wed 25 Feb 17:00', () => {
    // 1 h on 14 Feb, 15–23 Feb off, 10 h on Tue 24 Feb, 9 h on Wed 25 Feb.
    expect(addBusinessTime(t('2026-02-14T17:00+08:00'), 20 * H, SHANGHAI)).toBe(t('2026-02-25T17:00+08:00'));
  });

  // How fast is a benchmark's matter, not a timed test's (it failed only on a loaded machine).
  it('counts spans of weeks by whole days: Mon 2 Mar 08:00 + 30 business days → Tue 7 Apr 18:00', () => {
    // March 2–31: 26 working days (Sundays 8/15/22/29 off); 1–3 Apr: 3 more; 4–6 Apr 清明 off; 7 Apr is the 30th.
    expect(addBusinessTime(t('2026-03-02T08:00+08:00'), 300 * H, SHANGHAI)).toBe(t('2026-04-07T18:00+08:00'));
    expect(businessTimeBetween(t('2026-03-02T08:00+08:00'), t('2026-04-07T18:00+08:00'), SHANGHAI)).toBe(300 * H);
  });

  it('zero is due at once; negative and non-finite inputs are refused', () => {
    expect(addBusinessTime(t('2026-03-08T12:00+08:00'), 0, SHANGHAI)).toBe(t('2026-03-08T12:00+08:00'));
    expect(() => addBusinessTime(t('2026-03-08T12:00+08:00'), -1, SHANGHAI)).toThrow(/≥ 0/);
    expect(() => addBusinessTime(Number.NaN, 1, SHANGHAI)).toThrow(/finite/);
  });

  it('refuses a calendar without working time instead of looping forever', () => {
    const never: CalendarSpec = { ...SHANGHAI, workingDays: [], extraWorkingDays: [] };
    expect(() => addBusinessTime(t('2026-03-06T17:00+08:00'), H, never)).toThrow(/no working time/);
    expect(() => nextWorkingMoment(t('2026-03-06T17:00+08:00'), never)).toThrow(/no working time/);
  });

  it('refuses an unknown zone and inverted hours', () => {
    expect(() => addBusinessTime(0, H, { ...SHANGHAI, timeZone: 'Mars/Olympus' })).toThrow(/unknown time zone/);
    expect(() => addBusinessTime(0, H, { ...SHANGHAI, workStart: '18:00', workEnd: '08:00' })).toThrow(/must be after/);
  });
});

describe('businessTimeBetween', () => {
  it('sums the working windows between two instants', () => {
    // 1 h Friday + 10 h Saturday + 1 h Monday.
    expect(businessTimeBetween(t('2026-03-06T17:00+08:00'), t('2026-03-09T09:00+08:00'), SHANGHAI)).toBe(12 * H);
    expect(businessTimeBetween(t('2026-03-08T00:00+08:00'), t('2026-03-08T23:59+08:00'), SHANGHAI)).toBe(0);
    expect(businessTimeBetween(t('2026-03-09T10:00+08:00'), t('2026-03-09T10:25+08:00'), SHANGHAI)).toBe(25 * MINUTE_MS);
    expect(businessTimeBetween(t('2026-09-30T08:00+08:00'), t('2026-10-09T08:00+08:00'), SHANGHAI)).toBe(20 * H);
  });

  it('is zero for an empty or reversed interval', () => {
    expect(businessTimeBetween(t('2026-03-09T10:00+08:00'), t('2026-03-09T10:00+08:00'), SHANGHAI)).toBe(0);
    expect(businessTimeBetween(t('2026-03-09T12:00+08:00'), t('2026-03-09T10:00+08:00'), SHANGHAI)).toBe(0);
  });

  it('inverts addBusinessTime (property)', () => {
    const from = t('2025-12-20T00:00+08:00');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120 * DAY_MS }),
        fc.integer({ min: 1, max: 40 * 10 * H }),
        fc.constantFrom(SHANGHAI, BERLIN),
        (offset, business, cal) => {
          const start = from + offset;
          const due = addBusinessTime(start, business, cal);
          expect(due).toBeGreaterThan(start);
          expect(businessTimeBetween(start, due, cal)).toBe(business);
          // The due instant itself is inside (or at the close of) a working window.
          expect(isWorkingTime(due - 1, cal)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('isWorkingTime / nextWorkingMoment', () => {
  it('has inclusive opening and exclusive closing', () => {
    expect(isWorkingTime(t('2026-03-09T08:00+08:00'), SHANGHAI)).toBe(true);
    expect(isWorkingTime(t('2026-03-09T17:59:59.999+08:00'), SHANGHAI)).toBe(true);
    expect(isWorkingTime(t('2026-03-09T18:00+08:00'), SHANGHAI)).toBe(false);
    expect(isWorkingTime(t('2026-03-09T07:59+08:00'), SHANGHAI)).toBe(false);
  });

  it('knows weekends, holidays and make-up days', () => {
    expect(isWorkingTime(t('2026-03-07T10:00+08:00'), SHANGHAI)).toBe(true); // Saturday
    expect(isWorkingTime(t('2026-03-08T10:00+08:00'), SHANGHAI)).toBe(false); // Sunday
    expect(isWorkingTime(t('2026-10-05T10:00+08:00'), SHANGHAI)).toBe(false); // 国庆 (Monday)
    expect(isWorkingTime(t('2026-01-04T10:00+08:00'), SHANGHAI)).toBe(true); // 调休 Sunday
    expect(isWorkingTime(t('2026-01-11T10:00+08:00'), SHANGHAI)).toBe(false); // ordinary Sunday
    expect(isWorkingTime(t('2026-03-08T10:00+08:00'), CALENDAR_24X7)).toBe(true);
  });

  it('uses the local date of the zone, not UTC (Mon 07:30 Shanghai is still Sunday in UTC)', () => {
    expect(isWorkingTime(t('2026-03-09T08:30+08:00'), SHANGHAI)).toBe(true); // 2026-03-09T00:30Z
    expect(isWorkingTime(t('2026-03-08T08:30+08:00'), SHANGHAI)).toBe(false);
  });

  it('finds the next working moment', () => {
    expect(nextWorkingMoment(t('2026-03-09T10:00+08:00'), SHANGHAI)).toBe(t('2026-03-09T10:00+08:00'));
    expect(nextWorkingMoment(t('2026-03-07T18:00+08:00'), SHANGHAI)).toBe(t('2026-03-09T08:00+08:00'));
    expect(nextWorkingMoment(t('2026-09-30T19:00+08:00'), SHANGHAI)).toBe(t('2026-10-08T08:00+08:00'));
    expect(nextWorkingMoment(t('2026-03-08T03:00+08:00'), CALENDAR_24X7)).toBe(t('2026-03-08T03:00+08:00'));
  });
});

describe('DST (Europe/Berlin)', () => {
  it('Friday 16:00 CET + 2 business hours → Monday 10:00 CEST across spring-forward', () => {
    expect(addBusinessTime(t('2026-03-27T16:00+01:00'), 2 * H, BERLIN)).toBe(t('2026-03-30T10:00+02:00'));
  });

  it('Friday 16:00 CEST + 2 business hours → Monday 10:00 CET across fall-back', () => {
    expect(addBusinessTime(t('2026-10-23T16:00+02:00'), 2 * H, BERLIN)).toBe(t('2026-10-26T10:00+01:00'));
  });

  it('a window spanning the transition has its true length (01:00–04:00: 2 h in March, 4 h in October)', () => {
    const night: CalendarSpec = { ...BERLIN, workStart: '01:00', workEnd: '04:00', workingDays: [1, 2, 3, 4, 5, 6, 7] };
    expect(workdayMs(night)).toBe(3 * H);
    expect(businessTimeBetween(t('2026-03-29T00:00+01:00'), t('2026-03-30T00:00+02:00'), night)).toBe(2 * H);
    expect(businessTimeBetween(t('2026-10-25T00:00+02:00'), t('2026-10-26T00:00+01:00'), night)).toBe(4 * H);
    // 2.5 h from 01:00 on the short day: 2 h that night (01:00 CET → 04:00 CEST), then 01:30 CEST next night.
    expect(addBusinessTime(t('2026-03-29T01:00+01:00'), 2.5 * H, night)).toBe(t('2026-03-30T01:30+02:00'));
  });

  it('a 00:00–24:00 every-day calendar equals elapsed time even on 23 h and 25 h days', () => {
    const allDay: CalendarSpec = { ...BERLIN, workStart: '00:00', workEnd: '24:00', workingDays: [1, 2, 3, 4, 5, 6, 7] };
    expect(businessTimeBetween(t('2026-03-29T00:00+01:00'), t('2026-03-30T00:00+02:00'), allDay)).toBe(23 * H);
    expect(businessTimeBetween(t('2026-10-25T00:00+02:00'), t('2026-10-26T00:00+01:00'), allDay)).toBe(25 * H);
    expect(addBusinessTime(t('2026-03-29T00:00+01:00'), 24 * H, allDay)).toBe(t('2026-03-30T01:00+02:00'));
    expect(addBusinessTime(t('2026-10-24T12:00+02:00'), 48 * H, allDay)).toBe(t('2026-10-24T12:00+02:00') + 48 * H);
  });
});

describe('dueAt / warningAt / spanUsedBetween / calendarFor', () => {
  it('adds elapsed spans regardless of the calendar', () => {
    const start = t('2026-03-07T17:30+08:00');
    expect(dueAt(start, parseSpan('2h'), SHANGHAI)).toBe(t('2026-03-07T19:30+08:00'));
    expect(dueAt(start, parseSpan('3 days'), SHANGHAI)).toBe(t('2026-03-10T17:30+08:00'));
  });

  it('counts business spans on the calendar', () => {
    // Normal resolution: 2 business days = 20 working hours; from Fri 09:00 → Mon 09:00 (Fri 9 h, Sat 10 h, Mon 1 h).
    expect(dueAt(t('2026-03-06T09:00+08:00'), parseSpan('2 business days'), SHANGHAI)).toBe(t('2026-03-09T09:00+08:00'));
    expect(dueAt(t('2026-03-06T08:00+08:00'), parseSpan('2 business days'), SHANGHAI)).toBe(t('2026-03-07T18:00+08:00'));
    expect(dueAt(t('2026-03-06T17:00+08:00'), parseSpan('4 business hours'), SHANGHAI)).toBe(t('2026-03-07T11:00+08:00'));
    expect(dueAt(t('2026-03-06T17:00+08:00'), parseSpan('4 business hours'), CALENDAR_24X7)).toBe(t('2026-03-06T21:00+08:00'));
  });

  it('puts the warning at a fraction of the span on the same clock', () => {
    // 80 % of 2 business days = 16 working hours from Fri 09:00: 9 h Friday, 7 h Saturday → Sat 15:00.
    expect(warningAt(t('2026-03-06T09:00+08:00'), parseSpan('2 business days'), SHANGHAI, 0.8)).toBe(t('2026-03-07T15:00+08:00'));
    expect(warningAt(t('2026-03-06T09:00+08:00'), parseSpan('2h'), SHANGHAI, 0.8)).toBe(t('2026-03-06T10:36+08:00'));
  });

  it('measures how much of a span a period used (for on-hold pauses)', () => {
    const business = parseSpan('2 business days');
    expect(spanUsedBetween(t('2026-03-06T17:00+08:00'), t('2026-03-09T09:00+08:00'), business, SHANGHAI)).toBe(12 * H);
    expect(spanUsedBetween(t('2026-03-06T17:00+08:00'), t('2026-03-09T09:00+08:00'), parseSpan('24h'), SHANGHAI)).toBe(64 * H);
  });

  it('runs critical requests on 24×7 in the policy zone', () => {
    const policy = { calendar: SHANGHAI };
    expect(calendarFor(policy, 'normal')).toBe(SHANGHAI);
    expect(calendarFor(policy, 'urgent')).toBe(SHANGHAI);
    expect(calendarFor(policy, 'critical')).toEqual({ ...CALENDAR_24X7, timeZone: 'Asia/Shanghai' });
  });
});
