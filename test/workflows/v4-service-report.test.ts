/**
 * Lifecycle 4, the customer's service report (issue 13): after the photo check the report is stored beside the
 * photos (masked customer, the technician's name and work number, parts, charges, payments, signature photo) and
 * the completion SMS carries its signed link (purpose `report`, a year's life by policy) with the rating link.
 * Storage down for the whole retry budget: the completion SMS goes without the report link and the timeline says
 * so. With a PDF renderer on the worker, a PDF per language is stored and the document says which.
 */
import { DateTime } from 'luxon';
import { isRatingTokenError, verifyRatingToken } from '../../src/ratingLink';
import { reportTokenVisit, serviceReportName, type ServiceReportDocument } from '../../src/domain/serviceReport';
import { ACTION_UPDATES } from '../../workflows/messages';
import type { Bed, Handle } from './support/env';
import { RATING_SECRET } from './support/env';
import {
  act,
  advanceTo,
  ALL_PHOTOS,
  HOUR,
  MIN,
  near,
  onSiteNow,
  recordHistory,
  serverNow,
  smsOf,
  untilSms,
  untilState,
  uploadPhotos,
  useBed,
  ZONE,
} from './support/scenario';

const rendered: { requestId: string; lang: string }[] = [];
const suite = useBed({
  // The wiring of the PDF step, not the PDF itself (test/unit/service-report-render.test.ts renders real ones).
  reportPdf: async (doc, lang) => {
    rendered.push({ requestId: doc.requestId, lang });
    return Buffer.from(`%PDF-1.7 ${doc.ticket} ${lang}`);
  },
});

async function outOfWarrantyOnSite(bed: Bed): Promise<{ h: Handle; tech: string }> {
  const purchaseDate = DateTime.fromMillis(await serverNow(bed), { zone: ZONE })
    .minus({ years: 5 })
    .toISODate() as string;
  const h = await suite.start({
    customer: { name: '张三丰', phone: '+8613800138000', address: '上海市浦东新区世纪大道100号', language: 'zh' },
    product: { model: 'JSQ25-13A', purchaseDate, category: 'gas_water_heater', serialNumber: 'SN-2021-0042' },
  });
  return { h, tech: await onSiteNow(bed, h) };
}

async function completeWithParts(bed: Bed, h: Handle, tech: string): Promise<void> {
  await act.quote(h, tech);
  await act.quoteDecision(h, true, '客户电话同意');
  await act.payment(h, tech, { method: 'on_site', amount: 11500 });
  await uploadPhotos(bed, h, ALL_PHOTOS);
  await h.executeUpdate(ACTION_UPDATES.completion, {
    args: [
      {
        technicianId: tech,
        resolved: true,
        notes: '更换热电偶，试机正常',
        partsUsed: [{ partNumber: 'GWH-TC-01', quantity: 1, oldPartShown: true }],
        report: { faultCause: 'wear', diagnosis: '热电偶老化', testRun: { done: true, minutes: 10 }, useExplained: true },
      },
    ],
  });
}

const REPORT_LINK = /https?:\/\/[^\s/]+\/report\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/;

test('the completion SMS links the stored service report; the document is masked and complete', async () => {
  const { bed } = suite;
  const { h, tech } = await outOfWarrantyOnSite(bed);
  await completeWithParts(bed, h, tech);
  const lines = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'completed_report'), 'completion SMS with the report');
  expect(lines.filter((x) => x.kind === 'completed')).toEqual([]);
  const sms = lines.find((x) => x.kind === 'completed_report')!;
  expect(sms.text).toMatch(
    /客户服务报告：http:\/\/aftercare\.test\/report\/\S+ 请花一分钟为本次服务评价：http:\/\/aftercare\.test\/r\/\S+/,
  );

  const s = await untilState(h, (x) => x.serviceReport?.stored !== undefined, 'report stored');
  const completedAt = Date.parse(s.serviceReport!.at);
  expect(s.serviceReport!.stored).toEqual({ at: expect.any(String), linkExpiresAt: expect.any(String), pdf: true });
  expect(s.serviceReport!.stored!.linkExpiresAt).toEqual(near(completedAt + 365 * 24 * HOUR, 35 * 60_000));
  expect(s.timeline.map((t) => t.event)).toContain('service_report_stored');

  // The link is a report link (not a rating or quote one), names visit 1, and expires with the policy.
  const token = REPORT_LINK.exec(sms.text)![1]!;
  const now = await serverNow(bed);
  expect(verifyRatingToken(token, RATING_SECRET, now)).toEqual({ error: 'bad_signature' });
  expect(verifyRatingToken(token, RATING_SECRET, now, 'quote')).toEqual({ error: 'bad_signature' });
  const link = verifyRatingToken(token, RATING_SECRET, now, 'report');
  if (isRatingTokenError(link)) throw new Error(`report link: ${link.error}`);
  expect(link.requestId).toBe(h.workflowId);
  expect(reportTokenVisit(link.tokenId)).toBe(1);
  expect(link.expiresAt).toBe(s.serviceReport!.stored!.linkExpiresAt);

  const stored = await bed.storage.getDocument(h.workflowId, serviceReportName(1, 'json'));
  const doc = JSON.parse(stored!.body.toString('utf8')) as ServiceReportDocument;
  expect(doc).toMatchObject({
    requestId: h.workflowId,
    ticket: s.ticket,
    visit: 1,
    tokenId: link.tokenId,
    language: 'zh',
    timeZone: 'Asia/Shanghai',
    customer: { name: '张**', phone: '138****8000' },
    product: { category: 'gas_water_heater', model: 'JSQ25-13A', serialNumber: 'SN-2021-0042' },
    technician: { id: tech, name: expect.any(String), workNumber: expect.any(String) },
    warranty: { status: 'out_of_warranty', months: 36 },
    chargeable: { chargeable: true },
    faultCause: 'wear',
    diagnosis: '热电偶老化',
    workDone: '更换热电偶，试机正常',
    labour: [{ kind: 'labour', ref: 'GAS-IGNITION', quantity: 1, unitPrice: 8000, amount: 8000 }],
    partsUsed: [{ kind: 'part', ref: 'GWH-TC-01', quantity: 1, unitPrice: 3500, amount: 3500, oldPartShown: true }],
    charges: { labour: 8000, parts: 3500, total: 11500, currency: 'CNY' },
    payments: [{ method: 'on_site', amount: 11500 }],
    testRun: { done: true, minutes: 10 },
    useExplained: true,
    signature: { key: s.serviceReport!.signaturePhoto, contentType: 'image/png' },
    pdf: ['zh', 'en'],
  });
  // Nothing that identifies the customer beyond the masks: no address, no full phone or name.
  const text = stored!.body.toString('utf8');
  for (const pii of ['张三丰', '13800138000', '世纪大道']) expect(text).not.toContain(pii);
  for (const lang of ['zh', 'en'] as const) {
    const pdf = await bed.storage.getDocument(h.workflowId, serviceReportName(1, 'pdf', lang));
    expect(pdf?.body.toString('utf8')).toBe(`%PDF-1.7 ${s.ticket} ${lang}`);
    expect(pdf?.contentType).toBe('application/pdf');
  }
  expect(rendered.filter((r) => r.requestId === h.workflowId).map((r) => r.lang)).toEqual(['zh', 'en']);
  await recordHistory(h, 'v4-service-report');
});

test('storage down for the whole retry budget: the completion SMS goes without the report link, the timeline says why', async () => {
  const { bed } = suite;
  const { h, tech } = await outOfWarrantyOnSite(bed);
  const put = bed.storage.putDocument;
  bed.storage.putDocument = async () => {
    throw new Error('storage unavailable (test)');
  };
  try {
    await completeWithParts(bed, h, tech);
    // The 30-minute budget of retries passes on the test server's clock.
    await advanceTo(bed, (await serverNow(bed)) + 31 * MIN);
    await untilSms(bed, h, (l) => l.some((x) => x.kind === 'completed'), 'completion SMS without the report');
  } finally {
    bed.storage.putDocument = put;
  }
  expect(await smsOf(bed, h, 'completed_report')).toEqual([]);
  const s = await h.state();
  expect(s.serviceReport?.stored).toBeUndefined();
  expect(s.serviceReport?.faultCause).toBe('wear');
  expect(s.timeline.find((t) => t.event === 'service_report_not_stored')?.detail).toMatch(/storage unavailable \(test\)/);
  expect(await bed.storage.getDocument(h.workflowId, serviceReportName(1, 'json'))).toBeNull();
});
