/**
 * Issue 17 (small): scaling out. Two worker processes on the one task queue and two API processes against one
 * dev server; every HTTP call of the load goes to the next API in turn. Each worker in turn is SIGKILLed and left
 * down while the other carries all the work, then restarted. Every request ends as planned, the requests left
 * alone breach and are escalated, every SMS is in the (shared) outbox exactly once. Full size:
 * `npm run chaos -- --only 6`. The scenario lives in bench/chaos/scenarios.ts.
 *
 * Both workers append to one outbox file, so its dedupe must hold across processes: the second test races
 * processes over the same keys on the compiled provider (dist/, built by the integration setup).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chaosTwoWorkers } from '../../bench/chaos/scenarios';
import { stopAllStacks } from '../../bench/lib/stack';
import { readOutbox } from '../../src/adapters/sms/outbox';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

// A test that timed out leaves its processes running: stop them.
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await stopAllStacks();
});

// Normally about 75 s. A request stuck for 150 s ends the scenario with a report (well inside the timeout).
test('two workers + two APIs, each worker SIGKILLed once while the other runs: nothing lost, nothing twice, deadlines fire', async () => {
  const r = await chaosTwoWorkers({ address: process.env.TEMPORAL_TEST_ADDRESS, n: 30, kills: 2, driveTimeoutMs: 150_000 });
  expect(r.failures).toEqual([]);
  expect(r.report?.problems).toEqual([]);
  expect(r.report).toMatchObject({
    lost: 0,
    nondeterministic: 0,
    wrongState: 0,
    missedDeadlines: 0,
    metLate: 0,
    unrecordedBreaches: 0,
    unnotifiedBreaches: 0,
    duplicateSms: 0,
    missingSms: 0,
    extraSms: 0,
  });
  expect(r.report?.deadlinesFired).toBeGreaterThan(0);
  // Each worker was killed once, and the other one worked while it was down.
  expect((r.faults.workerKills as { worker: number }[]).map((k) => k.worker)).toEqual([1, 2]);
  expect((r.faults.survivorTasksWhileDown as number[]).some((n) => n > 0)).toBe(true);
  for (const w of r.faults.tasksPerWorker as { workflowTasks: number; activities: number }[]) {
    expect(w.workflowTasks).toBeGreaterThan(0);
    expect(w.activities).toBeGreaterThan(0);
  }
  expect(r.faults.requestsOnBothWorkers).toBeGreaterThan(0);
  for (const calls of r.faults.apiCallsPerInstance as number[]) expect(calls).toBeGreaterThan(0);
}, 360_000);

/** Runs a node process that sends `keys` (in the order given, 8 at a time) through the compiled outbox provider. */
function sendFromProcess(file: string, keys: string[]): Promise<{ sent: number; duplicate: number }> {
  const script = `
    const { OutboxSmsProvider } = require(${JSON.stringify(join(PROJECT_ROOT, 'dist', 'src', 'adapters', 'sms', 'outbox.js'))});
    const outbox = new OutboxSmsProvider({ file: ${JSON.stringify(file)} });
    const keys = ${JSON.stringify(keys)};
    const counts = { sent: 0, duplicate: 0 };
    let next = 0;
    const lane = async () => {
      while (next < keys.length) {
        const key = keys[next++];
        const r = await outbox.send({ to: '+8613800138000', kind: 'received', text: 'x', idempotencyKey: key, requestId: key.split(':')[0] });
        counts[r.status]++;
      }
    };
    Promise.all(Array.from({ length: 8 }, lane)).then(() => process.stdout.write(JSON.stringify(counts)));
  `;
  const child = spawn(process.execPath, ['-e', script], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.once(
      'exit',
      (code) => (
        children.delete(child),
        code === 0 ? resolve(JSON.parse(out) as { sent: number; duplicate: number }) : reject(new Error(out))
      ),
    ),
  );
}

test('outbox: processes racing over the same keys write each key once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aftercare-outbox-race-'));
  try {
    const file = join(dir, 'outbox.jsonl');
    const keys = Array.from({ length: 200 }, (_, i) => `sr-race-${i % 40}:received:${i}`);
    // Three processes, each in its own order, so that they meet on many keys at once.
    const orders = [keys, [...keys].reverse(), keys.map((_, i) => keys[(i * 7) % keys.length] as string)];
    const results = await Promise.all(orders.map((order) => sendFromProcess(file, order)));
    const lines = await readOutbox(file);
    expect(lines.length).toBe(keys.length);
    expect(new Set(lines.map((l) => l.idempotencyKey)).size).toBe(keys.length);
    expect(results.reduce((a, r) => a + r.sent, 0)).toBe(keys.length);
    expect(results.reduce((a, r) => a + r.duplicate, 0)).toBe(2 * keys.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
