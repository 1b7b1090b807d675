import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenFile, parseTokens, TokenFileError, TokenStore } from '../../src/tokens';

test('authenticates known tokens only', () => {
  const store = new TokenStore([
    { token: 'integration-token-123456', role: 'integration', name: 'crm' },
    { token: 'technician-token-1234567', role: 'technician', technicianId: 't1001', name: 'Zhang' },
  ]);
  expect(store.authenticate('integration-token-123456')).toEqual({ role: 'integration', name: 'crm' });
  expect(store.authenticate('technician-token-1234567')).toEqual({ role: 'technician', name: 'Zhang', technicianId: 't1001' });
  expect(store.authenticate('integration-token-12345')).toBeUndefined();
  expect(store.authenticate('')).toBeUndefined();
});

test('validates the file: one message per problem', () => {
  expect(() => parseTokens({})).toThrow(TokenFileError);
  try {
    parseTokens([
      { token: 'short', role: 'integration' },
      { token: 'long-enough-token-0001', role: 'admin' },
      { token: 'long-enough-token-0002', role: 'technician' },
      { token: 'long-enough-token-0002', role: 'ops', technicianId: 't1' },
    ]);
    throw new Error('expected a TokenFileError');
  } catch (e) {
    const msg = (e as Error).message;
    expect(msg).toContain('[0].token');
    expect(msg).toContain('[1].role');
    expect(msg).toContain('[2].technicianId');
    expect(msg).toContain('[3].token: duplicate');
    expect(msg).toContain('[3].technicianId: only for role technician');
    expect(msg).not.toContain('long-enough-token-0002'); // tokens are never echoed
  }
});

test('loads the demo file', () => {
  const store = loadTokenFile(join(__dirname, '../../policy/tokens.demo.json'));
  expect(store.size).toBeGreaterThanOrEqual(3 + 16);
  expect(store.authenticate('demo-ops-5c1e8a7f2d9b4e60a3f1')?.role).toBe('ops');
});

test('unreadable or invalid JSON files are a TokenFileError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokens-'));
  writeFileSync(join(dir, 'bad.json'), '[{');
  expect(() => loadTokenFile(join(dir, 'bad.json'))).toThrow(/not valid JSON/);
  expect(() => loadTokenFile(join(dir, 'missing.json'))).toThrow(/cannot read/);
});
