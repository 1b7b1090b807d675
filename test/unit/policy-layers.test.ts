/**
 * Issue 11: the policy file's parsing and validation live in src/policy/ (beside the config); src/domain/
 * keeps what workflows and activities need, the resolved types and the pure resolution.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolvePolicyFile, weekdayNumber, type PolicyFile } from '../../src/domain/policy';
import { PolicyError, resolvePolicy } from '../../src/policy';

const ROOT = resolve(__dirname, '../..');

/** A small valid policy file. */
function file(): PolicyFile {
  return {
    version: 'layers-1',
    calendar: { timeZone: 'Asia/Shanghai' },
    deadlines: {
      acknowledge: '10m',
      dispatch: { normal: '2h', urgent: '30m', critical: '10m' },
      accept: '1h',
      response: '4h',
      onSite: '24h',
      resolution: '2 business days',
      photos: '30m',
      followUp: '2h',
    },
    callbackDelay: '24h',
    escalation: ([1, 2, 3] as const).map((level) => ({ level, role: `l${level}`, name: `Lead ${level}`, phone: `+861390013900${level}` })),
    dispatch: {},
  };
}

describe('layers', () => {
  test('src/domain/ has no schema library, YAML or file I/O', () => {
    const dir = join(ROOT, 'src/domain');
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(dir, name), 'utf8');
      expect({ name, imports: text.match(/from '(typebox[^']*|yaml|node:[^']+)'/g) ?? [] }).toEqual({ name, imports: [] });
    }
  });

  test('the domain resolves a schema-valid file without throwing; cross-field problems come back as issues', () => {
    const ok = resolvePolicyFile(file());
    expect(ok.ok && ok.policy.version).toBe('layers-1');
    const bad = resolvePolicyFile({ ...file(), calendar: { workingHours: { start: '18:00', end: '08:00' } } });
    expect(bad).toEqual({
      ok: false,
      issues: [{ path: 'calendar.workingHours.end', message: expect.stringContaining('later than start') }],
    });
  });

  test('src/policy turns both passes into a PolicyError naming the source', () => {
    expect(() => resolvePolicy({ ...file(), calendar: { workingHours: { start: '18:00', end: '08:00' } } }, 'x.yaml')).toThrow(PolicyError);
    expect(() => resolvePolicy({ ...file(), callbackDelay: 'soon' }, 'x.yaml')).toThrow(/Invalid policy x\.yaml .*\n {2}- callbackDelay:/);
  });
});

describe('resolution details', () => {
  test('weekdays: names only, not inherited object keys', () => {
    expect(weekdayNumber(' Monday ')).toBe(1);
    expect(weekdayNumber('sun')).toBe(7);
    expect(weekdayNumber('constructor')).toBeUndefined();
    expect(() => resolvePolicy({ ...file(), calendar: { workingDays: ['mon', 'constructor'] } })).toThrow(
      /calendar\.workingDays\[1\]: "constructor" is not a weekday/,
    );
  });

  test('skillsByCategory keys are normalised like request categories and roster tags', () => {
    const p = resolvePolicy({ ...file(), dispatch: { skillsByCategory: { 'Water-Heater': ['water_heater', 'Gas'] } } });
    expect(p.dispatch.skillsByCategory).toEqual({ water_heater: ['water_heater', 'gas'] });
  });
});
