import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationKeyFor, loadTokenFile, parseTokens, TokenFileError, TokenStore } from '../../src/tokens';

test('authenticates known tokens only', () => {
  const store = new TokenStore([
    { token: 'integration-token-123456', role: 'integration', name: 'crm' },
    { token: 'technician-token-1234567', role: 'technician', technicianId: 't1001', name: 'Zhang' },
  ]);
  expect(store.authenticate('integration-token-123456')).toEqual({ role: 'integration', name: 'crm', idPrefix: 'crm' });
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
  expect(store.size).toBeGreaterThanOrEqual(4 + 16);
  expect(store.authenticate('demo-ops-5c1e8a7f2d9b4e60a3f1')?.role).toBe('ops');
  expect(store.authenticate('demo-callcentre-8d2f6b3a1e7c4905')).toEqual({ role: 'callcentre', name: 'call centre (demo)' });
});

describe('role callcentre (lifecycle 3: reports call-back outcomes only)', () => {
  test('is a known role, with neither a technicianId nor an idPrefix', () => {
    const store = new TokenStore(
      parseTokens([
        { token: 'callcentre-token-000001', role: 'callcentre', name: '回访中心' },
        { token: 'callcentre-token-000002', role: 'callcentre' },
      ]),
    );
    expect(store.authenticate('callcentre-token-000001')).toEqual({ role: 'callcentre', name: '回访中心' });
    // The name is optional, as for ops: the default names the role and position.
    expect(store.authenticate('callcentre-token-000002')).toEqual({ role: 'callcentre', name: 'callcentre#1' });
  });

  test('refuses the technician and integration fields, and lists it among the roles', () => {
    const message = (() => {
      try {
        parseTokens(
          [
            { token: 'callcentre-token-000001', role: 'callcentre', technicianId: 't1001' },
            { token: 'callcentre-token-000002', role: 'callcentre', idPrefix: 'cc' },
            { token: 'callcentre-token-000003', role: 'call_centre' },
          ],
          'tokens.json',
        );
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('expected a TokenFileError');
    })();
    expect(message).toBe(
      'invalid tokens:\n' +
        '  - tokens.json[0].technicianId: only for role technician\n' +
        '  - tokens.json[1].idPrefix: only for role integration\n' +
        '  - tokens.json[2].role: expected one of integration, technician, ops, callcentre, warehouse, supervisor',
    );
  });
});

test('unreadable or invalid JSON files are a TokenFileError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokens-'));
  writeFileSync(join(dir, 'bad.json'), '[{');
  expect(() => loadTokenFile(join(dir, 'bad.json'))).toThrow(/not valid JSON/);
  expect(() => loadTokenFile(join(dir, 'missing.json'))).toThrow(/cannot read/);
});

describe("integrations' names and keys (issue 16: a request's owner and its id)", () => {
  const entry = (i: number, more: Record<string, unknown>) => ({
    token: `integration-token-${String(i).padStart(6, '0')}`,
    role: 'integration',
    ...more,
  });

  test('the key is idPrefix, or the letters and digits of the name (1–16), or i + 8 hex digits of its SHA-256', () => {
    expect(integrationKeyFor('crm')).toBe('crm');
    expect(integrationKeyFor('Hotline (East)')).toBe('hotlineeast');
    expect(integrationKeyFor('客服热线')).toMatch(/^i[0-9a-f]{8}$/);
    expect(integrationKeyFor('bench integration 63')).toMatch(/^i[0-9a-f]{8}$/);
    expect(integrationKeyFor('客服热线')).not.toBe(integrationKeyFor('客服中心'));
    const store = new TokenStore(
      parseTokens([
        entry(1, { name: 'crm (demo)' }),
        entry(2, { name: 'hotline', idPrefix: 'HL' }),
        entry(3, { name: 'hotline', idPrefix: 'HL' }), // rotation: two tokens, one integration
        { token: 'ops-token-00000000001', role: 'ops', name: 'ops desk' },
      ]),
    );
    expect(store.authenticate('integration-token-000001')).toEqual({ role: 'integration', name: 'crm (demo)', idPrefix: 'crmdemo' });
    expect(store.authenticate('integration-token-000003')).toEqual({ role: 'integration', name: 'hotline', idPrefix: 'HL' });
    expect(store.authenticate('ops-token-00000000001')).toEqual({ role: 'ops', name: 'ops desk' });
  });

  test('refused: an integration without a usable name, a bad idPrefix, one name with two keys, two names with one key', () => {
    const problems = (entries: unknown[]): string => {
      try {
        parseTokens(entries, 'tokens.json');
      } catch (e) {
        expect(e).toBeInstanceOf(TokenFileError);
        return (e as Error).message;
      }
      throw new Error('expected a TokenFileError');
    };
    expect(problems([entry(1, {})])).toContain('tokens.json[0].name: required for role integration');
    expect(problems([entry(1, { name: "o'brien" })])).toContain('[0].name');
    expect(problems([entry(1, { name: 'crm', idPrefix: 'c-rm' })])).toContain('[0].idPrefix: expected 1–16 letters and digits');
    expect(problems([{ token: 'ops-token-00000000001', role: 'ops', name: 'ops', idPrefix: 'x' }])).toContain(
      '[0].idPrefix: only for role integration',
    );
    expect(problems([entry(1, { name: 'crm', idPrefix: 'a' }), entry(2, { name: 'crm', idPrefix: 'b' })])).toContain(
      'tokens of integration "crm" must share one idPrefix',
    );
    expect(problems([entry(1, { name: 'CRM' }), entry(2, { name: 'crm!' })])).toContain(
      'integrations "CRM" and "crm!" would share the id key "crm"',
    );
    expect(problems([entry(1, { name: 'crm' }), entry(2, { name: 'other', idPrefix: 'CRM' })])).toContain('would share the id key');
    expect(
      () =>
        new TokenStore([
          { token: 'integration-token-000001', role: 'integration', name: 'a', idPrefix: 'x' },
          { token: 'integration-token-000002', role: 'integration', name: 'b', idPrefix: 'X' },
        ]),
    ).toThrow(TokenFileError);
  });
});
