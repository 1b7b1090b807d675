/**
 * `npm start`'s codec key file (src/codec/keyFile.ts): created once with mode 0600, reused, validated, never echoed.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AesGcmCodec, parseCodecKeys } from '../../src/codec';
import { CodecKeyFileError, loadOrCreateCodecKeyFile, readCodecKeyFile } from '../../src/codec/keyFile';
import { loadConfig } from '../../src/config';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aftercare-keyfile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (p: string) => statSync(p).mode & 0o777;

test('creates a 32-byte key on the first start, 0600 in a new 0700 directory, and reuses it afterwards', () => {
  const path = join(dir, 'var', 'codec-keys');
  expect(readCodecKeyFile(path)).toBeUndefined();
  const first = loadOrCreateCodecKeyFile(path, new Date('2026-11-25T08:00:00Z'));
  expect(first.created).toBe(true);
  expect(first.keys).toHaveLength(1);
  expect(first.keys[0]!.id).toBe('dev-20261125');
  expect(first.keys[0]!.key).toHaveLength(32);
  expect(mode(path)).toBe(0o600);
  expect(mode(join(dir, 'var'))).toBe(0o700);
  // No temporary file left behind.
  expect(readdirSync(join(dir, 'var'))).toEqual(['codec-keys']);
  // The value the worker and API get is a valid AFTERCARE_CODEC_KEYS.
  expect(parseCodecKeys(first.envValue)).toEqual(first.keys);

  const again = loadOrCreateCodecKeyFile(path);
  expect(again.created).toBe(false);
  expect(again.keys).toEqual(first.keys);
  // Another directory gets another key.
  const other = loadOrCreateCodecKeyFile(join(dir, 'other', 'codec-keys'));
  expect(other.keys[0]!.key.equals(first.keys[0]!.key)).toBe(false);
});

test('what one start encrypts, the next start decrypts', async () => {
  const path = join(dir, 'codec-keys');
  const a = new AesGcmCodec(loadOrCreateCodecKeyFile(path).keys);
  const [sealed] = await a.encode([
    { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('"陈静"') },
  ]);
  expect(Buffer.from(sealed!.data!).toString('utf8')).not.toContain('陈静');
  const b = new AesGcmCodec(loadOrCreateCodecKeyFile(path).keys);
  const [opened] = await b.decode([sealed!]);
  expect(Buffer.from(opened!.data!).toString('utf8')).toBe('"陈静"');
});

test('reads comments, several lines (rotation) and tightens a file others can read', () => {
  const path = join(dir, 'codec-keys');
  const k2 = Buffer.alloc(32, 2).toString('base64');
  const k1 = Buffer.alloc(32, 1).toString('base64');
  writeFileSync(path, `# rotated\nk2:${k2}\n\nk1:${k1}\n`, { mode: 0o644 });
  chmodSync(path, 0o644);
  const file = readCodecKeyFile(path)!;
  expect(file.keys.map((k) => k.id)).toEqual(['k2', 'k1']);
  expect(file.tightened).toBe(true);
  expect(mode(path)).toBe(0o600);
  expect(readCodecKeyFile(path)!.tightened).toBe(false);
});

test('refuses a damaged file with its path, never its content', () => {
  const path = join(dir, 'codec-keys');
  writeFileSync(path, 'dev:c2hvcnQta2V5LW1hdGVyaWFs\n', { mode: 0o600 });
  expect(() => loadOrCreateCodecKeyFile(path)).toThrow(CodecKeyFileError);
  try {
    loadOrCreateCodecKeyFile(path);
  } catch (err) {
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).not.toContain('c2hvcnQta2V5LW1hdGVyaWFs');
  }
  // The damaged file is left alone: a new key would make its histories unreadable.
  expect(readFileSync(path, 'utf8')).toBe('dev:c2hvcnQta2V5LW1hdGVyaWFs\n');
  writeFileSync(path, '# nothing here\n');
  expect(() => readCodecKeyFile(path)).toThrow(/no key/);
});

test('AFTERCARE_CODEC_KEY_FILE names the file; the default is var/codec-keys in the project', () => {
  expect(loadConfig({}).codec.keyFile).toMatch(/\/var\/codec-keys$/);
  expect(loadConfig({ AFTERCARE_CODEC_KEY_FILE: join(dir, 'k') }).codec.keyFile).toBe(join(dir, 'k'));
});
