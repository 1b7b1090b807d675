/**
 * The customer's status page link (issue 15, patch `status-link`): the receipt SMS — `received` for a repair (and a
 * return or exchange), `complaint_registered` for a complaint — carries a signed `/s/<token>` link, issued by an
 * activity (the secret stays out of workflow code), purpose `status`, its expiry counted from receipt by the
 * policy's `statusLink.validity`, so retries give the same link. A link that cannot be issued does not hold the
 * receipt back. Requests received before the patch replay without it (replay.test.ts).
 */
import { DateTime } from 'luxon';
import { isRatingTokenError, signRatingToken, verifyRatingToken, type LinkPurpose } from '../../src/ratingLink';
import type { OutboxLine } from '../../src/adapters/sms';
import { RATING_SECRET, type Bed, type Handle } from './support/env';
import {
  act,
  deadline,
  historyEvents,
  HOUR,
  policyVariant,
  recordHistory,
  serverNow,
  smsOf,
  untilSms,
  untilState,
  untilStatus,
  useBed,
  ZONE,
} from './support/scenario';

const DAY = 24 * HOUR;
const STATUS_LINK = /http:\/\/aftercare\.test\/s\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/;

async function receipt(bed: Bed, h: Handle, kind = 'received'): Promise<OutboxLine> {
  const lines = await untilSms(bed, h, (l) => l.some((x) => x.kind === kind), kind);
  return lines.find((x) => x.kind === kind)!;
}

function tokenOf(text: string): string {
  const m = STATUS_LINK.exec(text);
  if (!m) throw new Error(`no status link in: ${text}`);
  return m[1]!;
}

/** The scheduled issueCustomerLink activities' inputs. */
async function linkRequests(h: Handle): Promise<Record<string, unknown>[]> {
  return (await historyEvents(h))
    .map((e) => e.activityTaskScheduledEventAttributes)
    .filter((a) => a?.activityType?.name === 'issueCustomerLink')
    .map((a) => JSON.parse(Buffer.from(a!.input!.payloads![0]!.data!).toString('utf8')) as Record<string, unknown>);
}

describe('with links', () => {
  const suite = useBed();

  test('a repair: the receipt carries the signed status link, purpose status, valid 180 days from receipt, the same on every retry', async () => {
    const { bed } = suite;
    const h = await suite.start();
    const sms = await receipt(bed, h);
    expect(sms.text).toMatch(
      /^【Aftercare】您的服务单 \S+ 已受理，我们将尽快安排工程师与您联系，请保持电话畅通。服务进度随时查询：http:\/\/aftercare\.test\/s\/\S+$/,
    );
    const token = tokenOf(sms.text);
    const s = await untilState(h, (x) => deadline(x, 'acknowledge').status === 'met', 'acknowledged');
    const receivedMs = Date.parse(s.receivedAt);
    const expiresAt = new Date(receivedMs + 180 * DAY).toISOString();
    expect(verifyRatingToken(token, RATING_SECRET, receivedMs, 'status')).toEqual({
      requestId: h.workflowId,
      tokenId: 'status-zh',
      expiresAt,
    });
    // Open until the last millisecond of its validity, not after.
    expect(isRatingTokenError(verifyRatingToken(token, RATING_SECRET, receivedMs + 180 * DAY - 1, 'status'))).toBe(false);
    expect(verifyRatingToken(token, RATING_SECRET, receivedMs + 180 * DAY, 'status')).toEqual({ error: 'expired' });
    // Never a rating, quote or report link.
    for (const purpose of ['rating', 'quote', 'report'] as LinkPurpose[]) {
      expect(verifyRatingToken(token, RATING_SECRET, receivedMs, purpose)).toEqual({ error: 'bad_signature' });
    }
    // The activity's input is fixed by the request (token id, expiry from receipt): a retry signs the very same link.
    expect(await linkRequests(h)).toEqual([{ purpose: 'status', requestId: h.workflowId, tokenId: 'status-zh', expiresAt }]);
    expect(signRatingToken({ requestId: h.workflowId, tokenId: 'status-zh', expiresAt }, RATING_SECRET, 'status')).toBe(token);

    // Dispatch did not wait for the link; the request goes on as before, and the link stays the one sent.
    await untilStatus(h, 'assigned');
    await act.cancel(h);
    await untilStatus(h, 'cancelled');
    expect((await smsOf(suite.bed, h, 'received')).map((l) => l.text)).toEqual([sms.text]);
    await recordHistory(h, 'v5-status-link');
  });

  test("the expiry follows the request's policy (statusLink.validity), and an English receipt says it in English", async () => {
    const { bed } = suite;
    const policy = policyVariant('2026.2-status-30d', (raw) => {
      raw.statusLink = { validity: '30 days' };
    });
    const h = await suite.start(
      { customer: { name: 'Jane Doe', phone: '+8613812345678', address: '1 Century Avenue, Shanghai', language: 'en' } },
      policy,
    );
    const sms = await receipt(bed, h);
    expect(sms.text).toMatch(
      /^\[Aftercare\] Your service request \S+ has been received\. .* Check its progress at any time: http:\/\/aftercare\.test\/s\/\S+$/,
    );
    const receivedMs = Date.parse((await h.state()).receivedAt);
    // The token id names the request's language: the page opens in English.
    expect(verifyRatingToken(tokenOf(sms.text), RATING_SECRET, receivedMs, 'status')).toEqual({
      requestId: h.workflowId,
      tokenId: 'status-en',
      expiresAt: new Date(receivedMs + 30 * DAY).toISOString(),
    });
  });

  test("a complaint's receipt (complaint_registered) and a return's receipt (received) carry the link too", async () => {
    const { bed } = suite;
    const complaint = await suite.start({ type: 'complaint', complaint: { classification: 'timeliness' } });
    const registered = await receipt(bed, complaint, 'complaint_registered');
    expect(registered.text).toMatch(/我们将认真调查处理，并及时向您反馈处理进展。服务进度随时查询：http:\/\/aftercare\.test\/s\/\S+$/);
    expect(verifyRatingToken(tokenOf(registered.text), RATING_SECRET, await serverNow(bed), 'status')).toMatchObject({
      requestId: complaint.workflowId,
    });
    expect((await smsOf(bed, complaint)).map((x) => x.kind)).not.toContain('received');

    const purchaseDate = DateTime.fromMillis(await serverNow(bed), { zone: ZONE })
      .minus({ days: 3 })
      .toISODate() as string;
    const ret = await suite.start({
      type: 'return',
      problem: { description: '新买的热水器点火失败，显示 E1，无法使用' },
      product: { model: 'JSQ25-13A', purchaseDate, category: 'gas_water_heater' },
    });
    const received = await receipt(bed, ret);
    expect(verifyRatingToken(tokenOf(received.text), RATING_SECRET, await serverNow(bed), 'status')).toMatchObject({
      requestId: ret.workflowId,
      tokenId: 'status-zh',
    });
    await untilStatus(ret, 'inspection');
  });
});

describe('when the link cannot be issued', () => {
  const suite = useBed({ linksDown: ['status'] });

  test('the receipt goes without it, on time, and the timeline says why', async () => {
    const { bed } = suite;
    const h = await suite.start();
    const sms = await receipt(bed, h);
    expect(sms.text).not.toMatch(/\/s\//);
    expect(sms.text).toMatch(/已受理，我们将尽快安排工程师与您联系，请保持电话畅通。$/);
    const s = await untilState(h, (x) => deadline(x, 'acknowledge').status === 'met', 'acknowledged');
    expect(s.timeline.find((t) => t.event === 'status_link_not_issued')?.detail).toMatch(
      /status links are down; receipt SMS without the link/,
    );
    expect(s.escalationLevel).toBe(0);
    await untilStatus(h, 'assigned');
  });
});
