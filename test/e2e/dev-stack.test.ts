/**
 * Issue 2, acceptance 1 and 4: `npm start`'s process (dist/src/dev.js) brings up Temporal dev server + UI,
 * worker and API; Ctrl-C stops all of it and leaves no process behind; a restart finds the earlier request
 * in the same SQLite file. Own ports and a temp database, so it runs beside a developer's `npm start`.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { freePort } from '../support/ports';
import { startBody, TOKENS } from './api-stack';

const dir = mkdtempSync(join(tmpdir(), 'aftercare-dev-'));
let ports: { api: number; temporal: number; ui: number };
let proc: ChildProcess | undefined;
let output = '';

function startStack(): Promise<void> {
  output = '';
  proc = spawn(process.execPath, [join(PROJECT_ROOT, 'dist', 'src', 'dev.js')], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      PORT: String(ports.api),
      TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
      TEMPORAL_UI_PORT: String(ports.ui),
      TEMPORAL_DB_FILE: join(dir, 'temporal.db'),
      TEMPORAL_TASK_QUEUE: `dev-stack-${process.pid}`,
      SMS_OUTBOX_FILE: join(dir, 'outbox.jsonl'),
      PHOTO_STORAGE_DIR: join(dir, 'photos'),
      WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes('Aftercare is up')) {
        clearInterval(timer);
        resolve();
      } else if (proc?.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`dev stack exited early:\n${output}`));
      }
    }, 200);
  });
}

async function stopStack(): Promise<number | null> {
  const p = proc;
  if (!p || p.exitCode !== null) return p?.exitCode ?? null;
  const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
  p.kill('SIGINT');
  return exited;
}

/** Processes of this test's stack (matched by its private database path and ports). */
function leftovers(): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(dir) || l.includes(`127.0.0.1:${ports.temporal}`));
}

const api = (path: string, init: RequestInit = {}) =>
  fetch(`http://127.0.0.1:${ports.api}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKENS.integration}`, 'content-type': 'application/json', ...init.headers },
  });

beforeAll(async () => {
  ports = { api: await freePort(), temporal: await freePort(), ui: await freePort() };
});
afterAll(async () => {
  await stopStack();
  rmSync(dir, { recursive: true, force: true });
});

test('the embedded stack starts, stops cleanly and keeps its requests across a restart', async () => {
  await startStack();
  expect((await fetch(`http://127.0.0.1:${ports.api}/healthz`)).status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${ports.api}/readyz`)).status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);

  const created = await api('/v1/service-requests', { method: 'POST', body: JSON.stringify(startBody(`DEV-${process.pid}`)) });
  expect(created.status).toBe(201);
  const { requestId } = (await created.json()) as { requestId: string };

  expect(await stopStack()).toBe(0);
  expect(leftovers()).toEqual([]);

  await startStack();
  const again = await api(`/v1/service-requests/${requestId}`);
  expect(again.status).toBe(200);
  const state = (await again.json()) as { requestId: string; timeline: unknown[] };
  expect(state.requestId).toBe(requestId);
  expect(state.timeline.length).toBeGreaterThan(0);
  expect(await stopStack()).toBe(0);
  expect(leftovers()).toEqual([]);
}, 180_000);
