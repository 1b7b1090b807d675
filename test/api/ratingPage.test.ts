import { pickLanguage, escapeHtml, renderForm } from '../../src/api/rating/page';
import { makeApp, NOW, ratingToken, type TestApp } from './support';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
  t.port.seed({ requestId: 'sr-R1', status: 'completed', technicianId: 't1001' });
});

const open = (token: string, headers: Record<string, string> = {}, qs = '') =>
  t.app.inject({ method: 'GET', url: `/r/${token}${qs}`, headers });

describe('GET /r/:token', () => {
  test('200: a Chinese form by default with stars, comment and the ticket', async () => {
    const token = ratingToken('sr-R1');
    const res = await open(token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('<html lang="zh-CN">');
    expect(res.body).toContain('请为本次服务评分');
    expect(res.body).toContain('R1');
    for (const n of [1, 2, 3, 4, 5]) expect(res.body).toContain(`id="star${n}"`);
    expect(res.body).toContain('<textarea id="comment"');
    expect(res.body).toContain(`data-token="${token}"`);
    expect(res.body).toContain('<script src="/r/assets/rating.js" defer></script>');
    expect(res.body).not.toMatch(/<script>(?!<)/); // no inline script
  });

  test('English by Accept-Language or ?lang=en', async () => {
    const token = ratingToken('sr-R1');
    const en = await open(token, { 'accept-language': 'en-US,en;q=0.9,zh;q=0.3' });
    expect(en.body).toContain('How was your service?');
    const forced = await open(token, { 'accept-language': 'zh-CN' }, '?lang=en&utm_source=sms');
    expect(forced.body).toContain('<html lang="en">');
  });

  test('CSP forbids inline scripts; the page is not framed', async () => {
    const res = await open(ratingToken('sr-R1'));
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  test('expired link: friendly 410 page', async () => {
    const res = await open(ratingToken('sr-R1', { expiresAt: new Date(NOW - 1).toISOString() }));
    expect(res.statusCode).toBe(410);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('评价链接已过期');
  });

  test('used link: friendly 409 page', async () => {
    t.port.seed({ requestId: 'sr-R2', status: 'closed', feedback: { score: 5, at: new Date(NOW).toISOString() } });
    const res = await open(ratingToken('sr-R2'), { 'accept-language': 'en' });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('You have already rated this service');
  });

  test('forged, garbage, overlong or unknown-request links: friendly 404 page, never JSON or a stack', async () => {
    const good = ratingToken('sr-R1');
    for (const token of [
      `${good.slice(0, -3)}xyz`,
      'abc',
      '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      'x'.repeat(900),
      ratingToken('sr-UNKNOWN'),
    ]) {
      const res = await open(token);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('评价链接无效');
      expect(res.body).not.toContain('<script>alert');
    }
    const huge = await open('y'.repeat(1100));
    expect(huge.statusCode).toBeGreaterThanOrEqual(400);
    expect(huge.statusCode).toBeLessThan(500);
  });

  test('not yet completed: 409 page; Temporal down: 503 page with Retry-After', async () => {
    t.port.seed({ requestId: 'sr-R3', status: 'on_site', technicianId: 't1001' });
    expect((await open(ratingToken('sr-R3'))).statusCode).toBe(409);
    t.port.unavailable = true;
    const down = await open(ratingToken('sr-R1'));
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBe('5');
    expect(down.body).toContain('服务暂时不可用');
  });

  test('assets: script and stylesheet', async () => {
    const js = await t.app.inject({ method: 'GET', url: '/r/assets/rating.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    expect(js.body).toContain('/feedback');
    const css = await t.app.inject({ method: 'GET', url: '/r/assets/rating.css' });
    expect(css.headers['content-type']).toContain('text/css');
  });
});

describe('POST /r/:token (no JavaScript)', () => {
  const post = (token: string, form: string) =>
    t.app.inject({ method: 'POST', url: `/r/${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form });

  test('records the score and shows thanks (with the follow-up promise for a low score)', async () => {
    const res = await post(ratingToken('sr-R1'), 'score=2&comment=%E5%A4%AA%E6%85%A2%E4%BA%86');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('感谢您的评价');
    expect(res.body).toContain('2 小时内');
    expect(t.port.states.get('sr-R1')?.feedback).toMatchObject({ score: 2, comment: '太慢了' });
    const again = await post(ratingToken('sr-R1'), 'score=5');
    expect(again.statusCode).toBe(409);
  });

  test('no score: the form again with 400', async () => {
    const res = await post(ratingToken('sr-R1'), 'comment=hi');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<form id="rating"');
  });
});

describe('page helpers', () => {
  test('language negotiation', () => {
    expect(pickLanguage(undefined)).toBe('zh');
    expect(pickLanguage('en')).toBe('en');
    expect(pickLanguage('fr-FR,en;q=0.5,zh;q=0.4')).toBe('en');
    expect(pickLanguage('zh-TW,zh;q=0.9,en;q=0.8')).toBe('zh');
    expect(pickLanguage('de')).toBe('zh');
    expect(pickLanguage('en;q=abc,zh;q=0.1')).toBe('zh');
    expect(pickLanguage('zh', 'en')).toBe('en');
  });

  test('everything interpolated is escaped', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\``)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;');
    const html = renderForm({ lang: 'en', token: 'a"><script>x</script>', requestId: 'sr-<b>', ticket: '<img src=x onerror=alert(1)>' });
    expect(html).not.toContain('<script>x');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>');
  });
});
