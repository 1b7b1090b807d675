/**
 * Lifecycle 4, the purchase invoice as proof for the warranty: an `invoice` photo announced with the photo signal
 * is recorded on the warranty judgement (`warranty.proof`, timeline `warranty_proof`) without changing it, and is
 * not one of the visit's photos: the completion photo check still wants before, after and signature, and a later
 * invoice does not make it check again. Purchase dates are set from the test server's clock.
 */
import { DateTime } from 'luxon';
import { photoUploadedSignal } from '../../workflows/messages';
import type { Bed, Handle } from './support/env';
import {
  act,
  advanceTo,
  ALL_PHOTOS,
  deadline,
  JPEG,
  MIN,
  near,
  onSiteNow,
  PNG,
  serverNow,
  settle,
  smsOf,
  untilState,
  uploadPhotos,
  useBed,
  ZONE,
} from './support/scenario';

const suite = useBed();
const S = 1000;

/** Stores the invoice photo and announces it, as the photo route does; returns its key. */
async function uploadInvoice(bed: Bed, h: Handle, body: Buffer, contentType: string): Promise<string> {
  const stored = await bed.storage.put(h.workflowId, 'invoice', body, contentType);
  await h.signal(photoUploadedSignal, { kind: 'invoice', key: stored.key, at: new Date(await serverNow(bed)).toISOString() });
  return stored.key;
}

test('an invoice at intake is the warranty proof; alone it does not pass the photo check, and a later one does not re-check', async () => {
  const { bed } = suite;
  const purchaseDate = DateTime.fromMillis(await serverNow(bed), { zone: ZONE })
    .minus({ years: 1 })
    .toISODate() as string;
  const h = await suite.start({ product: { model: 'JSQ25-13A', purchaseDate, category: 'gas_water_heater' } });
  const judged = await untilState(h, (s) => s.warranty !== undefined, 'warranty judged');
  expect(judged.warranty?.proof).toBeUndefined();

  // The customer's invoice, sent by the CRM at intake.
  const uploadedAt = await serverNow(bed);
  const key = await uploadInvoice(bed, h, JPEG, 'image/jpeg');
  expect(key).toMatch(new RegExp(`^${h.workflowId}/invoice/[0-9a-f]{64}\\.jpg$`));
  let s = await untilState(h, (x) => x.warranty?.proof !== undefined, 'warranty proof');
  expect(s.warranty).toEqual({ ...judged.warranty, proof: { invoicePhoto: key, at: near(uploadedAt) } });
  expect(s.chargeable).toEqual(judged.chargeable);
  expect(s.timeline.filter((e) => e.event === 'warranty_proof')).toEqual([
    { at: expect.any(String), event: 'warranty_proof', detail: `invoice ${key}` },
  ]);
  expect(s.photos).toEqual([]);

  // Completed with only the invoice in storage: the check waits for the deadline, then finds every visit photo missing.
  const tech = await onSiteNow(bed, h);
  const T = Date.parse((await act.complete(h, tech)).completion?.[0]?.at as string);
  await advanceTo(bed, T + 30 * MIN + S);
  s = await untilState(h, (x) => x.photoChecks.length === 1 && x.escalationLevel === 1, 'first photo check');
  expect(s.photoChecks).toEqual([{ at: near(T + 30 * MIN), ok: false, missing: ['before', 'after', 'signature'], invalid: [] }]);
  expect(deadline(s, 'photos').status).toBe('breached');

  // A clearer scan of the invoice from the technician: the proof moves on, the photo check does not run again.
  await advanceTo(bed, T + 35 * MIN);
  const second = await uploadInvoice(bed, h, PNG, 'image/png');
  await untilState(h, (x) => x.warranty?.proof?.invoicePhoto === second, 'second proof');
  await settle(h); // a re-check, were there one, would have run by now
  s = await h.state();
  expect(s.warranty?.proof).toEqual({ invoicePhoto: second, at: near(T + 35 * MIN) });
  expect(s.warranty?.status).toBe(judged.warranty?.status);
  expect(s.timeline.filter((e) => e.event === 'warranty_proof').map((e) => e.detail)).toEqual([`invoice ${key}`, `invoice ${second}`]);
  expect(s.photoChecks).toHaveLength(1);
  expect(s.photos).toEqual([]);

  // The visit's photos arrive, each one a re-check (one at a time: each check is in before the next upload); the
  // last passes — the invoices in storage were never what it counted.
  await advanceTo(bed, T + 40 * MIN);
  for (const [i, kind] of (['before', 'after', 'signature'] as const).entries()) {
    await uploadPhotos(bed, h, { [kind]: ALL_PHOTOS[kind] });
    s = await untilState(h, (x) => x.photoChecks.length === i + 2, `photo check after ${kind}`);
  }
  expect(s.photoChecks.map((c) => c.missing)).toEqual([['before', 'after', 'signature'], ['after', 'signature'], ['signature'], []]);
  expect(s.photoChecks.at(-1)).toEqual({ at: near(T + 40 * MIN), ok: true, missing: [], invalid: [] });
  expect(deadline(s, 'photos')).toMatchObject({ status: 'breached', metAt: near(T + 40 * MIN) });
  expect(s.photos.map((p) => p.kind)).toEqual(['before', 'after', 'signature']);
  expect(await smsOf(bed, h, 'tech_photo_reminder')).toHaveLength(1);
});

test('invoice, before and after uploaded but no signature: the check at completion does not run early, and finds the signature missing', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const tech = await onSiteNow(bed, h);
  await uploadInvoice(bed, h, JPEG, 'image/jpeg');
  await uploadPhotos(bed, h, { before: JPEG, after: PNG });
  const T = Date.parse((await act.complete(h, tech)).completion?.[0]?.at as string);
  await settle(h);
  expect((await h.state()).photoChecks).toEqual([]);
  await advanceTo(bed, T + 30 * MIN + S);
  const s = await untilState(h, (x) => x.photoChecks.length === 1, 'photo check at the deadline');
  expect(s.photoChecks).toEqual([{ at: near(T + 30 * MIN), ok: false, missing: ['signature'], invalid: [] }]);
  expect(s.warranty?.proof).toBeDefined();
});
