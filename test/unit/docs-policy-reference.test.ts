/**
 * The documentation keeps up with the code:
 * - docs/policy.md documents every field of the policy file's schema (and no field the schema no longer has);
 *   the complete example files in it are valid policies;
 * - the product documents itself: README.md, docs/ and the product's code point to no document outside
 *   the repository (the team's private brief).
 *
 * Field paths are dotted: `calendar.workingHours.start`; list items are `escalation[].phone`; maps keyed by an
 * urgency or a request type are `deadlines.dispatch.<urgency>` and `typeOverrides.<type>.resolution`; maps
 * with free keys (`dispatch.skillsByCategory`) are one field. docs/policy.md lists each path, backticked, in
 * the first column of the tables between its `policy-reference:begin` and `policy-reference:end` markers.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import YAML from 'yaml';
import { REQUEST_TYPES, URGENCIES } from '../../src/domain/types';

const ROOT = resolve(__dirname, '../..');
const POLICY_DOC = join(ROOT, 'docs/policy.md');

type Schema = Record<string, unknown>;

// ── Where the schema lives (src/domain/policy.ts, or src/policy/ once it has moved there) ──────────────

interface PolicyModule {
  schema: Schema;
  resolvePolicy?: (raw: unknown, source?: string) => unknown;
  file: string;
}

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The policy FILE's schema: an object schema with the file's top-level settings. */
function looksLikePolicyFileSchema(v: unknown): v is Schema {
  if (!isSchema(v) || v.type !== 'object' || !isSchema(v.properties)) return false;
  return ['version', 'deadlines', 'escalation', 'dispatch'].every((k) => k in (v.properties as Schema));
}

function candidateFiles(): string[] {
  const files: string[] = [];
  const dir = join(ROOT, 'src/policy');
  if (existsSync(dir) && statSync(dir).isDirectory()) {
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.ts') && !f.endsWith('.d.ts')) files.push(join(dir, f));
  }
  const legacy = join(ROOT, 'src/domain/policy.ts');
  if (existsSync(legacy)) files.push(legacy);
  return files;
}

async function findPolicyModule(): Promise<PolicyModule> {
  const problems: string[] = [];
  let found: PolicyModule | undefined;
  let resolver: PolicyModule['resolvePolicy'];
  for (const file of candidateFiles()) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(file)) as Record<string, unknown>;
    } catch (err) {
      problems.push(`${relative(ROOT, file)}: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    if (!resolver && typeof mod.resolvePolicy === 'function') resolver = mod.resolvePolicy as PolicyModule['resolvePolicy'];
    if (found) continue;
    const named = mod.PolicyFileSchema;
    const schema = looksLikePolicyFileSchema(named) ? named : Object.values(mod).find(looksLikePolicyFileSchema);
    if (schema) found = { schema, file };
  }
  if (!found)
    throw new Error(
      `no policy file schema found in ${
        candidateFiles()
          .map((f) => relative(ROOT, f))
          .join(', ') || '(no candidate files)'
      }\n${problems.join('\n')}`,
    );
  return { ...found, resolvePolicy: resolver };
}

// ── Schema → dotted paths ──────────────────────────────────────────────────────────────────────────────

/** The branches a value may take: anyOf / oneOf / allOf flattened (a refined union is still a union). */
function branches(node: Schema): Schema[] {
  const nested = [node.anyOf, node.oneOf, node.allOf].filter(Array.isArray).flat().filter(isSchema);
  return nested.length ? nested.flatMap(branches) : [node];
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && b.every((k) => a.includes(k));

/** A map keyed by a domain enumeration is documented once, with a placeholder key. */
function placeholderFor(keys: string[]): string | undefined {
  if (sameSet(keys, URGENCIES)) return '<urgency>';
  if (sameSet(keys, REQUEST_TYPES)) return '<type>';
  return undefined;
}

const join2 = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function visit(node: Schema, path: string, out: Set<string>): void {
  if (path) out.add(path);
  for (const b of branches(node)) children(b, path, out);
}

function children(node: Schema, path: string, out: Set<string>): void {
  if (isSchema(node.properties)) {
    const props = node.properties as Record<string, Schema>;
    const keys = Object.keys(props);
    const placeholder = placeholderFor(keys);
    if (placeholder) {
      for (const k of keys) visit(props[k] as Schema, join2(path, placeholder), out);
    } else {
      for (const k of keys) visit(props[k] as Schema, join2(path, k), out);
    }
  }
  // Free-keyed maps (Type.Record): one field, unless their values have fields of their own.
  const mapValues = [
    ...(isSchema(node.patternProperties) ? Object.values(node.patternProperties as Record<string, unknown>) : []),
    ...(isSchema(node.additionalProperties) ? [node.additionalProperties] : []),
  ].filter(isSchema);
  for (const v of mapValues) for (const b of branches(v)) children(b, join2(path, '<key>'), out);
  // Lists: the list is the field; the fields of its items are `list[].field`.
  if (isSchema(node.items)) for (const b of branches(node.items)) children(b, `${path}[]`, out);
}

function schemaPaths(schema: Schema): string[] {
  const out = new Set<string>();
  visit(schema, '', out);
  return [...out].sort();
}

// ── docs/policy.md → documented paths ─────────────────────────────────────────────────────────────────

const BEGIN = '<!-- policy-reference:begin -->';
const END = '<!-- policy-reference:end -->';

function documentedPaths(markdown: string): string[] {
  const start = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/policy.md has no reference section (${BEGIN} … ${END})`);
  const out = new Set<string>();
  for (const line of markdown.slice(start + BEGIN.length, end).split('\n')) {
    const row = line.trim();
    if (!row.startsWith('|') || /^\|[\s|:-]+\|?$/.test(row)) continue;
    const first = row.slice(1).split('|')[0] ?? '';
    for (const m of first.matchAll(/`([^`]+)`/g)) out.add((m[1] as string).trim());
  }
  return [...out].sort();
}

// ── Tests ─────────────────────────────────────────────────────────────────────────────────────────────

describe('docs/policy.md documents the policy file schema', () => {
  let mod: PolicyModule;
  let inSchema: string[];
  let inDocs: string[];
  let doc: string;

  beforeAll(async () => {
    mod = await findPolicyModule();
    inSchema = schemaPaths(mod.schema);
    doc = readFileSync(POLICY_DOC, 'utf8');
    inDocs = documentedPaths(doc);
  });

  test('the schema walk finds the fields (sanity)', () => {
    expect(inSchema).toEqual(
      expect.arrayContaining([
        'version',
        'calendar.workingHours.start',
        'deadlines.dispatch',
        'deadlines.dispatch.<urgency>',
        'escalation[].phone',
      ]),
    );
  });

  test('every field of the schema is in the reference', () => {
    const missing = inSchema.filter((p) => !inDocs.includes(p));
    if (missing.length) {
      throw new Error(
        `docs/policy.md does not document ${missing.length} field(s) of the policy schema (${relative(ROOT, mod.file)}):\n  ` +
          `${missing.join('\n  ')}\nAdd a row with the backticked path to a table of its reference section.`,
      );
    }
  });

  test('every field in the reference exists in the schema', () => {
    const stale = inDocs.filter((p) => !inSchema.includes(p));
    if (stale.length) {
      throw new Error(
        `docs/policy.md documents ${stale.length} field(s) the policy schema (${relative(ROOT, mod.file)}) does not have:\n  ` +
          `${stale.join('\n  ')}\nRemove or rename them.`,
      );
    }
  });

  test('its complete example policies are valid', () => {
    const examples = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string).filter((y) => /^version:/m.test(y));
    expect(examples.length).toBeGreaterThan(0);
    expect(mod.resolvePolicy).toBeDefined();
    for (const y of examples) expect(() => mod.resolvePolicy?.(YAML.parse(y), 'docs/policy.md example')).not.toThrow();
  });
});

// ── Nothing points outside the repository ─────────────────────────────────────────────────────────────

// Spelled in parts so that this file itself does not match a repository-wide search for them.
const BRIEF = 'SP' + 'EC';
const OUTSIDE = [
  // The brief by name, as an upper-case word: its file name, its section numbers ("… §4"), "the …'s error body".
  { what: BRIEF, re: new RegExp(`\\b${BRIEF}\\b`) },
  { what: '../' + 'shared', re: new RegExp('\\.\\./' + 'shared\\b') },
  { what: 'shared' + '/', re: new RegExp('(^|[^A-Za-z0-9_.-])' + 'sha' + 'red/') },
];
const TEXT_FILE = /\.(ts|js|mjs|cjs|md|ya?ml|json|html|css|txt|sh)$/;
/** The product's documentation and code, as a user of the repository sees them. */
const SCANNED = ['README.md', 'docs', 'src', 'workflows', 'activities', 'policy', 'scripts'];

function filesUnder(rel: string): string[] {
  const abs = join(ROOT, rel);
  if (!existsSync(abs)) return [];
  if (statSync(abs).isFile()) return [rel];
  return readdirSync(abs)
    .sort()
    .flatMap((name) => (name === 'node_modules' ? [] : filesUnder(join(rel, name))));
}

test('README.md, docs/ and the product code point to no document outside the repository', () => {
  const hits: string[] = [];
  for (const file of SCANNED.flatMap(filesUnder).filter((f) => TEXT_FILE.test(f))) {
    readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const found = OUTSIDE.filter((o) => o.re.test(line)).map((o) => o.what);
        if (found.length) hits.push(`${file}:${i + 1}: [${found.join(', ')}] ${line.trim().slice(0, 140)}`);
      });
  }
  if (hits.length) {
    throw new Error(
      `${hits.length} line(s) point to the team's brief instead of the repository's own docs/ ` +
        `(replace with a link to docs/…, or describe the rule itself):\n  ${hits.join('\n  ')}`,
    );
  }
});
