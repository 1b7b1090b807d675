/**
 * Policies for tests on real processes and real time, built from policy/fast.yaml like the worker builds its
 * own (parsed, edited, resolved and validated).
 *
 * fast.yaml's rating link lives `callbackDelay + feedbackWindow` = 14 s after completion, and the request closes
 * as `no_feedback` then: a test that rates after a slow step (a restarted worker, a browser, a busy machine)
 * must not depend on getting there within 14 s. RATING_WINDOWS keeps the link and the request open longer than
 * any test runs (it fits in no test's timeout), so only tests that wait for the call-back itself need fast.yaml's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import type { ResolvedPolicy } from '../../src/domain/policyTypes';
import { parsePolicyText, resolvePolicy } from '../../src/policy';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

export const FAST_POLICY_FILE = join(PROJECT_ROOT, 'policy', 'fast.yaml');

/**
 * Call-back after 5 minutes, rating link valid 15 minutes (lifecycle 2) or 20 minutes (lifecycle 3: call-back window
 * 5–10 minutes, so no call-back deadline breaks while a test runs) after completion.
 */
export const RATING_WINDOWS = { callbackDelay: '5m', feedbackWindow: '10m', callback: { earliest: '5m', latest: '10m' } } as const;

/** policy/fast.yaml's parsed text with `over` merged in at the top level and its own `version`. */
function fastRaw(version: string, over: Record<string, unknown>): Record<string, unknown> {
  const raw = parsePolicyText(readFileSync(FAST_POLICY_FILE, 'utf8'), FAST_POLICY_FILE) as Record<string, unknown>;
  return { ...raw, ...over, version };
}

/** policy/fast.yaml with `over` (top-level keys, e.g. RATING_WINDOWS), resolved and validated. */
export function fastPolicyVariant(version: string, over: Record<string, unknown>): ResolvedPolicy {
  return resolvePolicy(fastRaw(version, over), `policy/fast.yaml (${version})`);
}

/** The same as a file (for processes that read AFTERCARE_POLICY); validated first. Returns its path. */
export function writeFastPolicyVariant(dir: string, version: string, over: Record<string, unknown>): string {
  const raw = fastRaw(version, over);
  resolvePolicy(raw, `policy/fast.yaml (${version})`);
  const file = join(dir, `policy-${version}.yaml`);
  writeFileSync(file, YAML.stringify(raw));
  return file;
}
