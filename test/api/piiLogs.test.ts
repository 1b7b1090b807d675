/**
 * Issue 4, acceptance 6: no phone number, name or address in clear text in the API's logs. Every test file
 * that uses ./support checks its own captured log lines in afterAll; this one drives the PII-heavy paths at
 * trace level and checks the masking explicitly.
 */
import { createLogger, maskPhone } from '../../src/logger';
import { bearer, expectNoPii, makeApp, PII, TOKENS, validBody } from './support';

test('a full run at trace level logs masked phones and no names or addresses', async () => {
  const t = await makeApp({ level: 'trace' });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/service-requests',
      headers: { ...bearer(TOKENS.integration), ...headers },
      payload: body as object,
    });

  expect((await post(validBody())).statusCode).toBe(201);
  expect((await post(validBody())).statusCode).toBe(200);
  expect((await post(validBody({ urgency: 'normal' }))).statusCode).toBe(409);
  const alt = validBody({
    externalId: 'ALT-1',
    customer: { name: PII.altName, phone: PII.altPhone, address: PII.altAddress, language: 'en' },
  });
  expect((await post(alt)).statusCode).toBe(201);
  // Invalid bodies carrying PII: the 400 names fields, the logs name nothing.
  expect((await post(validBody({ customer: { name: PII.name, phone: 'call me', address: PII.address } }))).statusCode).toBe(400);
  expect((await post({ ...validBody(), surprise: PII.phone })).statusCode).toBe(400);
  expect(
    (
      await t.app.inject({
        method: 'POST',
        url: '/v1/service-requests',
        headers: { ...bearer(TOKENS.integration), 'content-type': 'application/json' },
        payload: `{"customer":{"name":"${PII.name}"`,
      })
    ).statusCode,
  ).toBe(400);
  // PII in URLs and headers (misuse by a caller) is not logged either.
  await t.app.inject({ method: 'GET', url: `/v1/service-requests?technicianId=${PII.phone}`, headers: bearer(TOKENS.ops) });
  await t.app.inject({
    method: 'GET',
    url: `/v1/service-requests/sr-${PII.phone}`,
    headers: { ...bearer(TOKENS.ops), 'x-request-id': PII.phone },
  });
  t.port.unavailable = true;
  expect((await post(validBody({ externalId: 'DOWN-1' }))).statusCode).toBe(503);

  const text = t.logs.join('');
  expect(text.length).toBeGreaterThan(1000);
  expect(text).toContain('139****5678');
  expect(text).toContain('139****4321');
  expectNoPii(t.logs);
});

test('logger redaction: customer objects, nested phones and recipients', () => {
  const lines: string[] = [];
  const log = createLogger('info', { write: (l: string) => lines.push(l) });
  log.info({ customer: { name: PII.name, phone: PII.phone, address: PII.address } }, 'customer');
  log.info({ request: { customer: { name: PII.name, phone: '+8613912345678', address: PII.address } } }, 'nested');
  log.info({ to: '+8613912345678', phone: '13912345678', name: PII.name, address: PII.address }, 'top level');
  log.info({ sms: { to: '+8613987654321' } }, 'recipient');
  expectNoPii(lines);
  expect(lines.join('')).toContain('139****5678');
  expect(maskPhone('+8613800138000')).toBe('138****8000');
  expect(maskPhone(undefined)).toBe('[redacted]');
});
