import { createBed, type Bed } from './support/env';
import { untilStatus } from './support/scenario';
import { ACTION_UPDATES } from '../../workflows/messages';

let bed: Bed;
beforeAll(async () => {
  bed = await createBed();
});
afterAll(async () => {
  await bed?.teardown();
});

test('happy path: received → dispatched → accepted → scheduled → on site → completed', async () => {
  const h = await bed.start();
  // The workflow runs its first tasks (ack, candidates, assignment) in real time: wait for them, however slow.
  let s = await untilStatus(h, 'assigned');
  const tech = s.technicianId!;
  expect(tech).toBeDefined();
  await h.executeUpdate(ACTION_UPDATES.accept, { args: [{ technicianId: tech }] });
  const visitAt = new Date((await bed.env.currentTimeMs()) + 3600_000).toISOString();
  await h.executeUpdate(ACTION_UPDATES.appointment, { args: [{ technicianId: tech, at: visitAt }] });
  await bed.env.sleep('30m');
  await h.executeUpdate(ACTION_UPDATES.arrival, { args: [{ technicianId: tech }] });
  s = await h.executeUpdate(ACTION_UPDATES.completion, { args: [{ technicianId: tech, resolved: true, notes: 'replaced ignition' }] });
  expect(s.status).toBe('completed');
  const final = await h.result();
  // The 24-hour call-back and the 72-hour feedback window were waited out on the time-skipping server (within
  // this test's timeout, however busy the machine: no wall-clock bound here).
  const workflowHours = (Date.parse(final.closedAt!) - Date.parse(final.receivedAt)) / 3600_000;
  expect(workflowHours).toBeGreaterThan(24 + 72);
  expect(final.status).toBe('closed');
  expect(final.outcome).toBe('no_feedback');
  const kinds = (await bed.outbox()).map((l) => l.kind);
  // Lifecycle 4: the completion SMS carries the service report's link (`completed_report`).
  expect(kinds).toEqual(expect.arrayContaining(['received', 'assigned', 'tech_assignment', 'visit_booked', 'completed_report', 'survey']));
});
