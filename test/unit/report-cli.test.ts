/** `npm run report` flags: which report, its period, the format; errors name the bad flag. */
import { checkPeriod, flagged, parseArgs, type ReportArgs } from '../../scripts/report';

const TZ = 'Asia/Shanghai';
const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('did not throw');
};
/** The message the CLI prints for a period flag that parses but is no calendar period. */
const periodMessage = (args: ReportArgs): string =>
  message(() => {
    try {
      checkPeriod(args, TZ);
    } catch (err) {
      flagged(err, args);
    }
  });

test('the daily report by default; the period and appraisal reports', () => {
  expect(parseArgs([])).toEqual({ report: 'day', format: 'json' });
  expect(parseArgs(['--date', '2026-11-25', '--table'])).toEqual({ report: 'day', date: '2026-11-25', format: 'table' });
  expect(parseArgs(['--period', 'month', '--month', '2026-11', '--format', 'csv'])).toEqual({
    report: 'month',
    month: '2026-11',
    format: 'csv',
  });
  expect(parseArgs(['--period=week', '--week=2026-W48'])).toEqual({ report: 'week', week: '2026-W48', format: 'json' });
  expect(parseArgs(['--appraisal', '2026-11', '--url', 'postgres://x/y'])).toEqual({
    report: 'appraisal',
    month: '2026-11',
    format: 'json',
    url: 'postgres://x/y',
  });
});

test('bad flags are named', () => {
  expect(message(() => parseArgs(['--period', 'year']))).toBe('--period: "year" is not day, week or month');
  expect(message(() => parseArgs(['--format', 'xlsx']))).toBe('--format: "xlsx" is not json, csv or table');
  expect(message(() => parseArgs(['--month']))).toBe('--month needs a value');
  expect(message(() => parseArgs(['--period', 'week', '--month', '2026-11']))).toBe('--month: not with the week report');
  expect(message(() => parseArgs(['--period', 'month', '--table']))).toBe('--table: only for the daily report (use --format csv)');
  expect(message(() => parseArgs(['--bogus']))).toBe('unknown argument --bogus');
});

test('periods that are not calendar periods are named by their flag', () => {
  expect(periodMessage(parseArgs(['--period', 'month', '--month', '2026-13']))).toBe('--month: "2026-13" is not a calendar month');
  expect(periodMessage(parseArgs(['--appraisal', '2026-1']))).toBe('--appraisal: "2026-1" is not YYYY-MM');
  expect(periodMessage(parseArgs(['--period', 'week', '--week', '2025-W53']))).toBe('--week: "2025-W53" is not a calendar week');
  expect(periodMessage(parseArgs(['--date', '2026-02-30']))).toBe('--date: "2026-02-30" is not a calendar date');
});
