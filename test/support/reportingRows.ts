/**
 * What the reporting database holds for a request, and the check the projection tests share: every event the final
 * state implies is there exactly once, the SMS events are the request's messages once each, the row is current.
 */
import type { Pool } from 'pg';
import { PAGE_SMS_KINDS } from '../../src/adapters/sms';
import { requestEvents } from '../../src/domain/reporting';
import type { ServiceRequestState } from '../../workflows/messages';

export type Row = Record<string, unknown>;

export async function projectedRows(pool: Pool, requestId: string): Promise<{ request?: Row; events: Row[] }> {
  const request = (await pool.query<Row>('SELECT * FROM requests WHERE request_id = $1', [requestId])).rows[0];
  const events = (await pool.query<Row>('SELECT * FROM request_events WHERE request_id = $1 ORDER BY event_id', [requestId])).rows;
  return { request, events };
}

/** Pages to escalation contacts: their events are the `ops` ones, not counted here. */
const PAGE_KINDS = new Set<string>(PAGE_SMS_KINDS);

/** `outbox`: the request's outbox lines; its messages to the customer and technicians must each be one event. */
export async function expectProjected(pool: Pool, final: ServiceRequestState, outbox: { kind: string }[]): Promise<void> {
  const smsSent = outbox.filter((l) => !PAGE_KINDS.has(l.kind)).length;
  const { events, request } = await projectedRows(pool, final.requestId);
  const ids = events.map((e) => e.event_id as string);
  expect(new Set(ids).size).toBe(ids.length);
  const implied = requestEvents({ seq: 0, state: final, product: { model: '', category: '' }, region: '', sms: [] });
  expect(ids.filter((id) => !id.includes('/sms/')).sort()).toEqual(implied.map((e) => e.event_id).sort());
  const sms = events.filter((e) => e.kind === 'sms' && e.detail !== 'ops');
  expect({ smsEvents: sms.length, allSent: sms.every((e) => e.ok === true) }).toEqual({ smsEvents: smsSent, allSent: true });
  expect(request).toMatchObject({ status: final.status, outcome: final.outcome ?? null, score: final.feedback?.score ?? null });
}
