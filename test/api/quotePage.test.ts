/**
 * The customer's quote page (lifecycle 4): `GET /q/<token>` shows the pending quote (zh / en, lines and amounts
 * in yuan, the deadline in the policy's time zone) with Approve / Decline; `POST /q/<token>` sends
 * `quoteResponse` with the link's token id and no principal, and shows the result (declined: the visit fee).
 * Forged, expired, used or no longer pending links get a friendly page with 404, 410 or 409 — never a 500.
 */
import { RejectedTransitionError } from '../../src/api/port';
import { formatTime, renderQuote } from '../../src/api/quote/page';
import type { ServiceRequestState } from '../../workflows/messages';
import { bearer, NOW, ratingToken } from './support';
import { makeV4App, quoteToken, V4_TOKENS as T, type V4App } from './v4App';

type Quote = NonNullable<ServiceRequestState['quotes']>[number];

let t: V4App;
beforeAll(async () => {
  t = await makeV4App();
});
afterAll(async () => {
  await t?.close();
});

const HOUR = 3_600_000;
const EXPIRES = new Date(NOW + 48 * HOUR).toISOString(); // 2025-06-03T02:00Z = 10:00 in Shanghai
const QUOTE: Quote = {
  id: 'Q1',
  at: new Date(NOW).toISOString(),
  by: 'tech t1001 (technician)',
  lines: [
    {
      kind: 'labour',
      ref: 'GAS-IGNITION',
      name: { zh: '点火系统维修', en: 'Ignition system repair' },
      quantity: 1,
      unitPrice: 8000,
      amount: 8000,
    },
    { kind: 'part', ref: 'GWH-TC-01', name: { zh: '热电偶', en: 'Thermocouple' }, quantity: 1, unitPrice: 3500, amount: 3500 },
  ],
  labour: 8000,
  parts: 3500,
  total: 11500,
  currency: 'CNY',
  note: '含旧件回收',
  expiresAt: EXPIRES,
};

let n = 0;
/** A request waiting for the customer's decision on QUOTE (each test its own). */
function pending(more: Partial<ServiceRequestState> = {}): string {
  const requestId = `sr-Q-${++n}`;
  t.port.seed({ requestId, status: 'quote_pending', technicianId: 't1001', quotes: [structuredClone(QUOTE)], ...more });
  return requestId;
}

const open = (token: string, headers: Record<string, string> = {}, qs = '') =>
  t.app.inject({ method: 'GET', url: `/q/${token}${qs}`, headers });
const answer = (token: string, form: string, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: `/q/${token}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: form,
  });
const updatesTo = (id: string) => t.port.calls.filter((c) => c.method === 'update' && c.id === id);

describe('GET /q/:token', () => {
  test('200: the quote in Chinese by default — lines, amounts in yuan, the deadline, Approve / Decline', async () => {
    const id = pending();
    const token = quoteToken(id);
    const res = await open(token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('<html lang="zh-CN">');
    expect(res.body).toContain('请确认维修报价');
    expect(res.body).toContain(`<strong>Q-${n}</strong>`);
    for (const text of [
      '点火系统维修',
      'GAS-IGNITION',
      '热电偶',
      '80.00',
      '35.00',
      '115.00',
      '人工费',
      '配件费',
      '合计',
      '金额单位：元',
      '含旧件回收',
    ]) {
      expect(res.body).toContain(text);
    }
    expect(res.body).toMatch(/<tr class="total"><th colspan="3" scope="row">合计<\/th><td class="num">115\.00<\/td><\/tr>/);
    expect(res.body).toContain('请于 2025年6月3日（周二）10:00 前确认。');
    expect(res.body).toContain(`<form id="quote" method="post" action="/q/${token}?lang=zh">`);
    expect(res.body).toContain('<button type="submit" name="approved" value="true" class="approve">同意报价，继续维修</button>');
    expect(res.body).toContain('<button type="submit" name="approved" value="false" class="decline">拒绝报价</button>');
    expect(res.body).toContain('<link rel="stylesheet" href="/r/assets/rating.css">');
    expect(res.body).toContain('<link rel="stylesheet" href="/q/assets/quote.css">');
    expect(res.body).not.toContain('<script');
    // Reading the page changes nothing.
    expect(updatesTo(id)).toHaveLength(0);
  });

  test('English by Accept-Language or ?lang=en: English names and the deadline in English', async () => {
    const token = quoteToken(pending());
    const en = await open(token, { 'accept-language': 'en-GB,en;q=0.9' });
    expect(en.statusCode).toBe(200);
    expect(en.body).toContain('<html lang="en">');
    for (const text of [
      'Please review the repair quote',
      'Ignition system repair',
      'Thermocouple',
      '115.00',
      'Amounts in CNY',
      'Approve and repair',
    ]) {
      expect(en.body).toContain(text);
    }
    expect(en.body).toContain('Please decide by Tue 3 Jun 2025, 10:00.');
    expect(en.body).not.toContain('点火系统维修');
    const forced = await open(token, { 'accept-language': 'zh-CN' }, '?lang=en&utm_source=sms');
    expect(forced.body).toContain('<html lang="en">');
    expect(forced.body).toContain(`action="/q/${token}?lang=en"`);
  });

  test('security like the rating page: CSP without inline scripts, no framing, no referrer, not indexed', async () => {
    const res = await open(quoteToken(pending()));
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-robots-tag']).toBe('noindex');
    expect(res.body).toContain('<meta name="referrer" content="no-referrer">');
  });

  test('the stylesheet', async () => {
    const css = await t.app.inject({ method: 'GET', url: '/q/assets/quote.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toContain('text/css');
    expect(css.body).toContain('table.lines');
  });

  test('forged, garbage, another secret, a rating link, unknown request: 404 "not valid" page, never JSON', async () => {
    const id = pending();
    const good = quoteToken(id);
    for (const token of [
      `${good.slice(0, -3)}xyz`,
      'abc',
      '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      'x'.repeat(900),
      quoteToken(id, { secret: 'another-secret' }),
      ratingToken(id),
      quoteToken('sr-Q-UNKNOWN'),
    ]) {
      const res = await open(token);
      expect({ token, status: res.statusCode }).toEqual({ token, status: 404 });
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('报价链接无效');
      expect(res.body).not.toContain('<script>alert');
    }
    const en = await open('abc', { 'accept-language': 'en' });
    expect(en.body).toContain('This quote link is not valid');
  });

  test('expired: 410 page telling the customer to call the hotline', async () => {
    const res = await open(quoteToken(pending(), { expiresAt: new Date(NOW - 1).toISOString() }), { 'accept-language': 'en' });
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain('This quote link has expired');
    expect(res.body).toContain('call our hotline');
  });

  test('already answered, or no longer waiting for a decision: 409 page', async () => {
    const decided = pending({
      status: 'on_site',
      quotes: [{ ...QUOTE, decision: { approved: true, at: new Date(NOW).toISOString(), via: 'phone', by: 'ops desk (ops)' } }],
    });
    const cancelled = pending({ status: 'cancelled' });
    const noQuote = pending({ quotes: [] });
    for (const id of [decided, cancelled, noQuote]) {
      const res = await open(quoteToken(id));
      expect({ id, status: res.statusCode }).toEqual({ id, status: 409 });
      expect(res.body).toContain('该报价已处理');
    }
  });

  test('a second quote after a decided first one: the page shows the pending one', async () => {
    const first = { ...QUOTE, decision: { approved: true, at: new Date(NOW).toISOString(), via: 'link' as const } };
    const second = { ...QUOTE, id: 'Q2', lines: [QUOTE.lines[1]!], labour: 0, parts: 3500, total: 3500, note: undefined };
    const res = await open(quoteToken(pending({ quotes: [first, second] })));
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('点火系统维修');
    expect(res.body).toMatch(/合计<\/th><td class="num">35\.00</);
  });

  test('Temporal down: 503 page with Retry-After', async () => {
    const token = quoteToken(pending());
    t.port.unavailable = true;
    try {
      const res = await open(token);
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toContain('服务暂时不可用');
    } finally {
      t.port.unavailable = false;
    }
  });
});

describe('POST /q/:token (the form, no JavaScript)', () => {
  test('approve: quoteResponse with the token id and no principal; thank-you page; the repair goes on', async () => {
    const id = pending();
    const res = await answer(quoteToken(id, { tokenId: 'q-approve-1' }), 'approved=true', { 'accept-language': 'en' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('Thank you for approving the quote!');
    expect(res.body).toContain('The technician will go on with the repair.');
    expect(updatesTo(id)).toEqual([{ method: 'update', id, action: 'quoteResponse', args: { approved: true, tokenId: 'q-approve-1' } }]);
    expect(t.port.states.get(id)).toMatchObject({ status: 'on_site', quotes: [{ decision: { approved: true, via: 'link' } }] });
  });

  test('decline: the result page names the visit fee from the returned state', async () => {
    const id = pending();
    const res = await answer(quoteToken(id), 'approved=false');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('您已拒绝本次报价');
    expect(res.body).toContain('您仅需支付上门费 50.00 元');
    expect(updatesTo(id)).toMatchObject([{ action: 'quoteResponse', args: { approved: false, tokenId: 'qtok-1' } }]);
    expect(t.port.states.get(id)).toMatchObject({ status: 'closed', outcome: 'quote_declined' });
    const en = await answer(quoteToken(pending()), 'approved=false', { 'accept-language': 'en' });
    expect(en.body).toContain('only the visit fee of CNY 50.00 is due');
  });

  test('used again: 409 "already answered" page, nothing changes', async () => {
    const id = pending();
    const token = quoteToken(id);
    expect((await answer(token, 'approved=true')).statusCode).toBe(200);
    const again = await answer(token, 'approved=false', { 'accept-language': 'en' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('This quote was already answered');
    expect(t.port.states.get(id)?.status).toBe('on_site');
    expect((await open(token)).statusCode).toBe(409);
  });

  test.each([
    ['TokenUsed', 'quote link was already used'],
    ['InvalidToken', 'quote link is not valid for this request'],
    [undefined, 'cannot quoteResponse a request that is closed (allowed when quote_pending)'],
  ])('the workflow refuses (%s): 409 page', async (failureType, reason) => {
    const id = pending();
    const update = jest.spyOn(t.port, 'update').mockRejectedValueOnce(new RejectedTransitionError('quoteResponse', reason, failureType));
    try {
      const res = await answer(quoteToken(id), 'approved=true');
      expect(res.statusCode).toBe(409);
      expect(res.body).toContain('该报价已处理');
    } finally {
      update.mockRestore();
    }
  });

  test('another action being applied at that instant (Busy): 503 page, try again', async () => {
    const id = pending();
    const update = jest
      .spyOn(t.port, 'update')
      .mockRejectedValueOnce(
        new RejectedTransitionError('quoteResponse', 'another action on this request is being applied; retry', 'Busy'),
      );
    try {
      const res = await answer(quoteToken(id), 'approved=true');
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
    } finally {
      update.mockRestore();
    }
  });

  test('an unexpected failure is a 503 page, never a 500', async () => {
    const id = pending();
    const update = jest.spyOn(t.port, 'update').mockRejectedValueOnce(new Error('boom'));
    try {
      const res = await answer(quoteToken(id), 'approved=true');
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).not.toContain('boom');
    } finally {
      update.mockRestore();
    }
  });

  test('forged or expired links: 404 / 410 pages, nothing sent', async () => {
    const id = pending();
    const forged = await answer(`${quoteToken(id).slice(0, -3)}xyz`, 'approved=true');
    expect(forged.statusCode).toBe(404);
    expect(forged.body).toContain('报价链接无效');
    const expired = await answer(quoteToken(id, { expiresAt: new Date(NOW - 1).toISOString() }), 'approved=true');
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('报价链接已过期');
    expect(updatesTo(id)).toHaveLength(0);
  });

  test('no decision (or anything but true / false): the quote again with 400, nothing sent', async () => {
    const id = pending();
    for (const form of ['', 'approved=yes', 'approved=TRUE&x=1']) {
      const res = await answer(quoteToken(id), form);
      expect({ form, status: res.statusCode }).toEqual({ form, status: 400 });
      expect(res.body).toContain('<form id="quote"');
      expect(res.body).toContain('请选择同意或拒绝报价。');
    }
    expect(updatesTo(id)).toHaveLength(0);
  });

  test('a body that is not a form: a friendly page, not JSON', async () => {
    const id = pending();
    const res = await t.app.inject({
      method: 'POST',
      url: `/q/${quoteToken(id)}`,
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(res.statusCode).toBeLessThan(500);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  test('no bearer token is needed, and one changes nothing (the link is the credential)', async () => {
    const id = pending();
    const res = await answer(quoteToken(id), 'approved=true', bearer(T.ops));
    expect(res.statusCode).toBe(200);
    expect(updatesTo(id)).toMatchObject([{ args: { approved: true, tokenId: 'qtok-1' } }]);
    expect((updatesTo(id)[0] as { args: Record<string, unknown> }).args).not.toHaveProperty('by');
  });
});

describe('end to end over the routes: a technician quotes, the customer approves through the link', () => {
  test('the page shows what the quote route priced', async () => {
    t.port.seed({ requestId: 'sr-Q-E2E', status: 'on_site', technicianId: 't1001' });
    const quoted = await t.app.inject({
      method: 'POST',
      url: '/v1/service-requests/sr-Q-E2E/quote',
      headers: bearer(T.tech1),
      payload: {
        lines: [
          { kind: 'labour', code: 'GAS-IGNITION', quantity: 1 },
          { kind: 'part', partNumber: 'GWH-TC-01', quantity: 1 },
        ],
      },
    });
    expect(quoted.statusCode).toBe(200);
    const token = quoteToken('sr-Q-E2E', { tokenId: 'e2e' });
    const shown = await open(token, { 'accept-language': 'en' });
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('115.00');
    expect((await answer(token, 'approved=true')).statusCode).toBe(200);
    expect(t.port.states.get('sr-Q-E2E')?.status).toBe('on_site');
  });
});

describe('page helpers', () => {
  test('times in the given zone', () => {
    expect(formatTime('zh', '2025-06-03T02:00:00.000Z', 'Asia/Shanghai')).toBe('2025年6月3日（周二）10:00');
    expect(formatTime('en', '2025-06-03T02:00:00.000Z', 'Europe/Berlin')).toBe('Tue 3 Jun 2025, 04:00');
  });

  test('everything interpolated is escaped', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const html = renderQuote({
      lang: 'en',
      token: 'a"><script>x</script>',
      ticket: evil,
      timeZone: 'Asia/Shanghai',
      quote: { ...QUOTE, note: evil, lines: [{ ...QUOTE.lines[0]!, ref: evil, name: { zh: evil, en: evil } }] },
    });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>x');
  });
});
