/**
 * Pass 1 of policy validation: the schema's errors → one readable issue per problem, each with the dotted path
 * of the field and the value it got, so an admin fixes the file in one round.
 */
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { Settings } from 'typebox/system';
import { show, type PolicyIssue } from '../domain/policy';
import { dotted, schemaAt, valueAt } from './pointer';
import { PolicyFileSchema } from './schema';
import { closest } from './typos';

interface RawError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message: string;
}

const article = (t: unknown): string =>
  t === 'object' ? 'a mapping (key: value)' : t === 'array' ? 'a list' : t === 'integer' ? 'a whole number' : `a ${String(t)}`;

function describe(e: RawError, got: unknown): string {
  const p = e.params;
  switch (e.keyword) {
    case 'type':
      return `must be ${article(p.type)}, got ${show(got)}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((x) => show(x)).join(', ')}, got ${show(got)}`;
    case 'minimum':
      return `must be ≥ ${String(p.limit)}, got ${show(got)}`;
    case 'maximum':
      return `must be ≤ ${String(p.limit)}, got ${show(got)}`;
    case 'exclusiveMinimum':
      return `must be > ${String(p.limit)}, got ${show(got)}`;
    case 'exclusiveMaximum':
      return `must be < ${String(p.limit)}, got ${show(got)}`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`;
    case 'minItems':
      return `must list at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`;
    case '~refine':
      return String(p.message ?? e.message);
    default:
      return e.message;
  }
}

/**
 * Every schema violation as a readable issue; union branches are collapsed to the one the value was meant for.
 * `schema`: the policy file's, or another file's of the same style (the catalogue files, src/catalogue/).
 */
export function schemaIssues(raw: unknown, schema: TSchema = PolicyFileSchema): PolicyIssue[] {
  const previous = Settings.Get().maxErrors;
  let errors: RawError[];
  try {
    // TypeBox buffers 8 errors by default; a policy file is small and trusted, and the admin wants them all.
    Settings.Set({ maxErrors: 1000 });
    errors = Value.Errors(schema, raw) as unknown as RawError[];
  } finally {
    Settings.Set({ maxErrors: previous });
  }

  // A failed union reports every branch's complaint. Keep what the value's own branch said (refinements,
  // nested fields, required/unknown keys); drop "wrong type" noise from the others; if nothing specific is
  // left, say what the union accepts.
  const unionPaths = new Map<string, RawError>();
  for (const e of errors) if (e.keyword === 'anyOf') unionPaths.set(e.instancePath, e); // last = outermost
  const noise = (e: RawError) => unionPaths.has(e.instancePath) && ['type', 'const', 'enum', 'anyOf'].includes(e.keyword);
  const specific = errors.filter((e) => !noise(e) && e.keyword !== 'boolean');
  const kept: RawError[] = [];
  for (const e of errors) {
    if (!noise(e) && e.keyword !== 'boolean') kept.push(e);
    const path = e.instancePath;
    if (unionPaths.get(path) === e && !specific.some((x) => x.instancePath === path || x.instancePath.startsWith(`${path}/`))) {
      // Nothing specific was said about this value: state what the union accepts, in document order.
      const msg = (schemaAt(schema, e.schemaPath)?.errorMessage as string | undefined) ?? 'has the wrong type';
      kept.push({ ...e, keyword: 'union', message: `${msg}, got ${show(valueAt(raw, path))}` });
    }
  }

  const issues: PolicyIssue[] = [];
  for (const e of kept) {
    if (e.keyword === 'required') {
      for (const k of e.params.requiredProperties as string[])
        issues.push({ path: dotted(raw, e.instancePath, k), message: 'is required' });
    } else if (e.keyword === 'additionalProperties') {
      const known = Object.keys((schemaAt(schema, e.schemaPath)?.properties as object | undefined) ?? {});
      for (const k of e.params.additionalProperties as string[]) {
        const guess = closest(k, known);
        issues.push({
          path: dotted(raw, e.instancePath, k),
          message: `is not a known setting${guess ? ` (did you mean "${guess}"?)` : ''}`,
        });
      }
    } else {
      issues.push({ path: dotted(raw, e.instancePath), message: describe(e, valueAt(raw, e.instancePath)) });
    }
  }
  return dedupe(issues);
}

function dedupe(issues: PolicyIssue[]): PolicyIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
