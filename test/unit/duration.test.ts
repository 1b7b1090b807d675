import {
  DAY_MS,
  DEFAULT_WORKDAY_MS,
  HOUR_MS,
  MINUTE_MS,
  SECOND_MS,
  describeSpan,
  formatSpan,
  parseSpan,
  spanProblem,
} from '../../src/domain/duration';

describe('parseSpan', () => {
  it.each([
    ['45s', 45 * SECOND_MS],
    ['10m', 10 * MINUTE_MS],
    ['2h', 2 * HOUR_MS],
    ['1h30m', 90 * MINUTE_MS],
    ['1h 30m', 90 * MINUTE_MS],
    ['3d', 3 * DAY_MS],
    ['3 days', 3 * DAY_MS],
    ['1 day', DAY_MS],
    ['90 seconds', 90 * SECOND_MS],
    ['2 hours', 2 * HOUR_MS],
    ['1 hour 30 minutes', 90 * MINUTE_MS],
    ['1 hour and 30 minutes', 90 * MINUTE_MS],
    ['1 hour, 30 minutes', 90 * MINUTE_MS],
    ['30 mins', 30 * MINUTE_MS],
    ['1.5h', 90 * MINUTE_MS],
    ['2 weeks', 14 * DAY_MS],
    ['  2H ', 2 * HOUR_MS],
    ['72h', 3 * DAY_MS],
  ])('elapsed %j = %d ms', (text, ms) => {
    expect(parseSpan(text)).toEqual({ ms, business: false, text: text.trim() });
  });

  it('reads numbers as seconds', () => {
    expect(parseSpan(90)).toEqual({ ms: 90_000, business: false, text: '90s' });
    expect(parseSpan(0.5)).toEqual({ ms: 500, business: false, text: '0.5s' });
    expect(parseSpan(0).ms).toBe(0);
    // Digit-only text (e.g. a quoted JSON number) is seconds too, and says so in its text.
    expect(parseSpan('90')).toEqual({ ms: 90_000, business: false, text: '90s' });
  });

  it('sizes business days by the default 10 h working day (08:00–18:00)', () => {
    expect(DEFAULT_WORKDAY_MS).toBe(10 * HOUR_MS);
    expect(parseSpan('2 business days')).toEqual({ ms: 20 * HOUR_MS, business: true, text: '2 business days' });
    expect(parseSpan('1 business day')).toEqual({ ms: 10 * HOUR_MS, business: true, text: '1 business day' });
  });

  it('sizes business days by the given working-day length', () => {
    expect(parseSpan('2 business days', 8 * HOUR_MS).ms).toBe(16 * HOUR_MS);
    expect(parseSpan('3 business days', DAY_MS).ms).toBe(3 * DAY_MS);
    expect(parseSpan('1 business day 2 business hours', 8 * HOUR_MS)).toMatchObject({ ms: 10 * HOUR_MS, business: true });
  });

  it('keeps business hours, minutes and seconds literal (working time)', () => {
    expect(parseSpan('4 business hours')).toMatchObject({ ms: 4 * HOUR_MS, business: true });
    expect(parseSpan('30 business minutes')).toMatchObject({ ms: 30 * MINUTE_MS, business: true });
    expect(parseSpan('20 business seconds')).toMatchObject({ ms: 20 * SECOND_MS, business: true });
    expect(parseSpan('3 working days')).toMatchObject({ ms: 30 * HOUR_MS, business: true });
    expect(parseSpan('2 Business Days')).toMatchObject({ ms: 20 * HOUR_MS, business: true });
  });

  it.each([
    ['abc', /^"abc" is not a duration/],
    ['', /^"" is not a duration \(empty\)/],
    ['   ', /is not a duration/],
    ['2', null],
    ['2 parsecs', /unknown unit "parsecs"/],
    ['1h30', /^"1h30" is not a duration/],
    ['-2h', /^"-2h" is not a duration/],
    ['2h!', /is not a duration/],
    ['2 business', /unknown unit "business"/],
    ['2 business days 1h', /mixes business and elapsed time/],
    ['2 business weeks', /business weeks are ambiguous/],
    ['h', /is not a duration/],
  ])('rejects %j', (text, pattern) => {
    if (pattern === null) {
      expect(parseSpan(text).ms).toBe(2000);
      return;
    }
    expect(() => parseSpan(text)).toThrow(pattern);
  });

  it('rejects bad numbers and non-durations with a hint', () => {
    expect(() => parseSpan(-1)).toThrow(/^-1 is not a duration \(seconds must be a finite number ≥ 0\)/);
    expect(() => parseSpan(Number.NaN)).toThrow(/NaN is not a duration/);
    expect(() => parseSpan(Number.POSITIVE_INFINITY)).toThrow(/is not a duration/);
    expect(() => parseSpan(true as unknown as string)).toThrow(/true is not a duration/);
    expect(() => parseSpan('abc')).toThrow(/use e\.g\. "30m", "2h"/);
  });

  it('rejects a non-positive working-day length', () => {
    expect(() => parseSpan('1 business day', 0)).toThrow(/workdayMs must be positive/);
  });
});

describe('spanProblem', () => {
  it('is undefined for a duration and a short reason otherwise', () => {
    expect(spanProblem('2 business days')).toBeUndefined();
    expect(spanProblem(30)).toBeUndefined();
    expect(spanProblem('abc')).toBe('"abc" is not a duration');
    expect(spanProblem('2 business weeks')).toBe('"2 business weeks" is not a duration (business weeks are ambiguous, use business days)');
    expect(spanProblem({})).toBe('[object Object] is not a duration');
  });
});

describe('formatSpan', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [45 * SECOND_MS, '45s'],
    [30 * MINUTE_MS, '30m'],
    [2 * HOUR_MS, '2h'],
    [90 * MINUTE_MS, '1h 30m'],
    [26 * HOUR_MS, '1d 2h'],
    [DAY_MS + HOUR_MS + MINUTE_MS + SECOND_MS, '1d 1h 1m 1s'],
    [3 * DAY_MS, '3d'],
    [-30 * MINUTE_MS, '-30m'],
    [1_499, '1s'],
    [1_500, '2s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatSpan(ms)).toBe(text);
  });

  it('round-trips through parseSpan', () => {
    for (const ms of [45_000, 1_800_000, 5_400_000, 93_600_000, 90_061_000]) expect(parseSpan(formatSpan(ms)).ms).toBe(ms);
  });

  it('describes business spans as working time', () => {
    expect(describeSpan(parseSpan('2 business days'))).toBe('20h business');
    expect(describeSpan(parseSpan('1h30m'))).toBe('1h 30m');
  });
});
