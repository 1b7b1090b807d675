/**
 * Lifecycle 4, warranty and quotes (issue 13): cover judged at intake from the purchase date; a fault cause the
 * warranty excludes found at diagnosis makes an in-warranty repair chargeable; a chargeable repair is quoted from
 * the repo's price list and parts catalogue (amounts in fen), the customer approves or declines through a signed
 * single-use link (or ops record a decision by phone); the quote's deadline reminds at 24 h and escalates at 48 h
 * (or closes as declined, per policy); declined → closed `quote_declined` with the visit fee; completion writes
 * the customer service report. Purchase dates are set from the test server's clock, never from today's date.
 */
import { DateTime } from 'luxon';
import { verifyRatingToken } from '../../src/ratingLink';
import { ACTION_UPDATES } from '../../workflows/messages';
import type { Handle } from './support/env';
import { RATING_SECRET } from './support/env';
import {
  act,
  advanceTo,
  ALL_PHOTOS,
  deadline,
  expectRejected,
  HOUR,
  near,
  onSiteNow,
  policyVariant,
  quoteToken,
  recordHistory,
  serverNow,
  settle,
  smsOf,
  untilSms,
  untilState,
  uploadPhotos,
  useBed,
  ZONE,
} from './support/scenario';

const suite = useBed();
const L1_PHONE = '+8613900139001';

/** The local purchase date `years` before the server's now (gas water heaters: 36 months of cover). */
async function boughtYearsAgo(years: number): Promise<string> {
  return DateTime.fromMillis(await serverNow(suite.bed), { zone: ZONE })
    .minus({ years })
    .toISODate() as string;
}

async function startBought(years: number, policy?: Parameters<typeof suite.start>[1]): Promise<Handle> {
  const purchaseDate = await boughtYearsAgo(years);
  return suite.start({ product: { model: 'JSQ25-13A', purchaseDate, category: 'gas_water_heater' } }, policy);
}

const onSite = (h: Handle): Promise<string> => onSiteNow(suite.bed, h);

test('out of warranty: quote → approved through the link → parts fitted → service report with the charges', async () => {
  const { bed } = suite;
  const h = await startBought(5);
  const received = await untilState(h, (s) => s.warranty !== undefined, 'warranty judged');
  expect(received.warranty).toMatchObject({
    status: 'out_of_warranty',
    terms: 'gas_water_heater',
    months: 36,
    covers: ['parts', 'labour'],
  });
  expect(received.chargeable).toEqual({ chargeable: true, reason: expect.stringMatching(/^out of warranty since \d{4}-\d{2}-\d{2}$/) });

  const tech = await onSite(h);
  const quoted = await act.quote(h, tech);
  expect(quoted.status).toBe('quote_pending');
  expect(quoted.quotes).toEqual([
    expect.objectContaining({
      id: 'Q1',
      labour: 8000,
      parts: 3500,
      total: 11500,
      currency: 'CNY',
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
    }),
  ]);
  expect(deadline(quoted, 'quote')).toMatchObject({ status: 'pending', dueAt: near(Date.parse(quoted.quotes![0]!.at) + 48 * HOUR) });

  const { token, tokenId } = await quoteToken(bed, h);
  // A quote token is not a rating token (the purpose is signed), and the other way round.
  expect(verifyRatingToken(token, RATING_SECRET, await serverNow(bed))).toEqual({ error: 'bad_signature' });
  const [sms] = await smsOf(bed, h, 'quote');
  expect(sms?.text).toContain('115.00');

  await expectRejected(h, () => act.quoteResponse(h, 'f0f0f0f0-0000-4000-8000-000000000000', true), /quote link is not valid/);
  const approved = await act.quoteResponse(h, tokenId, true);
  expect(approved.status).toBe('on_site');
  expect(approved.quotes?.[0]?.decision).toMatchObject({ approved: true, via: 'link' });
  expect(deadline(approved, 'quote').status).toBe('met');
  // Single use: the answer is in and the request has moved on.
  await expectRejected(h, () => act.quoteResponse(h, tokenId, false), /cannot quoteResponse a request that is on_site/);

  await act.payment(h, tech, { method: 'on_site', amount: 11500 });
  await uploadPhotos(bed, h, ALL_PHOTOS);
  const done = await h.executeUpdate(ACTION_UPDATES.completion, {
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
  expect(done.status).toBe('completed');
  expect(done.payments).toEqual([expect.objectContaining({ method: 'on_site', amount: 11500 })]);
  expect(done.serviceReport).toMatchObject({
    visit: 1,
    technicianId: tech,
    faultCause: 'wear',
    diagnosis: '热电偶老化',
    workDone: '更换热电偶，试机正常',
    partsUsed: [{ kind: 'part', ref: 'GWH-TC-01', quantity: 1, unitPrice: 3500, amount: 3500, oldPartShown: true }],
    charges: { chargeable: true, labour: 8000, parts: 3500, total: 11500, currency: 'CNY' },
    testRun: { done: true, minutes: 10 },
    useExplained: true,
    signaturePhoto: expect.any(String),
  });
  await untilSms(bed, h, (l) => l.some((x) => x.kind.startsWith('completed')), 'completion SMS');
  await recordHistory(h, 'v4-quote-approved');
});

test('declined by phone → closed quote_declined with the visit fee; the technician is released, the customer told', async () => {
  const { bed } = suite;
  const h = await startBought(4);
  const tech = await onSite(h);
  await act.quote(h, tech);
  await act.quoteDecision(h, false, '客户电话表示不修了');
  const end = await h.result();
  expect(end).toMatchObject({ status: 'closed', outcome: 'quote_declined', visitFee: { amount: 5000, currency: 'CNY' } });
  expect(end.quotes?.[0]?.decision).toMatchObject({ approved: false, via: 'phone', note: '客户电话表示不修了', by: 'hotline (ops)' });
  expect(end.deadlines.filter((d) => d.status === 'pending' || d.status === 'paused')).toEqual([]);
  const declined = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'quote_declined'), 'declined SMS');
  expect(declined.find((x) => x.kind === 'quote_declined')?.text).toContain('50.00');
  // The board reservation of the technician's job is gone.
  expect(bed.board.calls.filter((c) => 'release' in c && c.release.requestId === h.workflowId).length).toBeGreaterThan(0);
  await recordHistory(h, 'v4-quote-declined');
});

test('no decision: reminder SMS at 24 h, level 1 paged at 48 h (quote_expired); a late approval still counts', async () => {
  const { bed } = suite;
  const h = await startBought(5);
  const tech = await onSite(h);
  const s = await act.quote(h, tech);
  const T = Date.parse(s.quotes![0]!.at);

  await advanceTo(bed, T + 24 * HOUR - 60_000);
  await settle(h);
  expect(await smsOf(bed, h, 'quote_reminder')).toEqual([]);
  await advanceTo(bed, T + 24 * HOUR + 60_000);
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'quote_reminder'), 'quote reminder');

  await advanceTo(bed, T + 48 * HOUR + 60_000);
  const expired = await untilState(h, (x) => x.escalations.some((e) => e.reason === 'quote_expired'), 'quote expired');
  expect(expired.status).toBe('quote_pending');
  // The resolution clock runs on meanwhile (it broke on day 2 of a normal repair): the quote's own page is level 1.
  expect(expired.escalations.filter((e) => e.milestone === 'quote')).toEqual([
    expect.objectContaining({ level: 1, reason: 'quote_expired', contactRole: 'dispatch_lead' }),
  ]);
  expect(expired.quotes?.[0]?.expiredAt).toBeDefined();
  const alerts = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'ops_alert'), 'ops alert');
  expect(alerts.filter((x) => x.kind === 'ops_alert').map((x) => x.to)).toEqual([L1_PHONE]);

  const approved = await act.quoteDecision(h, true, '组长回电，客户同意维修');
  expect(approved.status).toBe('on_site');
  expect(deadline(approved, 'quote')).toMatchObject({ status: 'breached', metAt: expect.any(String) });
  await recordHistory(h, 'v4-quote-expired');
});

test('policy onExpiry: close — no decision by the expiry closes the request as declined, with the visit fee', async () => {
  const { bed } = suite;
  const policy = policyVariant('v4-close', (raw) => {
    raw.quotes = { expiry: '48h', reminderAfter: '24h', onExpiry: 'close' };
  });
  const h = await startBought(5, policy);
  const tech = await onSite(h);
  const s = await act.quote(h, tech);
  await advanceTo(bed, Date.parse(s.quotes![0]!.at) + 48 * HOUR + 60_000);
  const end = await h.result();
  expect(end).toMatchObject({ status: 'closed', outcome: 'quote_declined', visitFee: { amount: 5000, currency: 'CNY' } });
  expect(end.escalations.filter((e) => e.milestone === 'quote')).toEqual([]);
  expect(end.quotes?.[0]).toMatchObject({ expiredAt: expect.any(String), remindedAt: expect.any(String) });
  expect(end.quotes?.[0]?.decision).toBeUndefined();
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'quote_declined'), 'declined SMS');
});

test('in warranty: nothing to quote until misuse is found at diagnosis, which makes the repair chargeable', async () => {
  const h = await startBought(1);
  const s0 = await untilState(h, (s) => s.warranty !== undefined, 'warranty judged');
  expect(s0.warranty?.status).toBe('in_warranty');
  expect(s0.chargeable).toEqual({ chargeable: false, reason: `in warranty until ${s0.warranty?.coverUntil}` });
  const tech = await onSite(h);
  await expectRejected(h, () => act.quote(h, tech), /the repair is not chargeable \(in warranty until/);

  const diagnosed = await act.diagnose(h, tech, 'misuse', '用户自行拆改燃气管路');
  expect(diagnosed.status).toBe('on_site');
  expect(diagnosed.diagnosis).toMatchObject({ faultCause: 'misuse', diagnosis: '用户自行拆改燃气管路', technicianId: tech });
  expect(diagnosed.chargeable).toEqual({ chargeable: true, reason: 'misuse is not covered' });
  expect((await act.quote(h, tech)).status).toBe('quote_pending');
});

test('a quote line the catalogue does not know, or a part for another category, is refused naming the line', async () => {
  const h = await startBought(5);
  const tech = await onSite(h);
  const refused = (lines: Parameters<typeof act.quote>[2]) =>
    act.quote(h, tech, lines).then(
      () => '',
      (e: Error & { cause?: Error }) => String(e.cause?.message),
    );
  expect(
    await refused([
      { kind: 'labour', code: 'GAS-IGNITION', quantity: 1 },
      { kind: 'part', partNumber: 'NOPE-1', quantity: 2 },
    ]),
  ).toMatch(/^lines\[1\]\.partNumber: unknown part "NOPE-1"/);
  expect(await refused([{ kind: 'labour', code: 'NO-SUCH', quantity: 1 }])).toMatch(/^lines\[0\]\.code: /);
  const ac = await refused([{ kind: 'part', partNumber: 'AC-CAP-01', quantity: 1 }]);
  expect(ac).toMatch(/^lines\[0\]\.partNumber: .*gas_water_heater/);
  const s = await h.state();
  expect(s.status).toBe('on_site');
  expect(s.quotes).toBeUndefined();
});
