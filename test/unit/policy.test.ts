import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CALENDAR_24X7, dueAt } from '../../src/domain/calendar';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from '../../src/domain/duration';
import { loadPolicyFile, parsePolicyText, resolvePolicy } from '../../src/policy';
import { policyIssues as issuesOf } from '../support/policyFiles';
import { POLICY_DEFAULTS } from '../../src/domain/policy';
import { URGENCIES } from '../../src/domain/types';
import type { ResolvedPolicy, Span } from '../../src/domain/policyTypes';

const ROOT = resolve(__dirname, '../..');
const H = HOUR_MS;
const M = MINUTE_MS;
const elapsed = (ms: number) => expect.objectContaining({ ms, business: false });
const business = (ms: number) => expect.objectContaining({ ms, business: true });

/** A small valid policy; tests break one thing at a time. */
function minimal(): Record<string, unknown> {
  return {
    version: 'test-1',
    calendar: { timeZone: 'Asia/Shanghai' },
    deadlines: {
      acknowledge: '10m',
      dispatch: { normal: '2h', urgent: '30m', critical: '10m' },
      accept: '1h',
      response: { normal: '4h', urgent: '2h', critical: '1h' },
      onSite: { normal: '24h', urgent: '8h', critical: '2h' },
      resolution: { normal: '2 business days', urgent: '1 business day', critical: '8h' },
      photos: '30m',
      followUp: '2h',
    },
    callbackDelay: '24h',
    escalation: [1, 2, 3].map((level) => ({ level, role: `l${level}`, name: `Lead ${level}`, phone: `+861390013900${level}` })),
    dispatch: {},
  };
}

describe('policy/default.yaml (the shipped defaults)', () => {
  let p: ResolvedPolicy;
  beforeAll(() => {
    p = loadPolicyFile(join(ROOT, 'policy/default.yaml'));
  });

  it('has the deadline table of docs/lifecycle.md', () => {
    const col = (s: Record<string, Span>) => URGENCIES.map((u) => s[u]);
    expect(col(p.deadlines.acknowledge)).toEqual([elapsed(10 * M), elapsed(10 * M), elapsed(10 * M)]);
    expect(col(p.deadlines.dispatch)).toEqual([elapsed(2 * H), elapsed(30 * M), elapsed(10 * M)]);
    // A critical job must be confirmed inside its 10-min dispatch clock: 5 min leaves room for one more candidate.
    expect(col(p.deadlines.accept)).toEqual([elapsed(H), elapsed(15 * M), elapsed(5 * M)]);
    expect(col(p.deadlines.response)).toEqual([elapsed(4 * H), elapsed(2 * H), elapsed(H)]);
    expect(col(p.deadlines.on_site)).toEqual([elapsed(24 * H), elapsed(8 * H), elapsed(2 * H)]);
    // 2 / 1 business days on 08:00–18:00 = 20 / 10 working hours; critical 8 h round the clock.
    expect(col(p.deadlines.resolution)).toEqual([business(20 * H), business(10 * H), elapsed(8 * H)]);
    expect(col(p.deadlines.photos)).toEqual([elapsed(30 * M), elapsed(30 * M), elapsed(30 * M)]);
    expect(col(p.deadlines.follow_up)).toEqual([elapsed(2 * H), elapsed(2 * H), elapsed(2 * H)]);
    expect(p.deadlines.resolution.normal.text).toBe('2 business days');
  });

  it('has the type-specific overrides', () => {
    expect(p.typeOverrides.complaint).toEqual({ response: elapsed(2 * H), on_site: elapsed(24 * H), resolution: elapsed(3 * DAY_MS) });
    for (const t of ['return', 'exchange'] as const) {
      expect(p.typeOverrides[t]).toEqual({ resolution: business(30 * H), resolution_max: business(70 * H) });
    }
    expect(p.typeOverrides.repair).toBeUndefined();
  });

  it('has the rest of the shipped policy: calendar, dispatch and escalation', () => {
    expect(p.version).toBe('2026.2');
    expect(p.language).toBe('zh');
    expect(p.warningAt).toBe(0.8);
    expect(p.callbackDelay).toEqual(elapsed(24 * H));
    expect(p.feedbackWindow).toEqual(elapsed(72 * H));
    expect(p.followUpThreshold).toBe(3);
    expect(p.vipStricterDispatch).toBe(true);
    expect(p.escalation.map((c) => [c.level, c.role])).toEqual([
      [1, 'dispatch_lead'],
      [2, 'service_supervisor'],
      [3, 'service_centre_manager'],
    ]);
    expect(p.dispatch).toMatchObject({ radiusKm: 30, preferredRating: 0.95, maxCandidates: 5 });
    expect(p.dispatch.skillsByCategory.gas_water_heater).toEqual(['gas_water_heater', 'gas']);
    expect(p.dispatch.skillsByCategory.wall_boiler).toContain('gas');
    expect(p.dispatch.skillsByCategory.gas_hob).toContain('gas');
    expect(p.dispatch.skillsByCategory.air_conditioner).toContain('refrigerant');
    expect(p.dispatch.skillsByType.installation).toEqual(['installation']);
    expect(p.publicBaseUrl).toBe('http://localhost:3000');
  });

  it('has the lifecycle-3 appointment and call-back settings', () => {
    expect(p.appointments).toEqual({ reminderLead: elapsed(2 * H), lateGrace: elapsed(15 * M) });
    expect(p.callback).toEqual({ earliest: elapsed(2 * H), latest: elapsed(24 * H), maxAttempts: 3 });
    // Lifecycle 2 requests still call back after callbackDelay: the same 24 h as the new window's end.
    expect(p.callbackDelay.ms).toBe(p.callback?.latest.ms);
  });

  it('has the Shanghai calendar with real 2026 holidays and 调休', () => {
    expect(p.calendar).toMatchObject({
      timeZone: 'Asia/Shanghai',
      workStart: '08:00',
      workEnd: '18:00',
      workingDays: [1, 2, 3, 4, 5, 6],
      allHours: false,
    });
    expect(p.calendar.holidays).toEqual(expect.arrayContaining(['2026-01-01', '2026-02-15', '2026-02-23', '2026-10-01', '2026-10-07']));
    expect(p.calendar.holidays).not.toContain('2026-02-24');
    expect(p.calendar.extraWorkingDays).toEqual(expect.arrayContaining(['2026-01-04', '2026-09-20']));
    // National Day in the middle: Wed 30 Sep 17:00 + 2 business days → Fri 9 Oct 17:00.
    expect(dueAt(Date.parse('2026-09-30T17:00+08:00'), p.deadlines.resolution.normal, p.calendar)).toBe(
      Date.parse('2026-10-09T17:00+08:00'),
    );
  });

  it('is plain data (survives a Temporal JSON payload unchanged)', () => {
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });
});

describe('policy/fast.yaml (seconds, 24×7)', () => {
  let fast: ResolvedPolicy;
  let normal: ResolvedPolicy;
  beforeAll(() => {
    fast = loadPolicyFile(join(ROOT, 'policy/fast.yaml'));
    normal = loadPolicyFile(join(ROOT, 'policy/default.yaml'));
  });

  it('runs round the clock in the same zone', () => {
    expect(fast.calendar).toEqual({ ...CALENDAR_24X7, timeZone: 'Asia/Shanghai' });
    expect(fast.deadlines.dispatch).toEqual({ normal: elapsed(6_000), urgent: elapsed(4_000), critical: elapsed(3_000) });
  });

  it('keeps every span in seconds and the same shape as the default policy', () => {
    const spans = (p: ResolvedPolicy): [string, Span][] => [
      ...Object.entries(p.deadlines).flatMap(([k, by]) => URGENCIES.map((u): [string, Span] => [`${k}.${u}`, by[u]])),
      ...Object.entries(p.typeOverrides).flatMap(([t, o]) => Object.entries(o).map(([k, s]): [string, Span] => [`${t}.${k}`, s])),
      ['callbackDelay', p.callbackDelay],
      ['feedbackWindow', p.feedbackWindow],
      ...Object.entries(p.appointments ?? {}).map(([k, s]): [string, Span] => [`appointments.${k}`, s]),
      ...(['earliest', 'latest'] as const).map((k): [string, Span] => [`callback.${k}`, p.callback![k]]),
    ];
    expect(spans(fast).map(([k]) => k)).toEqual(spans(normal).map(([k]) => k));
    for (const [, s] of spans(fast)) {
      expect(s.ms).toBeGreaterThanOrEqual(SECOND_MS);
      expect(s.ms).toBeLessThanOrEqual(60 * SECOND_MS);
    }
  });

  it('keeps the order of the deadline table: stricter columns are shorter, milestones grow along the lifecycle', () => {
    for (const p of [fast, normal]) {
      for (const key of ['dispatch', 'response', 'on_site', 'resolution'] as const) {
        const d = p.deadlines[key];
        expect(d.urgent.ms).toBeLessThanOrEqual(d.normal.ms);
        expect(d.critical.ms).toBeLessThanOrEqual(d.urgent.ms);
      }
      for (const u of URGENCIES) {
        const d = p.deadlines;
        expect(d.dispatch[u].ms).toBeLessThan(d.response[u].ms);
        expect(d.response[u].ms).toBeLessThan(d.on_site[u].ms);
        expect(d.acknowledge[u].ms).toBeLessThanOrEqual(d.dispatch[u].ms);
      }
      expect(p.typeOverrides.return?.resolution_max?.ms).toBeGreaterThan(p.typeOverrides.return?.resolution?.ms ?? Infinity);
      expect(p.warningAt).toBe(0.8);
    }
    // The happy path waits only for the call-back; it must fit well inside a minute (lifecycle 3: the window's end).
    expect(fast.callbackDelay.ms + fast.feedbackWindow.ms).toBeLessThan(30 * SECOND_MS);
    expect(fast.callback!.latest.ms + fast.feedbackWindow.ms).toBeLessThan(30 * SECOND_MS);
    // The survey goes out when lifecycle 2 sends it, so tests timing it behave the same on both.
    expect(fast.callback!.earliest.ms).toBe(fast.callbackDelay.ms);
    expect(fast.callback!.maxAttempts).toBe(normal.callback!.maxAttempts);
  });
});

describe('resolvePolicy', () => {
  it('accepts a minimal policy and fills the defaults', () => {
    const p = resolvePolicy(minimal());
    expect(p).toMatchObject({
      language: 'zh',
      warningAt: 0.8,
      followUpThreshold: 3,
      vipStricterDispatch: true,
      typeOverrides: {},
      dispatch: { radiusKm: 30, preferredRating: 0.95, maxCandidates: 5, skillsByCategory: {}, skillsByType: {} },
      calendar: { timeZone: 'Asia/Shanghai', workStart: '08:00', workEnd: '18:00', workingDays: [1, 2, 3, 4, 5, 6], allHours: false },
    });
    expect(p.feedbackWindow).toEqual(elapsed(72 * H));
    // Lifecycle 3 blocks: optional in the file, always in the resolved policy.
    expect(p.appointments).toEqual({ reminderLead: elapsed(2 * H), lateGrace: elapsed(15 * M) });
    expect(p.callback).toEqual({ earliest: elapsed(2 * H), latest: elapsed(24 * H), maxAttempts: 3 });
    expect(p.appointments?.lateGrace.text).toBe(POLICY_DEFAULTS.appointments.lateGrace);
    expect(p.callback?.latest.text).toBe(POLICY_DEFAULTS.callback.latest);
  });

  it('takes the appointment and call-back settings field by field, the rest from the defaults', () => {
    const raw = minimal();
    Object.assign(raw, { appointments: { lateGrace: '10 minutes' }, callback: { latest: '48h', maxAttempts: 5 } });
    const p = resolvePolicy(raw);
    expect(p.appointments).toEqual({ reminderLead: elapsed(2 * H), lateGrace: elapsed(10 * M) });
    expect(p.callback).toEqual({ earliest: elapsed(2 * H), latest: elapsed(48 * H), maxAttempts: 5 });
    Object.assign(raw, {
      appointments: { reminderLead: 7200, lateGrace: '1h' },
      callback: { earliest: '30m', latest: '4h', maxAttempts: 1 },
    });
    expect(resolvePolicy(raw)).toMatchObject({
      appointments: { reminderLead: elapsed(2 * H), lateGrace: elapsed(H) },
      callback: { earliest: elapsed(30 * M), latest: elapsed(4 * H), maxAttempts: 1 },
    });
  });

  it('names the bad appointment and call-back field, with the value it got', () => {
    const raw = minimal();
    Object.assign(raw, {
      appointments: { reminderLead: 'soon', lateGrace: 0, reminderLeed: '5m' },
      callback: { earliest: true, latest: '24 lightyears', maxAttempts: 0 },
    });
    expect(issuesOf(raw)).toEqual(
      expect.arrayContaining([
        { path: 'appointments.reminderLead', message: '"soon" is not a duration' },
        { path: 'appointments.lateGrace', message: '0 must be longer than zero' },
        { path: 'appointments.reminderLeed', message: 'is not a known setting (did you mean "reminderLead"?)' },
        { path: 'callback.earliest', message: 'must be a duration (e.g. "2h", "2 business days", or seconds), got true' },
        { path: 'callback.latest', message: '"24 lightyears" is not a duration (unknown unit "lightyears")' },
        { path: 'callback.maxAttempts', message: 'must be ≥ 1, got 0' },
      ]),
    );
    expect(issuesOf(raw)).toHaveLength(6);

    const fraction = minimal();
    Object.assign(fraction, { callback: { maxAttempts: 2.5 }, appointments: [] });
    expect(issuesOf(fraction)).toEqual([
      { path: 'appointments', message: 'must be a mapping (key: value), got []' },
      { path: 'callback.maxAttempts', message: 'must be a whole number, got 2.5' },
    ]);

    const typo = minimal();
    Object.assign(typo, { callbacks: { latest: '24h' } });
    expect(issuesOf(typo)).toEqual([{ path: 'callbacks', message: 'is not a known setting (did you mean "callback"?)' }]);

    let message = '';
    try {
      resolvePolicy(raw, 'policy/centre.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Invalid policy policy\/centre\.yaml \(6 problems\):\n/);
    expect(message).toContain('\n  - callback.maxAttempts: must be ≥ 1, got 0');
  });

  it('refuses a call-back window that ends before it opens', () => {
    const raw = minimal();
    Object.assign(raw, { callback: { earliest: '4h', latest: '2h' } });
    expect(issuesOf(raw)).toEqual([{ path: 'callback.latest', message: '"2h" must be later than earliest "4h"' }]);
    Object.assign(raw, { callback: { latest: '2h' } });
    expect(issuesOf(raw)).toEqual([{ path: 'callback.latest', message: '"2h" must be later than earliest "2h"' }]);
    // Only earliest written: it is what moved past the default end of the window.
    Object.assign(raw, { callback: { earliest: '2 days' } });
    expect(issuesOf(raw)).toEqual([{ path: 'callback.earliest', message: '"2 days" must be earlier than latest "24h" (the default)' }]);
    Object.assign(raw, { callback: { earliest: '2 days', latest: '3 days' } });
    expect(resolvePolicy(raw).callback).toMatchObject({ earliest: elapsed(48 * H), latest: elapsed(72 * H) });
  });

  it('takes one duration for every column, numbers as seconds, and percentages', () => {
    const raw = minimal();
    Object.assign(raw.deadlines as object, { accept: 3600, photos: '30 minutes' });
    Object.assign(raw, { warningAt: 0.75, dispatch: { preferredRating: '90%' } });
    const p = resolvePolicy(raw);
    expect(p.deadlines.accept).toEqual({ normal: elapsed(H), urgent: elapsed(H), critical: elapsed(H) });
    expect(p.deadlines.photos.urgent).toEqual(elapsed(30 * M));
    expect(p.warningAt).toBe(0.75);
    expect(p.dispatch.preferredRating).toBe(0.9);
  });

  it('sizes business days by the calendar and runs the critical column on 24×7', () => {
    const raw = minimal();
    Object.assign(raw, {
      calendar: {
        timeZone: 'Europe/Berlin',
        workingHours: { start: '9:00', end: '17:00' },
        workingDays: ['Mon', 'tuesday', 'wed', 'thu', 'fri'],
      },
    });
    (raw.deadlines as Record<string, unknown>).resolution = {
      normal: '2 business days',
      urgent: '1 business day',
      critical: '1 business day',
    };
    const p = resolvePolicy(raw);
    expect(p.calendar).toMatchObject({ workStart: '09:00', workEnd: '17:00', workingDays: [1, 2, 3, 4, 5] });
    expect(p.deadlines.resolution.normal).toEqual(business(16 * H));
    expect(p.deadlines.resolution.urgent).toEqual(business(8 * H));
    // Critical runs round the clock: a business day there is 24 elapsed hours.
    expect(p.deadlines.resolution.critical).toEqual(elapsed(24 * H));

    const allHours = minimal();
    Object.assign(allHours, { calendar: { allHours: true } });
    expect(resolvePolicy(allHours).deadlines.resolution.normal).toEqual(business(48 * H));
  });

  it('expands holiday ranges and lower-cases dispatch skills', () => {
    const raw = minimal();
    Object.assign(raw.calendar as object, {
      holidays: ['2026-10-01..2026-10-03', '2026-10-02', '2026-01-01'],
      extraWorkingDays: ['2026-09-20'],
    });
    Object.assign(raw, {
      dispatch: {
        skillsByCategory: { Gas_Water_Heater: ['GAS', 'gas_water_heater', 'gas'] },
        skillsByType: { installation: ['Installation'] },
      },
    });
    const p = resolvePolicy(raw);
    expect(p.calendar.holidays).toEqual(['2026-01-01', '2026-10-01', '2026-10-02', '2026-10-03']);
    expect(p.calendar.extraWorkingDays).toEqual(['2026-09-20']);
    expect(p.dispatch.skillsByCategory).toEqual({ gas_water_heater: ['gas', 'gas_water_heater'] });
    expect(p.dispatch.skillsByType).toEqual({ installation: ['installation'] });
  });

  it('lists every bad field with its path in one error', () => {
    const raw = minimal();
    const d = raw.deadlines as Record<string, unknown>;
    d.dispatch = { normal: '2h', urgent: 'abc', critical: true };
    d.accept = 'soon';
    d.photos = 0;
    delete d.followUp;
    d.onsite = '24h';
    Object.assign(raw, {
      version: 7,
      warningAt: 1.5,
      language: 'fr',
      calendar: {
        timeZone: 'Mars/Olympus',
        workingDays: ['mon', 'funday'],
        holidays: ['2026-13-01'],
        workingHours: { start: '08:00', end: '25:00' },
      },
      escalation: [{ level: 4, role: '', name: 'X', phone: '12345' }],
      dispatch: { radiusKm: 0, maxCandidates: 1.5, skillsByType: { repiar: ['x'] } },
      typeOverrides: { complaint: { response: '2 lightyears' } },
      followUpThreshold: 9,
    });
    const issues = issuesOf(raw);
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath).toEqual({
      version: 'must be a string, got 7',
      language: 'must be one of "zh", "en", got "fr"',
      warningAt: '1.5 is not a fraction between 0 and 1 (or a percentage like "80%")',
      'calendar.timeZone': '"Mars/Olympus" is not an IANA time zone (e.g. Asia/Shanghai)',
      'calendar.workingHours.end': '"25:00" is not a time of day (HH:mm, 00:00–24:00)',
      'calendar.workingDays[1]': '"funday" is not a weekday (mon, tue, wed, thu, fri, sat, sun)',
      'calendar.holidays[0]': '"2026-13-01" is not a date (YYYY-MM-DD) or range (YYYY-MM-DD..YYYY-MM-DD)',
      'deadlines.followUp': 'is required',
      'deadlines.onsite': 'is not a known setting (did you mean "onSite"?)',
      'deadlines.dispatch.urgent': '"abc" is not a duration',
      'deadlines.dispatch.critical': 'must be a duration (e.g. "2h", "2 business days", or seconds), got true',
      'deadlines.accept': '"soon" is not a duration',
      'deadlines.photos': '0 must be longer than zero',
      'typeOverrides.complaint.response': '"2 lightyears" is not a duration (unknown unit "lightyears")',
      followUpThreshold: 'must be ≤ 5, got 9',
      'escalation[0].level': 'must be one of 1, 2, 3, got 4',
      'escalation[0].role': 'must not be empty',
      'escalation[0].phone': '"12345" is not an international phone number (E.164, e.g. "+8613800138000")',
      'dispatch.radiusKm': 'must be > 0, got 0',
      'dispatch.maxCandidates': 'must be a whole number, got 1.5',
      'dispatch.skillsByType.repiar': 'is not a known setting (did you mean "repair"?)',
    });
    expect(issues).toHaveLength(Object.keys(byPath).length);

    let message = '';
    try {
      resolvePolicy(raw, 'policy/broken.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Invalid policy policy\/broken\.yaml \(21 problems\):\n/);
    expect(message).toContain('\n  - deadlines.dispatch.urgent: "abc" is not a duration\n');
    expect(message).toContain('(durations: use e.g. "30m"');
  });

  it('reports the wrong shape for a whole section', () => {
    expect(issuesOf(null)).toEqual([{ path: '', message: 'must be a mapping (key: value), got null' }]);
    const raw = minimal();
    Object.assign(raw, { deadlines: ['2h'], escalation: {} });
    expect(issuesOf(raw)).toEqual([
      { path: 'deadlines', message: 'must be a mapping (key: value), got ["2h"]' },
      { path: 'escalation', message: 'must be a list, got {}' },
    ]);
    expect(issuesOf({})).toEqual(
      ['version', 'calendar', 'deadlines', 'callbackDelay', 'escalation', 'dispatch'].map((path) => ({ path, message: 'is required' })),
    );
  });

  it('checks rules that span fields once the shape is right', () => {
    const raw = minimal();
    Object.assign(raw, {
      calendar: {
        workingHours: { start: '18:00', end: '08:00' },
        holidays: ['2026-10-01..2026-10-07'],
        extraWorkingDays: ['2026-09-20', '2026-10-03'],
      },
      typeOverrides: { return: { resolution: '7 business days', resolutionMax: '3 business days' } },
      escalation: [
        { level: 1, role: 'a', name: 'A', phone: '+8613900139001' },
        { level: 1, role: 'b', name: 'B', phone: '+8613900139002' },
        { level: 3, role: 'c', name: 'C', phone: '+8613900139003' },
      ],
    });
    expect(issuesOf(raw)).toEqual([
      { path: 'calendar.workingHours.end', message: '"08:00" must be later than start "18:00"' },
      { path: 'calendar.extraWorkingDays[1]', message: '2026-10-03 is also listed as a holiday' },
      { path: 'typeOverrides.return.resolutionMax', message: '"3 business days" is shorter than resolution "7 business days"' },
      { path: 'escalation[1].level', message: 'level 1 is already given by escalation[0]' },
      { path: 'escalation', message: 'no contact for level 2 (levels 1, 2 and 3 are all needed, see docs/lifecycle.md)' },
    ]);
  });
});

describe('loadPolicyFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aftercare-policy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads JSON as well as YAML', () => {
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify(minimal()));
    expect(loadPolicyFile(file).deadlines.dispatch.normal).toEqual(elapsed(2 * H));
  });

  it('names the file in validation, syntax and read errors', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: "x"\ncalendar: {}\ndeadlines: {}\n');
    expect(() => loadPolicyFile(bad)).toThrow(
      new RegExp(`^Invalid policy ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(\\d+ problems\\)`),
    );

    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'version: "x"\ndeadlines: [unclosed\n');
    expect(() => loadPolicyFile(broken)).toThrow(/broken\.yaml.*\n {2}- \(policy\): not valid YAML/);

    const badJson = join(dir, 'bad.json');
    writeFileSync(badJson, '{ "version": ');
    expect(() => loadPolicyFile(badJson)).toThrow(/bad\.json.*\n {2}- \(policy\): not valid JSON/);

    expect(() => loadPolicyFile(join(dir, 'missing.yaml'))).toThrow(/^Cannot read policy file .*missing\.yaml/);
  });

  it('refuses duplicate keys rather than silently taking the last', () => {
    expect(() => parsePolicyText('deadlines:\n  dispatch: 2h\n  dispatch: 3h\n', 'dup.yaml')).toThrow(/dup\.yaml[\s\S]*not valid YAML/);
  });
});
