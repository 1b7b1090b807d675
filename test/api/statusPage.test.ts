/**
 * The customer's status page (issue 15): `GET /s/<token>` reads the request's state through the port and shows its
 * stages (received, technician with work number, visit booked, on site, completed, service report link, rating),
 * the next promised time in the policy's zone and the hotline; zh/en by `?lang=`, else the request's language (in
 * the token id), else Accept-Language. Forged, expired, other-purpose links and unknown requests get a friendly
 * HTML page (404 / 410), Temporal down a 503 page — never a 500, never JSON, never the token in a log line.
 */
import { serviceReportDocument, serviceReportName, type ServiceReportToStore } from '../../src/domain/serviceReport';
import { maskPhone } from '../../src/logger';
import { signRatingToken, type LinkPurpose } from '../../src/ratingLink';
import type { ServiceRequestState } from '../../workflows/messages';
import { allLogLines, NOW, SECRET } from './support';
import { makeV4App, type V4App } from './v4App';

let t: V4App;
let zone = 'Asia/Shanghai';
beforeAll(async () => {
  t = await makeV4App({ statusPage: () => ({ timeZone: zone, hotline: '400-800-1234' }) });
});
afterAll(async () => {
  await t?.close();
});

const DAY = 24 * 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const R = NOW - 2 * DAY; // received 2025-05-30 10:00 in Shanghai

const sign = (requestId: string, purpose: LinkPurpose = 'status', over: { tokenId?: string; expiresAt?: string } = {}) =>
  signRatingToken({ requestId, tokenId: over.tokenId ?? 'status-zh', expiresAt: over.expiresAt ?? iso(R + 180 * DAY) }, SECRET, purpose);
const open = (path: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: path, headers });

/** `data-state` of each stage, in page order. */
function stagesOf(html: string): Record<string, string> {
  return Object.fromEntries(
    [...html.matchAll(/<li id="stage-([a-z_]+)" class="stage [a-z]+" data-state="([a-z]+)"/g)].map((m) => [m[1]!, m[2]!]),
  );
}
const stageHtml = (html: string, id: string): string =>
  /<li id="stage-[a-z_]+"[^]*?<\/li>/g.exec(html.slice(html.indexOf(`id="stage-${id}"`) - 8))?.[0] ?? '';

let n = 0;
const TECH = {
  technicianId: 't1001',
  name: '张伟',
  workNumber: 'T1024',
  tier: 1,
  visit: 1,
  by: 'auto' as const,
  assignedAt: iso(R + 600_000),
};
const pending = (milestone: ServiceRequestState['deadlines'][number]['milestone'], dueMs: number) => ({
  id: milestone,
  milestone,
  visit: 1,
  span: '4h',
  startedAt: iso(R),
  dueAt: iso(dueMs),
  status: 'pending' as const,
  business: false,
});

function seed(partial: Partial<ServiceRequestState> = {}): { requestId: string; token: string } {
  const requestId = `sr-S-${++n}`;
  t.port.seed({ requestId, ticket: `SR-S-${n}`, receivedAt: iso(R), ...partial });
  return { requestId, token: sign(requestId) };
}

test('received: the receipt stage done, a technician being arranged, the dispatch deadline as the next promise, the hotline', async () => {
  const { token } = seed({
    status: 'dispatching',
    deadlines: [pending('dispatch', R + 2 * 3_600_000), pending('resolution', R + 2 * DAY)],
  });
  const r = await open(`/s/${token}`);
  expect(r.statusCode).toBe(200);
  expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(r.headers['cache-control']).toBe('no-store');
  expect(r.body).toContain('<html lang="zh-CN">');
  expect(stagesOf(r.body)).toEqual({
    received: 'done',
    assigned: 'current',
    booked: 'upcoming',
    on_site: 'upcoming',
    completed: 'upcoming',
    report: 'upcoming',
    rating: 'upcoming',
  });
  expect(stageHtml(r.body, 'received')).toContain('2025年5月30日周五 10:00');
  expect(stageHtml(r.body, 'assigned')).toContain('正在为您安排工程师');
  expect(r.body).toMatch(
    /<p id="next" class="next">下一步 · 为您安排工程师，不晚于：<time datetime="2025-05-30T04:00:00.000Z">2025年5月30日周五 12:00<\/time><\/p>/,
  );
  expect(r.body).toContain('<a href="tel:4008001234">400-800-1234</a>');
  expect(r.body).toContain('本链接有效期至 2025年11月26日周三 10:00');
});

test('assigned, booked, on site, completed with a report, rated: each stage as far as the request got', async () => {
  const tech = { ...TECH, acceptedAt: iso(R + 900_000) };
  const slot = iso(R + DAY); // 2025-05-31 10:00 Shanghai
  const assigned = seed({
    status: 'assigned',
    technicianId: 't1001',
    assignments: [TECH],
    deadlines: [pending('response', R + 4 * 3_600_000)],
  });
  let r = await open(`/s/${assigned.token}`);
  expect(stagesOf(r.body)).toMatchObject({ assigned: 'done', booked: 'current', on_site: 'upcoming' });
  expect(stageHtml(r.body, 'assigned')).toContain('张伟（工号 T1024）');
  expect(r.body).toContain('工程师联系您预约，不晚于');

  const booked = seed({
    status: 'scheduled',
    technicianId: 't1001',
    assignments: [tech],
    appointmentAt: slot,
    appointment: { at: slot, requestedBy: 'customer' },
    deadlines: [pending('on_site', R + 3 * DAY)],
  });
  r = await open(`/s/${booked.token}?lang=en`);
  expect(r.body).toContain('<html lang="en">');
  expect(stagesOf(r.body)).toMatchObject({ assigned: 'done', booked: 'done', on_site: 'current', completed: 'upcoming' });
  expect(stageHtml(r.body, 'assigned')).toContain('张伟 (ID T1024)');
  expect(stageHtml(r.body, 'booked')).toContain('Booked for Sat, 31 May 2025 at 10:00');
  // The booked slot is the promise, not the later on-site deadline.
  expect(r.body).toMatch(/Next · Technician visit: <time datetime="2025-05-31T02:00:00.000Z">Sat, 31 May 2025 at 10:00<\/time>/);

  const onSite = seed({
    status: 'on_site',
    technicianId: 't1001',
    assignments: [tech],
    appointment: { at: slot, requestedBy: 'technician' },
    timeline: [
      { at: iso(R), event: 'received' },
      { at: iso(R + DAY + 60_000), event: 'arrived', detail: 't1001' },
    ],
  });
  r = await open(`/s/${onSite.token}`);
  expect(stagesOf(r.body)).toMatchObject({ booked: 'done', on_site: 'done', completed: 'current' });
  expect(stageHtml(r.body, 'on_site')).toContain('工程师正在上门服务');
  expect(stageHtml(r.body, 'on_site')).toContain('2025年5月31日周六 10:01');

  // Completed with a stored report: the stage links the report page, which opens.
  const completed = seed({
    status: 'completed',
    technicianId: 't1001',
    assignments: [tech],
    completion: [{ at: iso(R + DAY + 3_600_000), resolved: true, notes: 'x', technicianId: 't1001' }],
  });
  const withReport = await storeReport(completed.requestId);
  r = await open(`/s/${completed.token}`);
  expect(stagesOf(r.body)).toMatchObject({ completed: 'done', report: 'done', rating: 'current' });
  const link = /<a id="report-link" href="(\/report\/[^"]+)">查看客户服务报告<\/a>/.exec(r.body)?.[1];
  expect(link).toBe(`/report/${withReport.token}`);
  const report = await open(link!);
  expect(report.statusCode).toBe(200);
  expect(report.body).toContain('客户服务报告');
  expect(stageHtml(r.body, 'rating')).toContain('请通过完工短信中的评价链接为本次服务打分');

  const rated = seed({
    status: 'closed',
    outcome: 'closed',
    closedAt: iso(R + 2 * DAY),
    technicianId: 't1001',
    assignments: [tech],
    completion: [{ at: iso(R + DAY + 3_600_000), resolved: true, notes: 'x', technicianId: 't1001' }],
    feedback: { score: 5, at: iso(R + DAY + 7_200_000) },
  });
  r = await open(`/s/${rated.token}?lang=en`);
  expect(stagesOf(r.body)).toEqual({
    received: 'done',
    assigned: 'done',
    booked: 'done',
    on_site: 'done',
    completed: 'done',
    report: 'skipped',
    rating: 'done',
  });
  expect(stageHtml(r.body, 'rating')).toContain('Rated 5 out of 5');
  expect(r.body).toContain('id="banner" class="banner closed"');
  expect(r.body).not.toContain('id="next"');
});

test('cancelled: the stages reached, the rest not needed, the reason; a complaint and a return show their own steps', async () => {
  const cancelled = seed({
    status: 'cancelled',
    outcome: 'cancelled',
    cancelReason: '客户已自行解决',
    technicianId: 't1001',
    assignments: [TECH],
  });
  let r = await open(`/s/${cancelled.token}`);
  expect(stagesOf(r.body)).toEqual({
    received: 'done',
    assigned: 'done',
    booked: 'skipped',
    on_site: 'skipped',
    completed: 'skipped',
    report: 'skipped',
    rating: 'skipped',
  });
  expect(r.body).toMatch(/<p id="banner" class="banner cancelled">服务单已取消<br><span>原因：客户已自行解决<\/span><\/p>/);

  const complaint = seed({
    type: 'complaint',
    status: 'solution',
    complaint: { classification: 'timeliness', analysis: { at: iso(R + 3_600_000), findings: '工程师迟到' } },
  });
  r = await open(`/s/${complaint.token}`);
  expect(stagesOf(r.body)).toEqual({
    received: 'done',
    analysis: 'done',
    solution: 'current',
    implementation: 'upcoming',
    feedback: 'upcoming',
  });
  // The findings are for staff; the customer sees the steps.
  expect(r.body).not.toContain('工程师迟到');

  const ret = seed({
    type: 'return',
    status: 'approval',
    returns: {
      kind: 'return',
      eligibility: {
        kind: 'return',
        countedFrom: 'purchase',
        fromDate: '2025-05-27',
        day: 3,
        terms: 'default',
        returnDays: 7,
        exchangeDays: 15,
        noReasonDays: 7,
        inWarranty: true,
        eligible: true,
        reason: 'within 7 days',
      },
      inspection: { at: iso(R + DAY), faultFound: true, faultCause: 'quality', findings: '点火器故障' },
    },
  });
  r = await open(`/s/${ret.token}`);
  expect(stagesOf(r.body)).toEqual({
    received: 'done',
    inspection: 'done',
    approval: 'current',
    settlement: 'upcoming',
    rating: 'upcoming',
  });
});

test("the language: ?lang= first, else the request's (the token id), else Accept-Language; times in the policy's zone", async () => {
  const { requestId } = seed({ status: 'dispatching' });
  const en = sign(requestId, 'status', { tokenId: 'status-en' });
  const plain = sign(requestId, 'status', { tokenId: 'status' });
  const cases: [string, Record<string, string>, string][] = [
    [`/s/${en}`, { 'accept-language': 'zh-CN' }, 'en'],
    [`/s/${en}?lang=zh`, {}, 'zh-CN'],
    [`/s/${en}?lang=fr`, { 'accept-language': 'zh-CN' }, 'en'],
    [`/s/${plain}`, { 'accept-language': 'en-US,en;q=0.9' }, 'en'],
    [`/s/${plain}`, {}, 'zh-CN'],
  ];
  for (const [path, headers, lang] of cases) {
    expect({ path, lang: /<html lang="([^"]+)">/.exec((await open(path, headers)).body)?.[1] }).toEqual({ path, lang });
  }
  zone = 'Europe/London';
  try {
    expect((await open(`/s/${en}`)).body).toContain('Fri, 30 May 2025 at 03:00');
  } finally {
    zone = 'Asia/Shanghai';
  }
});

test('expired → 410, forged, other purposes, unknown request → 404: a clear page in the language, never JSON; Temporal down → 503', async () => {
  const { requestId } = seed({ status: 'dispatching' });
  const expired = await open(`/s/${sign(requestId, 'status', { expiresAt: iso(NOW - 1000) })}`, { 'accept-language': 'en' });
  expect(expired.statusCode).toBe(410);
  expect(expired.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(expired.body).toMatch(/<h1 class="message expired"[^>]*>This link has expired<\/h1>/);
  expect(expired.body).toContain('400-800-1234');

  const token = sign(requestId);
  const cases: [string, string][] = [
    ['forged signature', `${token.slice(0, -2)}AA`],
    ['a rating link', sign(requestId, 'rating')],
    ['a quote link', sign(requestId, 'quote')],
    ['a report link', sign(requestId, 'report')],
    [
      'signed with another secret',
      signRatingToken({ requestId, tokenId: 'status-zh', expiresAt: iso(NOW + DAY) }, 'another-secret-0123456789', 'status'),
    ],
    ['an unknown request', sign('sr-S-never-started')],
    ['not a token', 'not-a-token'],
    ['too long', 'x'.repeat(1000)],
  ];
  for (const [what, tok] of cases) {
    const r = await open(`/s/${tok}`);
    expect({ what, status: r.statusCode, type: r.headers['content-type'], h1: /<h1[^>]*>([^<]*)<\/h1>/.exec(r.body)?.[1] }).toEqual({
      what,
      status: 404,
      type: 'text/html; charset=utf-8',
      h1: '查询链接无效',
    });
  }
  // And the other way round: a status link opens no rating, quote or report page.
  for (const path of ['r', 'q', 'report']) expect((await open(`/${path}/${token}`)).statusCode).toBe(404);

  t.port.unavailable = true;
  try {
    const down = await open(`/s/${token}`);
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBe('5');
    expect(down.body).toContain('服务暂时不可用');
  } finally {
    t.port.unavailable = false;
  }
});

test('the page is in OpenAPI; the token never reaches a log line', async () => {
  const { token } = seed({ status: 'dispatching' });
  expect((await open(`/s/${token}`)).statusCode).toBe(200);
  expect((await open(`/s/${token}x`)).statusCode).toBe(404);
  const doc = (await open('/docs/json')).json() as { paths: Record<string, unknown> };
  expect(Object.keys(doc.paths)).toContain('/s/{token}');
  const signature = token.split('.')[1]!;
  expect(allLogLines.filter((l) => l.includes(signature) || l.includes(token.split('.')[0]!))).toEqual([]);
  expect(allLogLines.some((l) => l.includes('"/s/…"'))).toBe(true);
  expect((await open('/s/assets/status.css')).headers['content-type']).toBe('text/css; charset=utf-8');
});

/** Stores a report of visit 1 as the worker does, with its link's token (a year's validity). */
async function storeReport(requestId: string): Promise<{ token: string }> {
  const tokenId = `v1-tok-${requestId}`;
  const at = iso(R + DAY + 3_600_000);
  const linkExpiresAt = iso(R + DAY + 3_600_000 + 365 * DAY);
  const toStore: ServiceReportToStore = {
    requestId,
    tokenId,
    ticket: 'SR-S',
    timeZone: 'Asia/Shanghai',
    language: 'zh',
    customer: { name: '张三丰', phone: '+8613800138000' },
    product: { category: 'gas_water_heater', model: 'JSQ25-13A', purchaseDate: '2019-05-01' },
    report: {
      at,
      visit: 1,
      technicianId: 't1001',
      workDone: '更换热电偶，试机正常',
      partsUsed: [],
      charges: { chargeable: false, reason: 'in warranty', labour: 0, parts: 0, total: 0, currency: 'CNY' },
      testRun: { done: true, minutes: 10 },
      useExplained: true,
    },
    labour: [],
    payments: [],
  };
  const doc = serviceReportDocument(toStore, { name: '张伟', workNumber: 'T1024' }, maskPhone, 'image/png');
  await t.storage.putDocument(requestId, serviceReportName(1, 'json'), Buffer.from(JSON.stringify(doc)));
  const s = t.port.states.get(requestId)!;
  s.serviceReport = { ...toStore.report, stored: { at, linkExpiresAt, pdf: false } };
  return { token: signRatingToken({ requestId, tokenId, expiresAt: linkExpiresAt }, SECRET, 'report') };
}
