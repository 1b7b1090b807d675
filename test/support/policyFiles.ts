/**
 * Policy files for the policy's unit tests: a small valid file without any optional block (each test adds the
 * block it reads), and the issues a file is refused with.
 */
import { PolicyError, resolvePolicy } from '../../src/policy';

/** A small valid policy file with one deadline for every urgency and no optional block; `over` replaces top-level keys. */
export function minimalPolicy(version: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version,
    calendar: { timeZone: 'Asia/Shanghai' },
    deadlines: {
      acknowledge: '10m',
      dispatch: '2h',
      accept: '1h',
      response: '4h',
      onSite: '24h',
      resolution: '2 business days',
      photos: '30m',
      followUp: '2h',
    },
    callbackDelay: '24h',
    escalation: [1, 2, 3].map((level) => ({ level, role: `l${level}`, name: `Lead ${level}`, phone: `+861390013900${level}` })),
    dispatch: {},
    ...over,
  };
}

/** The issues `resolvePolicy` refuses `raw` with (fails the test when it accepts it). */
export function policyIssues(raw: unknown): { path: string; message: string }[] {
  try {
    resolvePolicy(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).issues;
  }
  throw new Error('expected a PolicyError');
}
