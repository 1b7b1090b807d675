/**
 * The status page's view (src/api/status/page.ts) for the ways a request can go that the route and browser tests do
 * not walk: resolved by phone, on hold, a declined quote, no rating before the link expired, a low score followed up,
 * a consultation at first line, and escaping of what staff typed.
 */
import { renderStatusPage, statusView } from '../../src/api/status/page';
import type { ServiceRequestState } from '../../workflows/messages';
import { FakePort } from '../api/fakePort';

const R = '2025-05-30T02:00:00.000Z';
const port = new FakePort();
port.now = () => Date.parse(R);
/** A request just received (the route tests' fake port seeds it as the workflow starts one). */
const base: ServiceRequestState = port.seed({ requestId: 'sr-crm-1', ticket: 'CRM-1' });
const TECH = { technicianId: 't1', name: '张伟', workNumber: 'T-1', tier: 1, visit: 1, by: 'auto' as const, assignedAt: R };
const states = (s: Partial<ServiceRequestState>, lang: 'zh' | 'en' = 'en') =>
  statusView({ ...base, ...s }, lang, 'Asia/Shanghai').stages.map((x) => `${x.id}:${x.state}${x.detail ? ` (${x.detail})` : ''}`);

test('resolved by phone: the visit stages not needed, completed says so; the rating awaited', () => {
  expect(states({ status: 'completed', remoteResolution: { at: R, notes: 'reset' } })).toEqual([
    'received:done',
    'assigned:skipped',
    'booked:skipped',
    'on_site:skipped',
    'completed:done (Resolved by phone or remotely; no visit needed)',
    'report:skipped (No service report for this service)',
    'rating:current (Please rate the service with the link in the completion SMS)',
  ]);
});

test('on hold: the banner, the stages of the status it resumes to; a quote or parts on site say what is awaited', () => {
  const held = statusView(
    {
      ...base,
      status: 'on_hold',
      onHold: { since: R, reason: 'customer away', resumeTo: 'scheduled' },
      assignments: [TECH],
      technicianId: 't1',
    },
    'zh',
    'Asia/Shanghai',
  );
  expect(held.banner).toEqual({ kind: 'on_hold', text: '服务暂停中，恢复后我们将与您联系' });
  expect(held.stages.find((x) => x.id === 'booked')?.state).toBe('done');
  // The staff's hold reason is not shown.
  expect(JSON.stringify(held)).not.toContain('customer away');
  expect(states({ status: 'quote_pending', assignments: [TECH] })).toContain(
    'on_site:done (A repair quote awaits your decision (see the link in the quote SMS))',
  );
  expect(states({ status: 'waiting_parts', assignments: [TECH] })).toContain(
    'on_site:done (Waiting for spare parts; the technician will book a visit once they arrive)',
  );
});

test('closed: a declined quote, no rating before the link expired; a low score is followed up', () => {
  const declined = statusView(
    { ...base, status: 'closed', outcome: 'quote_declined', assignments: [TECH], quotes: [{} as never] },
    'en',
    'Asia/Shanghai',
  );
  expect(declined.banner?.text).toBe('You declined the repair quote; the request is closed.');
  expect(declined.stages.map((x) => `${x.id}:${x.state}`)).toEqual([
    'received:done',
    'assigned:done',
    'booked:done',
    'on_site:done',
    'completed:skipped',
    'report:skipped',
    'rating:skipped',
  ]);
  const done = [{ at: R, resolved: true, notes: 'x', technicianId: 't1' }];
  expect(states({ status: 'closed', outcome: 'no_feedback', assignments: [TECH], completion: done })).toContain(
    'rating:skipped (Not rated (the rating link has expired))',
  );
  expect(states({ status: 'follow_up', assignments: [TECH], completion: done, feedback: { score: 2, at: R } }, 'zh')).toContain(
    'rating:done (已评价：2 分（满分 5 分） · 服务主管正在跟进您的反馈)',
  );
});

test('a consultation at first line: no technician arranged yet; the next promise is an open deadline the customer waits on', () => {
  const v = statusView(
    {
      ...base,
      type: 'consultation',
      status: 'first_line',
      deadlines: [
        {
          id: 'photos',
          milestone: 'photos',
          visit: 1,
          span: '1h',
          startedAt: R,
          dueAt: '2025-05-30T02:30:00.000Z',
          status: 'pending',
          business: false,
        },
        {
          id: 'resolution',
          milestone: 'resolution',
          visit: 1,
          span: '2d',
          startedAt: R,
          dueAt: '2025-06-01T02:00:00.000Z',
          status: 'pending',
          business: false,
        },
      ],
    },
    'en',
    'Asia/Shanghai',
  );
  expect(v.stages.find((x) => x.id === 'assigned')).toEqual({ id: 'assigned', state: 'upcoming' });
  // The photo check is internal: the promise is the resolution.
  expect(v.next).toEqual({ label: 'Fixed by', at: '2025-06-01T02:00:00.000Z' });
});

test('whatever staff typed is escaped', () => {
  const html = renderStatusPage({
    lang: 'en',
    state: { ...base, ticket: 'CRM-<b>1</b>', status: 'cancelled', cancelReason: '<script>alert(1)</script>' },
    timeZone: 'Asia/Shanghai',
    hotline: '400-800-1234',
    expiresAt: '2025-11-26T02:00:00.000Z',
  });
  expect(html).not.toContain('<script>alert(1)</script>');
  expect(html).toContain('Reason: &lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html).toContain('CRM-&lt;b&gt;1&lt;/b&gt;');
  expect(html).toContain('This link works until Wed, 26 November 2025 at 10:00');
});
