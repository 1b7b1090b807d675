/**
 * Customer history in the workflow: the earlier requests the API found at intake (start input `history`) are copied
 * into the state as `earlierRequests` and stay as they were through the request's actions; a request started
 * without them (from before customer history) has none. The copy adds nothing to the history: no command, timer,
 * activity or search-attribute upsert (old histories replay: replay.test.ts).
 */
import type { EarlierRequest } from '../../workflows/messages';
import { act, assignedTech, eventName, settle, untilState, useBed } from './support/scenario';

const suite = useBed();

const HISTORY: EarlierRequest[] = [
  { requestId: 'sr-crm-CRM-0902', ticket: 'CRM-CRM-0902', startedAt: '2025-03-02T01:00:00.000Z', status: 'closed', sameProduct: true },
  { requestId: 'sr-hl-HL-77', ticket: 'HL-HL-77', startedAt: '2024-11-20T08:30:00.000Z', sameProduct: false },
];

test("the start input's history is the state's earlierRequests, unchanged by the request's progress", async () => {
  const h = await suite.start({}, undefined, { history: HISTORY });
  const s = await untilState(h, (x) => x.status === 'assigned', 'assigned');
  expect(s.earlierRequests).toEqual(HISTORY);
  const tech = await assignedTech(h);
  const accepted = await act.accept(h, tech);
  expect(accepted.earlierRequests).toEqual(HISTORY);
  await settle(h);
  expect((await h.state()).earlierRequests).toEqual(HISTORY);
});

test('an empty history is shown as none found; a start without one (before customer history) has no field', async () => {
  const none = await suite.start({}, undefined, { history: [] });
  expect((await untilState(none, (x) => x.timeline.length > 0, 'received')).earlierRequests).toEqual([]);
  const before = await suite.start();
  const s = await untilState(before, (x) => x.timeline.length > 0, 'received');
  expect(s).not.toHaveProperty('earlierRequests');
});

test('the copy writes nothing to the history: the same events as a request started without it', async () => {
  const types = async (history?: EarlierRequest[]) => {
    const h = await suite.start({ type: 'consultation' }, undefined, history ? { history } : {});
    await untilState(h, (x) => x.status === 'first_line', 'first line');
    await settle(h);
    const events = (await h.fetchHistory()).events ?? [];
    // Workflow tasks batch differently with timing; what the workflow did is in the other events.
    return events
      .map(eventName)
      .filter((n) => !n.startsWith('EVENT_TYPE_WORKFLOW_TASK_'))
      .sort();
  };
  expect(await types(HISTORY)).toEqual(await types());
});
