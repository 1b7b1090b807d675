import { createBed, type Bed } from './support/env';
import { ACTION_UPDATES } from '../../workflows/messages';

let bed: Bed;
beforeAll(async () => {
  bed = await createBed();
});
afterAll(async () => {
  await bed?.teardown();
});

test('happy path: received → dispatched → accepted → scheduled → on site → completed', async () => {
  const startedAt = Date.now();
  const h = await bed.start();
  // Let the workflow run its first tasks (ack, candidates, assignment).
  await bed.env.sleep('1s');
  let s = await h.state();
  expect(s.status).toBe('assigned');
  const tech = s.technicianId!;
  expect(tech).toBeDefined();
  await h.executeUpdate(ACTION_UPDATES.accept, { args: [{ technicianId: tech }] });
  await h.executeUpdate(ACTION_UPDATES.appointment, { args: [{ technicianId: tech, at: new Date(Date.now() + 3600_000).toISOString() }] });
  await bed.env.sleep('30m');
  await h.executeUpdate(ACTION_UPDATES.arrival, { args: [{ technicianId: tech }] });
  s = await h.executeUpdate(ACTION_UPDATES.completion, { args: [{ technicianId: tech, resolved: true, notes: 'replaced ignition' }] });
  expect(s.status).toBe('completed');
  const final = await h.result();
  // The 24-hour call-back and the 72-hour feedback window were waited out on the time-skipping server.
  expect(Date.now() - startedAt).toBeLessThan(60_000);
  const workflowHours = (Date.parse(final.closedAt!) - Date.parse(final.receivedAt)) / 3600_000;
  expect(workflowHours).toBeGreaterThan(24 + 72);
  expect(final.status).toBe('closed');
  expect(final.outcome).toBe('no_feedback');
  const kinds = (await bed.outbox()).map((l) => l.kind);
  expect(kinds).toEqual(expect.arrayContaining(['received', 'assigned', 'tech_assignment', 'visit_booked', 'completed', 'survey']));
});
