/**
 * The policy file: read from disk (./file.ts), checked against its schema (./schema.ts, ./issues.ts) and
 * resolved into the `ResolvedPolicy` workflows receive (./resolve.ts, with the domain's src/domain/policy.ts).
 * I/O and validation live here, beside the config; workflows see only src/domain/policyTypes.ts.
 */
export { loadPolicyFile, parsePolicyText } from './file';
export { PolicyError, type PolicyIssue } from './errors';
export { resolvePolicy } from './resolve';
export { PolicyFileSchema } from './schema';
