/**
 * The embedded stack's codec key (`npm start` with no AFTERCARE_CODEC_KEYS): created on the first start in a file
 * under var/ (git-ignored), readable by its owner only (0600), and reused by every later start, so customer data
 * in the histories of `var/temporal.db` is encrypted out of the box and stays readable across restarts.
 *
 * The file holds the same list as AFTERCARE_CODEC_KEYS, one `<keyId>:<base64 32 bytes>` per line (or comma-separated),
 * first key encrypts; lines starting with `#` are comments. Rotating: add a new line at the top, keep the old ones.
 * Nothing here ever prints key material.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CodecKeyError, parseCodecKeys, type CodecKey } from './keys';

export class CodecKeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecKeyFileError';
  }
}

export interface CodecKeyFile {
  keys: CodecKey[];
  /** The keys as an AFTERCARE_CODEC_KEYS value, for the stack's worker and API processes. */
  envValue: string;
  /** The file was created by this call. */
  created: boolean;
  /** The file was readable by others and has been set to 0600. */
  tightened: boolean;
}

/** Key lines of the file's text (comments and blank lines dropped). */
function keyList(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .join(',');
}

function parse(path: string, text: string): CodecKey[] {
  let keys: CodecKey[];
  try {
    keys = parseCodecKeys(keyList(text));
  } catch (err) {
    if (err instanceof CodecKeyError) throw new CodecKeyFileError(`${path}: ${err.problems.join('; ')}`);
    throw err;
  }
  if (!keys.length) throw new CodecKeyFileError(`${path}: no key in the file (expected <keyId>:<base64 32 bytes>)`);
  return keys;
}

const toEnv = (keys: CodecKey[]): string => keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');

/** Reads an existing key file; undefined when there is none. Tightens its mode to 0600 when others could read it. */
export function readCodecKeyFile(path: string): CodecKeyFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CodecKeyFileError(`${path}: cannot read the codec key file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const keys = parse(path, text);
  let tightened = false;
  if ((statSync(path).mode & 0o077) !== 0) {
    chmodSync(path, 0o600);
    tightened = true;
  }
  return { keys, envValue: toEnv(keys), created: false, tightened };
}

/**
 * The key file's keys; on the first call for `path`, a new random key written there first. Creation is atomic
 * (a complete temporary file hard-linked into place), so two stacks starting at once agree on one key.
 */
export function loadOrCreateCodecKeyFile(path: string, now: Date = new Date()): CodecKeyFile {
  const existing = readCodecKeyFile(path);
  if (existing) return existing;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const id = `dev-${now.toISOString().slice(0, 10).replace(/-/g, '')}`;
  const text = [
    `# PII codec key of the embedded stack (npm start), created ${now.toISOString()}.`,
    '# Histories written with it cannot be read without it: keep it, never commit or share it.',
    '# Same format as AFTERCARE_CODEC_KEYS (which overrides this file): the first key encrypts, all decrypt;',
    '# to rotate, add a new <keyId>:<base64 32 bytes> line at the top and keep the old ones.',
    `${id}:${randomBytes(32).toString('base64')}`,
    '',
  ].join('\n');
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
  try {
    chmodSync(tmp, 0o600); // whatever the umask
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Another process created it first: use theirs.
    const theirs = readCodecKeyFile(path);
    if (theirs) return theirs;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
  const keys = parse(path, text);
  return { keys, envValue: toEnv(keys), created: true, tightened: false };
}
