/**
 * Reads a policy file (YAML or JSON) from disk and resolves it. I/O — NOT workflow-safe: the worker/API load
 * the policy here and hand the resulting `ResolvedPolicy` to workflows as data.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import YAML from 'yaml';
import type { ResolvedPolicy } from '../domain/policyTypes';
import { PolicyError } from './errors';
import { resolvePolicy } from './resolve';

/** Parses policy text; `.json` files are strict JSON, anything else is YAML (a superset of JSON). */
export function parsePolicyText(text: string, fileName: string): unknown {
  if (extname(fileName).toLowerCase() === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new PolicyError([{ path: '', message: `not valid JSON: ${(err as Error).message}` }], fileName);
    }
  }
  // Duplicate keys are an error (the yaml default): a silently shadowed deadline is worse than a refusal.
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      doc.errors.map((e) => ({ path: '', message: `not valid YAML: ${e.message.split('\n')[0] ?? e.message}` })),
      fileName,
    );
  }
  return doc.toJS() as unknown;
}

/** Loads, validates and resolves a policy file; every error names the file. */
export function loadPolicyFile(path: string): ResolvedPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read policy file ${path}: ${(err as Error).message}`, { cause: err });
  }
  return resolvePolicy(parsePolicyText(text, path), path);
}
