/**
 * Test-only workflow: drives `Deadlines` directly in the real workflow runtime, to pin rules that the
 * service-request scenarios cannot reach deterministically (a timer that fires late on a busy server).
 */
import { sleep } from '@temporalio/workflow';
import { Deadlines } from '../../../workflows/deadlines';
import type { CalendarSpec } from '../../../src/domain/policyTypes';
import type { DeadlineState } from '../../../workflows/deadlines';

const HOUR = 3_600_000;
const ROUND_THE_CLOCK: CalendarSpec = {
  timeZone: 'Asia/Shanghai',
  workStart: '00:00',
  workEnd: '24:00',
  workingDays: [1, 2, 3, 4, 5, 6, 7],
  holidays: [],
  extraWorkingDays: [],
  allHours: true,
};

/** A 1-hour deadline met `metAfterDueMs` after its due time (negative: before), before its timer is handled. */
export async function deadlineProbe(metAfterDueMs: number): Promise<{ deadline: DeadlineState; breaches: string[] }> {
  const breaches: string[] = [];
  const d = new Deadlines({
    calendar: ROUND_THE_CLOCK,
    warningAt: 0,
    context: 'probe',
    onWarn: () => undefined,
    onBreach: (s) => breaches.push(s.id),
  });
  const s = d.start('response', { ms: HOUR, business: false, text: '1h' });
  d.met(s.id, Date.parse(s.dueAt) + metAfterDueMs);
  // Past the due time: a cancelled timer must not breach (again).
  await sleep(2 * HOUR);
  return { deadline: s, breaches };
}
