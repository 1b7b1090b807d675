/**
 * The customer's service report page (lifecycle 4): `GET /report/<token>` reads the report the worker stored
 * beside the photos — not the workflow — and shows it (zh / en, printable) with a PDF link when a PDF of that
 * language was stored; `GET /report/<token>/pdf` serves it. The link may be opened again and again until it
 * expires; only the link that was sent opens the report. Forged, expired, other-purpose or unknown links get a
 * friendly page (404 / 410), storage trouble a 503 page — never a 500, never the token in a log line.
 */
import { serviceReportDocument, serviceReportName, type ServiceReportToStore } from '../../src/domain/serviceReport';
import { maskPhone } from '../../src/logger';
import { signRatingToken } from '../../src/ratingLink';
import { allLogLines, NOW, SECRET } from './support';
import { makeV4App, quoteToken, type V4App } from './v4App';

let t: V4App;
beforeAll(async () => {
  t = await makeV4App();
});
afterAll(async () => {
  await t?.close();
});

const YEAR = 365 * 24 * 3_600_000;

const STORED: Omit<ServiceReportToStore, 'requestId' | 'tokenId'> = {
  ticket: 'SR-R-1',
  timeZone: 'Asia/Shanghai',
  language: 'zh',
  customer: { name: '张三丰', phone: '+8613800138000' },
  product: { category: 'gas_water_heater', model: 'JSQ25-13A', serialNumber: 'SN-1', purchaseDate: '2019-05-01' },
  report: {
    at: new Date(NOW).toISOString(),
    visit: 1,
    technicianId: 't1001',
    faultCause: 'wear',
    diagnosis: '热电偶老化',
    workDone: '更换热电偶，试机正常',
    partsUsed: [
      {
        kind: 'part',
        ref: 'GWH-TC-01',
        name: { zh: '热电偶', en: 'Thermocouple' },
        quantity: 1,
        unitPrice: 3500,
        amount: 3500,
        oldPartShown: true,
      },
    ],
    charges: { chargeable: true, reason: 'out of warranty since 2022-05-01', labour: 8000, parts: 3500, total: 11500, currency: 'CNY' },
    testRun: { done: true, minutes: 10 },
    useExplained: true,
    signaturePhoto: 'x/signature/y.png',
  },
  labour: [
    {
      kind: 'labour',
      ref: 'GAS-IGNITION',
      name: { zh: '点火系统维修', en: 'Ignition system repair' },
      quantity: 1,
      unitPrice: 8000,
      amount: 8000,
    },
  ],
  warranty: { status: 'out_of_warranty', coverUntil: '2022-04-30', months: 36, terms: 'gas_water_heater', covers: ['parts', 'labour'] },
  payments: [{ at: new Date(NOW).toISOString(), method: 'on_site', amount: 11500 }],
};

let n = 0;
/** Stores a report of visit 1 for a new request, as the worker does; returns its link's token. */
async function stored(opts: { pdf?: ('zh' | 'en')[]; expiresAt?: string } = {}): Promise<{ requestId: string; token: string }> {
  const requestId = `sr-R-${++n}`;
  const tokenId = `v1-tok-${n}`;
  const doc = serviceReportDocument({ ...STORED, requestId, tokenId }, { name: '赵军', workNumber: 'T-1007' }, maskPhone, 'image/png');
  for (const lang of opts.pdf ?? []) {
    await t.storage.putDocument(requestId, serviceReportName(1, 'pdf', lang), Buffer.from(`%PDF-1.7 ${lang}`));
  }
  if (opts.pdf) doc.pdf = opts.pdf;
  await t.storage.putDocument(requestId, serviceReportName(1, 'json'), Buffer.from(JSON.stringify(doc)));
  return { requestId, token: reportToken(requestId, tokenId, opts.expiresAt) };
}

function reportToken(requestId: string, tokenId: string, expiresAt = new Date(NOW + YEAR).toISOString()): string {
  return signRatingToken({ requestId, tokenId, expiresAt }, SECRET, 'report');
}

const open = (path: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: path, headers });

test('the report in Chinese: ticket, masked customer, parts, total, technician; opened again, still there', async () => {
  const { token } = await stored({ pdf: ['zh', 'en'] });
  for (let i = 0; i < 2; i++) {
    const r = await open(`/report/${token}`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body).toContain('客户服务报告');
    expect(r.body).toContain('SR-R-1');
    expect(r.body).toContain('张**');
    expect(r.body).toContain('138****8000');
    expect(r.body).toContain('热电偶');
    expect(r.body).toContain('点火系统维修');
    expect(r.body).toContain('115.00');
    expect(r.body).toContain('赵军');
    expect(r.body).toMatch(new RegExp(`href="/report/${token.replace(/[.]/g, '\\.')}/pdf\\?lang=zh"`));
    for (const pii of ['张三丰', '13800138000']) expect(r.body).not.toContain(pii);
  }
});

test('English by ?lang=en or Accept-Language; the PDF link follows the language', async () => {
  const { token } = await stored({ pdf: ['zh', 'en'] });
  for (const [path, headers] of [
    [`/report/${token}?lang=en`, {}],
    [`/report/${token}`, { 'accept-language': 'en-GB,en;q=0.9' }],
  ] as const) {
    const r = await open(path, headers);
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Customer Service Report');
    expect(r.body).toContain('Thermocouple');
    expect(r.body).toContain('/pdf?lang=en"');
  }
});

test('the PDF is served as stored, per language; none stored → no link, and the PDF URL is a 404 page', async () => {
  const withPdf = await stored({ pdf: ['zh', 'en'] });
  const zh = await open(`/report/${withPdf.token}/pdf?lang=zh`);
  expect(zh.statusCode).toBe(200);
  expect(zh.headers['content-type']).toBe('application/pdf');
  expect(zh.headers['content-disposition']).toBe('inline; filename="service-report-SR-R-1-zh.pdf"');
  expect(zh.body).toBe('%PDF-1.7 zh');
  expect((await open(`/report/${withPdf.token}/pdf?lang=en`)).body).toBe('%PDF-1.7 en');

  const without = await stored();
  const page = await open(`/report/${without.token}`);
  expect(page.statusCode).toBe(200);
  expect(page.body).not.toContain('/pdf?lang=');
  const pdf = await open(`/report/${without.token}/pdf?lang=zh`);
  expect(pdf.statusCode).toBe(404);
  expect(pdf.headers['content-type']).toBe('text/html; charset=utf-8');
});

test('expired → 410; forged, a quote link, a malformed token id → 404 invalid; nothing stored or another link → 404 missing', async () => {
  const { requestId, token } = await stored({ expiresAt: new Date(NOW - 1000).toISOString() });
  const expired = await open(`/report/${token}`);
  expect(expired.statusCode).toBe(410);
  expect(expired.body).toMatch(/<h1[^>]*>报告链接已过期<\/h1>/);

  const cases: [string, number][] = [
    [`${token.slice(0, -2)}AA`, 404], // forged signature
    [quoteToken(requestId, { tokenId: 'v1-tok-1' }), 404], // a quote link: another purpose
    [reportToken(requestId, 'tok-without-visit'), 404], // not a report token id
    [reportToken('sr-R-nothing-here', 'v1-abc'), 404], // nothing stored
    [reportToken(requestId, 'v1-another-link'), 404], // stored, but for the link that was sent
    [reportToken(requestId, 'v2-abc'), 404], // a visit with no report
    ['not-a-token', 404],
  ];
  for (const [tok, status] of cases) {
    const r = await open(`/report/${tok}`);
    expect({ tok, status: r.statusCode, type: r.headers['content-type'] }).toEqual({ tok, status, type: 'text/html; charset=utf-8' });
  }
});

test('storage failing → a 503 page with Retry-After, not a 500', async () => {
  const { token } = await stored();
  const get = t.storage.getDocument;
  t.storage.getDocument = async () => {
    throw new Error('disk on fire (test)');
  };
  try {
    const r = await open(`/report/${token}`);
    expect(r.statusCode).toBe(503);
    expect(r.headers['retry-after']).toBe('30');
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
  } finally {
    t.storage.getDocument = get;
  }
});

test('the report links are in OpenAPI; the token never reaches a log line', async () => {
  const { token } = await stored({ pdf: ['zh'] });
  await open(`/report/${token}/pdf?lang=zh`);
  await open(`/report/${token}`);
  const doc = (await open('/docs/json')).json() as { paths: Record<string, unknown> };
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/report/{token}', '/report/{token}/pdf']));
  const signature = token.split('.')[1]!;
  expect(allLogLines.filter((l) => l.includes(signature))).toEqual([]);
  expect(allLogLines.some((l) => l.includes('/report/…'))).toBe(true);
});
