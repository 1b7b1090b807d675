/** Issue 16, finding 3: production refuses the demo API tokens by their content, whatever the file is called. */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkProductionSafety } from '../../src/api';
import { ConfigError, loadConfig } from '../../src/config';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { loadTokenFile, type TokenEntry } from '../../src/tokens';

const DEMO_FILE = join(PROJECT_ROOT, 'policy', 'tokens.demo.json');
const demo = JSON.parse(readFileSync(DEMO_FILE, 'utf8')) as TokenEntry[];
const dir = mkdtempSync(join(tmpdir(), 'aftercare-prod-tokens-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROD = { NODE_ENV: 'production' };
const own: TokenEntry[] = [
  { token: 'f3b1c9e2a7d84b06-own-crm-token', role: 'integration', name: 'crm' },
  { token: '9c2e51d84b067f3a-own-ops-token', role: 'ops', name: 'ops desk' },
];

function file(name: string, entries: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(entries));
  return path;
}

function check(path: string, env: NodeJS.ProcessEnv = PROD): void {
  checkProductionSafety({ ...loadConfig({}), tokensFile: path }, loadTokenFile(path), env);
}

test('a renamed copy of the demo file is refused in production', () => {
  const renamed = join(dir, 'tokens.json');
  copyFileSync(DEMO_FILE, renamed);
  expect(() => check(renamed)).toThrow(ConfigError);
  expect(() => check(renamed)).toThrow(/demo/);
});

test('one demo token among your own is refused too, named by its holder and never echoed', () => {
  const mixed = file('mixed.json', [...own, demo[2]]);
  let message = '';
  try {
    check(mixed);
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toMatch(/demo/);
  expect(message).toContain(demo[2]!.name);
  for (const d of demo) expect(message).not.toContain(d.token);
});

test('your own tokens pass; outside production the demo tokens are fine', () => {
  expect(() => check(file('own.json', own))).not.toThrow();
  expect(() => check(DEMO_FILE, { NODE_ENV: 'development' })).not.toThrow();
  expect(() => check(DEMO_FILE, {})).not.toThrow();
  expect(() => check(file('none.json', []))).toThrow(/no tokens/);
});
