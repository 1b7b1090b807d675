/**
 * API bearer tokens (AFTERCARE_TOKENS): a JSON array of `{ token, role, technicianId?, name, idPrefix? }`.
 * Tokens are kept only as SHA-256 digests in memory and compared in constant time: every entry is compared,
 * so the time taken does not depend on which one (if any) matched.
 *
 * An integration's `name` owns the requests its tokens start (issue 16): tokens with the same name are one
 * integration (rotation), and its key in request ids (`sr-<key>-<externalId>`) is `idPrefix` or derived from the
 * name (integrationKeyFor), distinct for every integration.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROLES, type Role } from './domain/roles';
import { PROJECT_ROOT } from './temporal/binaries';
import { INTEGRATION_KEY_PATTERN, INTEGRATION_NAME_PATTERN } from './temporal/ids';

// One list of roles, shared with the lifecycle's action table (src/domain/roles.ts): a token's role is always one
// the routes grant or refuse by name.
export { ROLES, type Role };

export interface Principal {
  role: Role;
  /** Who holds the token, for logs and audit ("crm", "hotline", technician's id). */
  name: string;
  /** Set for technicians: the only requests they may act on are those assigned to this id. */
  technicianId?: string;
  /** Set for integrations: their key in request ids, `sr-<idPrefix>-<externalId>` (INTEGRATION_KEY_PATTERN). */
  idPrefix?: string;
}

export interface TokenEntry extends Principal {
  token: string;
}

export class TokenFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenFileError';
  }
}

const MIN_TOKEN_LENGTH = 16;
/** The demo token file shipped for development (`npm start`); production refuses its tokens by content. */
export const DEMO_TOKENS_FILE = resolve(PROJECT_ROOT, 'policy', 'tokens.demo.json');
/** Every demo token starts with it: a copied or edited demo file is recognised even without the original. */
export const DEMO_TOKEN_MARKER = 'demo-';
const TECHNICIAN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The key of an integration without an `idPrefix` (docs/roster-and-tokens.md): the letters and digits of its
 * name, lower-cased, when there are 1–16 of them (`crm` → `crm`, `Hotline (East)` → `hotlineeast`); otherwise
 * `i` + the first 8 hex digits of the SHA-256 of the name.
 */
export function integrationKeyFor(name: string): string {
  const plain = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (plain.length >= 1 && plain.length <= 16) return plain;
  return `i${createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8)}`;
}

/** Every integration's key by name; problems when one name has two keys or two names share a key. */
function integrationKeys(entries: readonly { role: Role; name: string; idPrefix?: string }[], at: (i: number) => string) {
  const keys = new Map<string, string>();
  const problems: string[] = [];
  entries.forEach((e, i) => {
    if (e.role !== 'integration') return;
    const key = e.idPrefix ?? integrationKeyFor(e.name);
    const known = keys.get(e.name);
    if (known !== undefined && known !== key) {
      problems.push(`${at(i)}.idPrefix: tokens of integration "${e.name}" must share one idPrefix (${known} or ${key})`);
    } else keys.set(e.name, key);
  });
  const byKey = new Map<string, string>();
  for (const [name, key] of keys) {
    const other = byKey.get(key.toLowerCase());
    if (other !== undefined) {
      problems.push(`integrations "${other}" and "${name}" would share the id key "${key}"; give one of them its own idPrefix`);
    } else byKey.set(key.toLowerCase(), name);
  }
  return { keys, problems };
}

export class TokenStore {
  private readonly entries: { digest: Buffer; principal: Principal; demo: boolean }[];

  constructor(entries: TokenEntry[]) {
    const { keys, problems } = integrationKeys(entries, (i) => `tokens[${i}]`);
    if (problems.length) throw new TokenFileError(`invalid tokens:\n  - ${problems.join('\n  - ')}`);
    this.entries = entries.map((e) => ({
      digest: digest(e.token),
      demo: e.token.startsWith(DEMO_TOKEN_MARKER),
      principal: Object.freeze({
        role: e.role,
        name: e.name,
        ...(e.technicianId ? { technicianId: e.technicianId } : {}),
        ...(e.role === 'integration' ? { idPrefix: keys.get(e.name) } : {}),
      }),
    }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The principal holding `token`, or undefined. */
  authenticate(token: string): Principal | undefined {
    const d = digest(token);
    let found: Principal | undefined;
    for (const e of this.entries) {
      if (timingSafeEqual(d, e.digest) && !found) found = e.principal;
    }
    return found;
  }

  /**
   * Names of the holders of demo tokens: entries carrying the demo marker, or whose token is one of `demoFile`'s
   * (compared by content, so a renamed copy is caught too). Never the tokens themselves.
   */
  demoHolders(demoFile: string = DEMO_TOKENS_FILE): string[] {
    const holders = new Set(this.entries.filter((e) => e.demo).map((e) => e.principal.name));
    let demo: TokenEntry[] = [];
    try {
      demo = parseTokens(JSON.parse(readFileSync(demoFile, 'utf8')), demoFile);
    } catch {
      // Not shipped or unreadable: the marker check above still applies.
    }
    for (const d of demo) {
      const p = this.authenticate(d.token);
      if (p) holders.add(p.name);
    }
    return [...holders];
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Validates the parsed file; one message per problem. */
export function parseTokens(raw: unknown, source = 'tokens file'): TokenEntry[] {
  if (!Array.isArray(raw)) throw new TokenFileError(`${source}: expected a JSON array of { token, role, technicianId?, name, idPrefix? }`);
  const problems: string[] = [];
  const seen = new Set<string>();
  const out: TokenEntry[] = [];
  raw.forEach((item: unknown, i) => {
    const at = `${source}[${i}]`;
    if (typeof item !== 'object' || item === null) {
      problems.push(`${at}: expected an object`);
      return;
    }
    const e = item as Record<string, unknown>;
    const { token, role, technicianId, name, idPrefix } = e;
    if (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
      problems.push(`${at}.token: expected at least ${MIN_TOKEN_LENGTH} characters without spaces`);
    } else if (seen.has(token)) {
      problems.push(`${at}.token: duplicate token`);
    } else seen.add(token);
    if (!(ROLES as readonly unknown[]).includes(role)) problems.push(`${at}.role: expected one of ${ROLES.join(', ')}`);
    if (role === 'technician' && (typeof technicianId !== 'string' || !TECHNICIAN_ID.test(technicianId))) {
      problems.push(`${at}.technicianId: required for role technician`);
    }
    if (role !== 'technician' && technicianId !== undefined) problems.push(`${at}.technicianId: only for role technician`);
    if (name !== undefined && typeof name !== 'string') problems.push(`${at}.name: expected a string`);
    // The name owns the integration's requests: a default by position would hand them to whoever comes next.
    if (role === 'integration' && (typeof name !== 'string' || !INTEGRATION_NAME_PATTERN.test(name) || !name.trim())) {
      problems.push(
        `${at}.name: required for role integration (it owns the requests the token starts): 1–100 characters, no quotes, backslashes or control characters`,
      );
    }
    if (idPrefix !== undefined && role !== 'integration') problems.push(`${at}.idPrefix: only for role integration`);
    else if (idPrefix !== undefined && (typeof idPrefix !== 'string' || !INTEGRATION_KEY_PATTERN.test(idPrefix))) {
      problems.push(`${at}.idPrefix: expected 1–16 letters and digits`);
    }
    out.push({
      token: token as string,
      role: role as Role,
      name: typeof name === 'string' && name ? name : `${String(role)}#${i}`,
      ...(typeof technicianId === 'string' ? { technicianId } : {}),
      ...(role === 'integration' && typeof idPrefix === 'string' ? { idPrefix } : {}),
    });
  });
  if (!problems.length) problems.push(...integrationKeys(out, (i) => `${source}[${i}]`).problems);
  if (problems.length) throw new TokenFileError(`invalid tokens:\n  - ${problems.join('\n  - ')}`);
  return out;
}

export function loadTokenFile(path: string): TokenStore {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TokenFileError(`cannot read tokens file ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TokenFileError(`tokens file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return new TokenStore(parseTokens(raw, path));
}
