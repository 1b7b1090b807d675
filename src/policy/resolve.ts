/**
 * A parsed policy document → the `ResolvedPolicy` a workflow receives as data, or a `PolicyError` listing every
 * problem. Two passes: the schema checks shape and every leaf (./issues.ts), then the domain's resolution runs
 * the cross-field rules (hours in order, escalation levels complete …). Either pass reports all it finds.
 */
import { resolvePolicyFile } from '../domain/policy';
import type { ResolvedPolicy } from '../domain/policyTypes';
import { PolicyError } from './errors';
import { schemaIssues } from './issues';
import type { ValidPolicyFile } from './schema';

/** Validates a parsed policy file (YAML/JSON object) and resolves it for the workflow. Throws `PolicyError`. */
export function resolvePolicy(raw: unknown, source?: string): ResolvedPolicy {
  const structural = schemaIssues(raw);
  if (structural.length > 0) throw new PolicyError(structural, source);
  const resolved = resolvePolicyFile(raw as ValidPolicyFile);
  if (!resolved.ok) throw new PolicyError(resolved.issues, source);
  return resolved.policy;
}
