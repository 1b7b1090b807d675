/**
 * Lifecycle 5, repeat repairs (issue 14; 二次上门): a repair of the same customer's same product within the policy
 * window (`repeatRepair.window`, 90 days) after an earlier repair was fixed is flagged and linked at intake, raised to
 * level 1 (the dispatch lead is paged), and automatic dispatch leaves out the technician whose fix did not hold —
 * ops may still assign them. Outside the window, or for another product, nothing of it happens.
 */
import type { EarlierRequest } from '../../workflows/messages';
import { act, assignedTech, policyVariant, recordHistory, serverNow, settle, smsOf, untilState, useBed } from './support/scenario';

const suite = useBed();
const DAY = 86_400_000;

/** An earlier repair of the same product, fixed `daysAgo` before now (server time) by `by`. */
async function earlierFix(daysAgo: number, by: string, over: Partial<EarlierRequest> = {}): Promise<EarlierRequest> {
  const now = await serverNow(suite.bed);
  return {
    requestId: 'sr-crm-CRM-0601',
    ticket: 'CRM-CRM-0601',
    startedAt: new Date(now - (daysAgo + 2) * DAY).toISOString(),
    status: 'closed',
    type: 'repair',
    sameProduct: true,
    resolvedAt: new Date(now - daysAgo * DAY).toISOString(),
    resolvedBy: by,
    ...over,
  };
}

/** Whom automatic dispatch picks first for the default request: the technician a repeat must not get. */
async function firstChoice(): Promise<string> {
  const h = await suite.start();
  const tech = await assignedTech(h);
  await settle(h);
  // Its load would change the next pick: end it and free its claim, as the after-each does between tests.
  await h.terminate('probe over');
  suite.bed.board.book.clear();
  return tech;
}

test('a repair 30 days after the same product was fixed: flagged, linked, level 1, the earlier technician left out', async () => {
  const earlierTech = await firstChoice();
  const earlier = await earlierFix(30, earlierTech);
  const h = await suite.start({}, undefined, { history: [earlier] });
  const s = await untilState(h, (x) => x.status === 'assigned', 'assigned');

  expect(s.repeatRepair).toEqual({
    requestId: earlier.requestId,
    ticket: earlier.ticket,
    resolvedAt: earlier.resolvedAt,
    technicianId: earlierTech,
  });
  expect(s.timeline.map((t) => t.event)).toContain('repeat_repair');
  expect(s.escalationLevel).toBe(1);
  expect(s.escalations[0]).toEqual(expect.objectContaining({ level: 1, reason: 'repeat_repair', detail: `repeats ${earlier.ticket}` }));
  expect(s.technicianId).not.toBe(earlierTech);
  expect(s.assignments.map((a) => a.technicianId)).not.toContain(earlierTech);
  await settle(h);
  // The dispatch lead is paged; the search attribute links the two for ops and the daily report.
  expect((await smsOf(suite.bed, h, 'ops_alert')).map((l) => l.text).join('\n')).toContain('repeat_repair');
  const attrs = (await h.describe()).searchAttributes as Record<string, unknown>;
  expect(attrs.RepeatOf).toEqual([earlier.requestId]);

  // Ops may still choose the earlier technician.
  const chosen = await act.assign(h, earlierTech);
  expect(chosen.technicianId).toBe(earlierTech);
  await recordHistory(h, 'v5-repeat-repair');
});

test('outside the window, another product or an earlier request that was never fixed: not a repeat', async () => {
  const tech = await firstChoice();
  const histories: EarlierRequest[][] = [
    [await earlierFix(91, tech)],
    [await earlierFix(10, tech, { sameProduct: false })],
    [await earlierFix(10, tech, { type: 'installation' })],
    [{ ...(await earlierFix(10, tech)), resolvedAt: undefined, resolvedBy: undefined, status: 'cancelled' }],
  ];
  for (const history of histories) {
    const h = await suite.start({}, undefined, { history: history.map((e) => JSON.parse(JSON.stringify(e)) as EarlierRequest) });
    const s = await untilState(h, (x) => x.status === 'assigned', 'assigned');
    expect(s).not.toHaveProperty('repeatRepair');
    expect(s.escalationLevel).toBe(0);
    expect(s.technicianId).toBe(tech);
    await settle(h);
    await h.terminate('next case');
    suite.bed.board.book.clear();
  }
});

test('the policy sets the window: 14 days makes a fix 30 days ago no repeat', async () => {
  const tech = await firstChoice();
  const policy = policyVariant('repeat-14d', (raw) => {
    raw.repeatRepair = { window: '14 days' };
  });
  const h = await suite.start({}, policy, { history: [await earlierFix(30, tech)] });
  const s = await untilState(h, (x) => x.status === 'assigned', 'assigned');
  expect(s).not.toHaveProperty('repeatRepair');
  expect(s.technicianId).toBe(tech);
  await settle(h);
});
