/**
 * Issue 4, acceptance 3: thousands of malformed or hostile requests (bodies, headers, ids, URLs) against
 * every route. Invariants: never a 5xx, never a stack trace, errors always in the API's error shape (docs/api.md), and the port's
 * start is reached only by requests that the API answers as a start (200/201/409).
 */
import fc from 'fast-check';
import { bearer, makeApp, NOW, PII, ratingToken, TOKENS, validBody, type TestApp } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp({ level: 'info' });
  t.port.seed({ requestId: 'sr-A1', status: 'assigned', technicianId: 't1001' });
  t.port.seed({ requestId: 'sr-C1', status: 'completed', technicianId: 't1001' });
});

const HOSTILE_STRINGS = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  '\u0000',
  '\uFFFF',
  '\uD800',
  '\u202Eevil',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  "t1001' OR WorkflowType != '",
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  'NaN',
  '-0',
  '1e309',
  '😀'.repeat(200),
  'x'.repeat(5000),
  '13800138000',
  '+8613800138000',
  'sr-A1',
  'sr-../A1',
  'sr-A1\r\nSet-Cookie: x=1',
];

/** Percent-encodes the UTF-8 bytes (lone surrogates included, unlike encodeURIComponent). */
function pct(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, [], {}, [[[]]]) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

const FIELD_PATHS = [
  ['type'],
  ['urgency'],
  ['channel'],
  ['vip'],
  ['externalId'],
  ['location'],
  ['location', 'lat'],
  ['customer'],
  ['customer', 'name'],
  ['customer', 'phone'],
  ['customer', 'address'],
  ['customer', 'language'],
  ['product', 'purchaseDate'],
  ['product', 'category'],
  ['product', 'model'],
  ['problem', 'description'],
  ['problem'],
  ['__proto__'],
  ['constructor', 'prototype'],
  ['extra'],
];

/** A valid start body with some fields replaced, removed or added. */
const mutatedStartBody = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...FIELD_PATHS), fc.option(hostileValue, { nil: undefined })), { minLength: 1, maxLength: 4 }),
    fc.stringMatching(/^[A-Z]{3}-[0-9]{1,6}$/),
  )
  .map(([mutations, key]) => {
    const body = JSON.parse(JSON.stringify(validBody({ externalId: key }))) as Record<string, unknown>;
    for (const [path, value] of mutations) {
      let o: Record<string, unknown> = body;
      for (const k of path.slice(0, -1)) {
        if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
        o = o[k] as Record<string, unknown>;
      }
      const last = path[path.length - 1]!;
      if (value === undefined) delete o[last];
      else Object.defineProperty(o, last, { value, enumerable: true, configurable: true, writable: true });
    }
    return JSON.stringify(body);
  });

const rawPayload = fc.oneof(
  { weight: 4, arbitrary: mutatedStartBody },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"__proto__":{"isAdmin":true}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '{"score":5,"token":"x","score":6}',
      '{"type":"repair"}garbage',
      '[',
      '{"a":' + '['.repeat(20000),
      '['.repeat(30000) + ']'.repeat(30000),
      '"' + 'x'.repeat(70000) + '"',
      '\uFEFF{}',
      'null',
      '0',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.constant(JSON.stringify(validBody({ externalId: 'VALID-1' }))) },
);

const ID_SEGMENTS = fc.oneof(
  fc.constantFrom(
    'sr-A1',
    'sr-C1',
    'sr-NOPE',
    'sr-',
    'A1',
    'sr-a%2Fb',
    'sr-%E0%A4%A',
    '%2e%2e',
    'sr-' + 'x'.repeat(200),
    'sr-a%00b',
    'sr-%F0%9F%98%80',
  ),
  hostileString.map(pct),
);

const ROUTE = fc.oneof(
  fc.constant({ method: 'POST' as const, path: '/v1/service-requests' }),
  fc.constant({ method: 'GET' as const, path: '/v1/service-requests' }),
  ID_SEGMENTS.map((id) => ({ method: 'GET' as const, path: `/v1/service-requests/${id}` })),
  fc
    .tuple(
      ID_SEGMENTS,
      fc.constantFrom(
        'assignment',
        'accept',
        'decline',
        'appointment',
        'arrival',
        'completion',
        'hold',
        'resume',
        'follow-up',
        'cancel',
        'feedback',
        'photos',
      ),
    )
    .map(([id, action]) => ({ method: 'POST' as const, path: `/v1/service-requests/${id}/${action}` })),
  ID_SEGMENTS.map((tok) => ({ method: 'GET' as const, path: `/r/${tok}` })),
  fc.constant({ method: 'GET' as const, path: `/r/${ratingToken('sr-C1')}` }),
  ID_SEGMENTS.map((tok) => ({ method: 'POST' as const, path: `/r/${tok}` })),
);

const QUERY = fc.oneof(
  fc.constant(''),
  fc
    .array(
      fc.tuple(
        fc.constantFrom('status', 'urgency', 'technicianId', 'escalated', 'cursor', 'pageSize', 'lang', 'sort', '__proto__'),
        hostileString,
      ),
      { maxLength: 4 },
    )
    .map((pairs) => '?' + pairs.map(([k, v]) => `${k}=${pct(v)}`).join('&')),
  fc.constantFrom(
    '?status=assigned&status=closed',
    '?pageSize=-1',
    '?pageSize=1e3',
    '?escalated=1',
    '?%zz=1',
    '?cursor=' + 'A'.repeat(3000),
  ),
);

const AUTH = fc.oneof(
  fc.constantFrom(...Object.values(TOKENS)).map((tok) => bearer(tok).authorization),
  fc.constantFrom(
    '',
    'Bearer',
    'Bearer ',
    'Basic dXNlcjpwYXNz',
    `bearer ${TOKENS.ops}`,
    `Bearer ${TOKENS.ops} extra`,
    `Bearer ${'x'.repeat(600)}`,
  ),
  hostileString.map((s) => `Bearer ${s}`),
);

const CONTENT_TYPE = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/JSON',
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  '',
  ';;;',
);

const HEADERS = fc.record(
  {
    authorization: AUTH,
    'content-type': CONTENT_TYPE,
    'idempotency-key': hostileString.map((s) => s.replace(/[^\t\x20-\x7e]/g, '?')),
    'x-request-id': hostileString.map((s) => s.replace(/[^\t\x20-\x7e]/g, '?')),
    'accept-language': fc.constantFrom('en', 'zh-CN,zh;q=0.9', 'q=;;,,', '*', 'x'.repeat(2000)),
  },
  { requiredKeys: [] },
);

interface Req {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

/** Anything goes: route, query, headers and body drawn independently. */
const randomRequest: fc.Arbitrary<Req> = fc.tuple(ROUTE, QUERY, HEADERS, rawPayload).map(([route, query, headers, payload]) => ({
  method: route.method,
  url: route.path + query,
  headers: headers as Record<string, string>,
  ...(route.method === 'POST' ? { payload } : {}),
}));

/** Authorised JSON starts with mutated bodies: gets past auth and content type, so validation is what is tested. */
const plausibleStart: fc.Arbitrary<Req> = fc
  .tuple(
    mutatedStartBody,
    fc.option(
      hostileString.map((s) => s.replace(/[^\t\x20-\x7e]/g, '?')),
      { nil: undefined },
    ),
  )
  .map(([payload, key]) => ({
    method: 'POST' as const,
    url: '/v1/service-requests',
    headers: {
      ...bearer(TOKENS.integration),
      'content-type': 'application/json',
      ...(key !== undefined ? { 'idempotency-key': key } : {}),
    },
    payload,
  }));

/** Authorised transitions with hostile bodies on known requests. */
const plausibleTransition: fc.Arbitrary<Req> = fc
  .tuple(
    fc.constantFrom(
      ['assignment', TOKENS.ops],
      ['cancel', TOKENS.ops],
      ['hold', TOKENS.ops],
      ['accept', TOKENS.tech1],
      ['appointment', TOKENS.tech1],
      ['completion', TOKENS.tech1],
      ['feedback', ''],
    ),
    fc.constantFrom('sr-A1', 'sr-C1'),
    fc.dictionary(
      fc.constantFrom('technicianId', 'reason', 'notes', 'at', 'resolved', 'score', 'comment', 'token', '__proto__'),
      hostileValue,
      { maxKeys: 4 },
    ),
  )
  .map(([[action, token], id, body]) => ({
    method: 'POST' as const,
    url: `/v1/service-requests/${id}/${action}`,
    headers: { ...(token ? bearer(token) : {}), 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  }));

const request = fc.oneof(
  { weight: 3, arbitrary: randomRequest },
  { weight: 2, arbitrary: plausibleStart },
  { weight: 1, arbitrary: plausibleTransition },
);

const STACK = /\n\s+at .+\(.+:\d+:\d+\)/;

test('≥1,000 hostile requests: no 5xx, no stack traces, the API error shape, nothing started by invalid input', async () => {
  let runs = 0;
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(request, async (req) => {
      runs++;
      const startsBefore = t.port.count('start');
      const res = await t.app.inject(req);
      const started = t.port.count('start') - startsBefore;
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);

      expect(res.statusCode).toBeLessThan(500);
      expect(res.body).not.toMatch(STACK);
      if (started > 0) {
        expect(req.url).toBe('/v1/service-requests');
        expect([200, 201, 409]).toContain(res.statusCode);
      }
      if (res.statusCode >= 400 && String(res.headers['content-type']).startsWith('application/json')) {
        const body = res.json();
        expect(Object.keys(body).sort()).toEqual(['details', 'error', 'message']);
        expect(Array.isArray(body.details)).toBe(true);
      }
      // Nothing the caller sent is echoed back unescaped into HTML.
      if (String(res.headers['content-type']).startsWith('text/html')) expect(res.body).not.toContain('<script>alert');
    }),
    { numRuns: 1500, seed: Number(process.env.FC_SEED ?? NOW % 2 ** 31) },
  );
  expect(runs).toBeGreaterThanOrEqual(1000);
  // The generator reaches past authentication and validation, not just the front door.
  for (const code of [200, 201, 400, 401, 403, 404, 409, 415])
    expect({ code, seen: (statuses.get(code) ?? 0) > 0 }).toEqual({ code, seen: true });
  if (process.env.FC_VERBOSE) console.log(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)));

  // Every input that reached start is normalised and valid.
  for (const c of t.port.calls) {
    if (c.method !== 'start') continue;
    expect(c.input.customer.phone).toMatch(/^\+\d{8,15}$/);
    expect(c.opts.requestId).toMatch(/^sr-[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/);
  }
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(PII.phone).toBe('13912345678');
}, 300_000);
