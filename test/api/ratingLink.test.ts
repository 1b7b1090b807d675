import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { isRatingTokenError, LINK_PATH, RATING_TOKEN_PATTERN, signRatingToken, verifyRatingToken } from '../../src/ratingLink';

const SECRET = 'unit-secret';
const NOW = Date.parse('2025-06-01T00:00:00Z');
const payload = { requestId: 'sr-CRM-10023', tokenId: '3f2a9c1e-7b1d-4b8e-9a51-2c6d0e4f8a11', expiresAt: '2025-06-08T00:00:00.000Z' };

test('round trip', () => {
  const token = signRatingToken(payload, SECRET);
  expect(token).toMatch(RATING_TOKEN_PATTERN);
  expect(token.length).toBeLessThan(160);
  expect(verifyRatingToken(token, SECRET, NOW)).toEqual(payload);
});

test('expired at and after expiresAt', () => {
  const token = signRatingToken(payload, SECRET);
  expect(verifyRatingToken(token, SECRET, Date.parse(payload.expiresAt))).toEqual({ error: 'expired' });
  expect(verifyRatingToken(token, SECRET, Date.parse(payload.expiresAt) - 1)).toEqual(payload);
});

test('another secret or a changed payload: bad_signature', () => {
  const token = signRatingToken(payload, SECRET);
  expect(verifyRatingToken(token, 'other', NOW)).toEqual({ error: 'bad_signature' });
  const [p, sig] = token.split('.');
  const forged = Buffer.from(JSON.stringify(['sr-OTHER', payload.tokenId, payload.expiresAt])).toString('base64url');
  expect(verifyRatingToken(`${forged}.${sig}`, SECRET, NOW)).toEqual({ error: 'bad_signature' });
  expect(verifyRatingToken(`${p}.${sig!.slice(0, -1)}A`, SECRET, NOW)).toEqual({ error: 'bad_signature' });
});

test('malformed', () => {
  for (const t of ['', 'abc', 'a.b', 'a.b.c', `${'x'.repeat(600)}.${'y'.repeat(22)}`, 'a b.cccccccccccccccccccccc']) {
    expect(verifyRatingToken(t, SECRET, NOW)).toEqual({ error: 'malformed' });
  }
  // Correctly signed but not our payload shape.
  const sign = (body: unknown) => {
    const p = Buffer.from(JSON.stringify(body)).toString('base64url');
    const sig = createHmac('sha256', SECRET).update(`aftercare-rating-v1.${p}`).digest().subarray(0, 16).toString('base64url');
    return `${p}.${sig}`;
  };
  expect(verifyRatingToken(sign({ requestId: 'sr-A' }), SECRET, NOW)).toEqual({ error: 'malformed' });
  expect(verifyRatingToken(sign(['../x', 't', payload.expiresAt]), SECRET, NOW)).toEqual({ error: 'malformed' });
  expect(verifyRatingToken(sign(['sr-A', 't', 'never']), SECRET, NOW)).toEqual({ error: 'malformed' });
});

test('refuses to sign nonsense', () => {
  expect(() => signRatingToken({ ...payload, requestId: 'CRM-1' }, SECRET)).toThrow();
  expect(() => signRatingToken({ ...payload, tokenId: 'a/b' }, SECRET)).toThrow();
  expect(() => signRatingToken({ ...payload, expiresAt: 'soon' }, SECRET)).toThrow();
  expect(() => signRatingToken(payload, '')).toThrow();
});

test('property: any string verifies to an error or to exactly what was signed', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      const r = verifyRatingToken(s, SECRET, NOW);
      expect(isRatingTokenError(r)).toBe(true);
    }),
    { numRuns: 500 },
  );
});

test('one spelling per token: unused bits in the last base64url character are refused', () => {
  const token = signRatingToken(payload, SECRET);
  const [p, sig] = token.split('.') as [string, string];
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // 16 signature bytes = 128 bits in 22 characters (132 bits): the last character's low 4 bits are padding.
  const spellings = [...alphabet]
    .map((c) => `${p}.${sig.slice(0, -1)}${c}`)
    .filter((t) => Buffer.from(t.split('.')[1]!, 'base64url').equals(Buffer.from(sig, 'base64url')));
  expect(spellings).toHaveLength(16);
  const accepted = spellings.filter((t) => !isRatingTokenError(verifyRatingToken(t, SECRET, NOW)));
  expect(accepted).toEqual([token]);
  // Padding or other decorations are not the token either.
  expect(isRatingTokenError(verifyRatingToken(`${token}=`, SECRET, NOW))).toBe(true);
});

test('purposes are signed: a status token opens no rating, quote or report page, and none of theirs opens the status page', () => {
  const purposes = ['rating', 'quote', 'report', 'status'] as const;
  const status = { ...payload, tokenId: 'status-zh', expiresAt: '2025-12-01T00:00:00.000Z' };
  for (const made of purposes) {
    const token = signRatingToken(status, SECRET, made);
    for (const opened of purposes) {
      expect({ made, opened, result: verifyRatingToken(token, SECRET, NOW, opened) }).toEqual({
        made,
        opened,
        result: made === opened ? status : { error: 'bad_signature' },
      });
    }
  }
  // The same request, token id and expiry: the same link every time (the activity's retries, the status page's report link).
  expect(signRatingToken(status, SECRET, 'status')).toBe(signRatingToken({ ...status }, SECRET, 'status'));
  expect(LINK_PATH.status).toBe('s');
});
