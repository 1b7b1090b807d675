/**
 * Memory probe: runs the product's workflow bundle and activities in this process on a private dev server,
 * starts N requests (default policy, so they stay open), then takes a heap snapshot of the SDK's workflow
 * thread(s) and prints its size per cached request, the biggest object classes and, for closures, which
 * bundled module created them (from the snapshot's source locations).
 *   npm run build && node dist/bench/heapProbe.js 300
 * Options (environment): PROBE_BUNDLE=<bundle .js> (default dist/workflow-bundle.js), PROBE_REUSE_V8=0
 * (SDK's older one-context-per-workflow executor), PROBE_MAX_CACHED=<n>, PROBE_WAIT_MS (settle time, 15000), PROBE_OUT=<file.json> (aggregates,
 * for `node dist/bench/heapProbe.js diff a.json b.json`, which prints (b − a) / (Nb − Na) per class: the
 * marginal cost of one more cached request, without the bundle's fixed share).
 *
 * `node dist/bench/heapProbe.js rss 3000 [step]`: the product worker as its own process instead (dist/src/worker.js,
 * or bench/tunedWorker.ts with BENCH_TUNED_WORKER=1; its tuning from AFTERCARE_WORKER_* / BENCH_*), N requests
 * started in steps, the worker's RSS after each step once it is idle. PROBE_WORKER_NODE_ARGS: its node flags.
 */
import worker_threads from 'node:worker_threads';
const captured: worker_threads.Worker[] = [];
const Orig = worker_threads.Worker;
(worker_threads as { Worker: unknown }).Worker = class extends Orig {
  constructor(...args: ConstructorParameters<typeof Orig>) {
    super(...args);
    captured.push(this);
  }
};
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { FileComplaintFeedback } from '../src/adapters/complaintFeedback';
import { FileCallCentre } from '../src/adapters/callcentre';
import { FileDirectory } from '../src/adapters/directory';
import { OutboxSmsProvider } from '../src/adapters/sms';
import { LocalStorage } from '../src/adapters/storage';
import { loadPolicyFile } from '../src/policy';
import { PREBUILT_BUNDLE } from '../src/worker';
import { TemporalDispatchBoard } from '../src/temporal/dispatchBoard';
import { boardWorkflowId } from '../workflows/boardMessages';
import { SERVICE_REQUEST_WORKFLOW } from '../workflows/messages';
import { benchInput } from './b-lateness';
import { sampleProc } from './lib/procstat';
import { startStack } from './lib/stack';
import { pool, sleep } from './lib/util';
import { join } from 'node:path';

interface Agg {
  n: number;
  total: number;
  byClass: Record<string, { size: number; count: number }>;
  byModule: Record<string, { size: number; count: number }>;
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: string[][]; location_fields?: string[] } };
  nodes: number[];
  strings: string[];
  locations?: number[];
}

/** Module of each bundle line: webpack marks every module with a `/***\/ "path"` line. */
function moduleByLine(bundlePath: string): (line: number) => string {
  const starts: { line: number; name: string }[] = [];
  readFileSync(bundlePath, 'utf8')
    .split('\n')
    .forEach((l, i) => {
      const m = /^\/\*{3}\/ "([^"]+)"/.exec(l);
      if (m) starts.push({ line: i, name: m[1] as string });
    });
  return (line) => {
    let name = '(bundle runtime)';
    for (const s of starts) {
      if (s.line > line) break;
      name = s.name;
    }
    return name.replace('./node_modules/', '');
  };
}

function aggregate(file: string, n: number, bundlePath: string): Agg {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const f = snap.snapshot.meta.node_fields;
  const nf = f.length;
  const iType = f.indexOf('type');
  const iName = f.indexOf('name');
  const iSize = f.indexOf('self_size');
  const types = snap.snapshot.meta.node_types[0] as string[];
  const byClass: Agg['byClass'] = {};
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += nf) {
    const type = types[snap.nodes[i + iType] as number];
    const name = type === 'object' || type === 'native' ? snap.strings[snap.nodes[i + iName] as number] : `(${type})`;
    const size = snap.nodes[i + iSize] as number;
    total += size;
    const k = `${name}`.slice(0, 80);
    const a = (byClass[k] ??= { size: 0, count: 0 });
    a.size += size;
    a.count++;
  }
  // Closures by the module whose code created them: the bundle is the script with the most closures.
  const byModule: Agg['byModule'] = {};
  const lf = snap.snapshot.meta.location_fields;
  if (lf && snap.locations) {
    const [iObj, iScript, iLine] = ['object_index', 'script_id', 'line'].map((x) => lf.indexOf(x)) as [number, number, number];
    const perScript = new Map<number, number>();
    for (let i = 0; i < snap.locations.length; i += lf.length) {
      const s = snap.locations[i + iScript] as number;
      perScript.set(s, (perScript.get(s) ?? 0) + 1);
    }
    const bundleScript = [...perScript].sort((a, b) => b[1] - a[1])[0]?.[0];
    const mod = moduleByLine(bundlePath);
    for (let i = 0; i < snap.locations.length; i += lf.length) {
      const name = snap.locations[i + iScript] === bundleScript ? mod(snap.locations[i + iLine] as number) : '(other scripts)';
      const a = (byModule[name] ??= { size: 0, count: 0 });
      a.size += snap.nodes[(snap.locations[i + iObj] as number) + iSize] as number;
      a.count++;
    }
  }
  return { n, total, byClass, byModule };
}

function table(rows: Record<string, { size: number; count: number }>, div: number, top: number, unit = 'KB'): void {
  for (const [k, v] of Object.entries(rows)
    .sort((a, b) => Math.abs(b[1].size) - Math.abs(a[1].size))
    .slice(0, top)) {
    console.log(String((v.size / 1024 / div).toFixed(1)).padStart(9), unit, String((v.count / div).toFixed(1)).padStart(9), k);
  }
}

function diff(fileA: string, fileB: string): void {
  const a = JSON.parse(readFileSync(fileA, 'utf8')) as Agg;
  const b = JSON.parse(readFileSync(fileB, 'utf8')) as Agg;
  // Per cached workflow: the SDK's Activator objects count them (a few of N may not have run yet).
  const cached = (x: Agg): number => x.byClass.Activator?.count ?? x.n;
  const dn = cached(b) - cached(a);
  const sub = (x: Agg['byClass'], y: Agg['byClass']): Agg['byClass'] =>
    Object.fromEntries(
      [...new Set([...Object.keys(x), ...Object.keys(y)])].map((k) => [
        k,
        { size: (y[k]?.size ?? 0) - (x[k]?.size ?? 0), count: (y[k]?.count ?? 0) - (x[k]?.count ?? 0) },
      ]),
    );
  console.log(
    `marginal per cached request (${cached(a)} → ${cached(b)} cached): ${((b.total - a.total) / 1024 / dn).toFixed(1)} KB; fixed share ≈ ${((a.total - ((b.total - a.total) / dn) * cached(a)) / 1048576).toFixed(1)} MB`,
  );
  console.log('  KB/request  count/request  class');
  table(sub(a.byClass, b.byClass), dn, 25);
  console.log('  closures per request by module (self size, count)');
  table(sub(a.byModule, b.byModule), dn, 20);
}

function startInput(i: number, policy: ReturnType<typeof loadPolicyFile>) {
  const id = `sr-heap-${i}`;
  const request = {
    ...benchInput(i),
    product: { model: 'X', purchaseDate: '2024-03-18', category: 'gas_water_heater' },
    location: { lat: 31.19, lng: 121.43 },
  };
  return { workflowId: id, args: [{ requestId: id, request, policy, bodyHash: 'h', startAttemptId: 'a' }] as const };
}

async function rss(n: number, step: number): Promise<void> {
  const nodeArgs = (process.env.PROBE_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const stack = await startStack({ name: 'rss', api: false, worker: true, nodeArgs: { worker: nodeArgs } });
  const policy = loadPolicyFile(stack.policyFile);
  const pid = stack.worker?.pid;
  const mb = (b: number | undefined): number => Math.round((b ?? NaN) / 1048576);
  console.log('worker pid', pid, 'node args', nodeArgs.join(' ') || '(none)');
  const t0 = Date.now();
  try {
    await sleep(8000);
    const s0 = sampleProc(pid);
    console.log(JSON.stringify({ open: 0, rssMB: mb(s0?.rss), peakMB: mb(s0?.hwm) }));
    for (let done = 0; done < n;) {
      const upto = Math.min(n, done + step);
      await pool(
        Array.from({ length: upto - done }, (_, k) => done + k),
        16,
        async (i) => {
          const { workflowId, args } = startInput(i, policy);
          await stack.client.workflow.start(SERVICE_REQUEST_WORKFLOW, { workflowId, taskQueue: stack.taskQueue, args: [...args] });
        },
      );
      done = upto;
      // Idle: the worker used < 3 % of a core over the last 2 s (its first tasks and activities are through).
      for (let prev = sampleProc(pid)?.cpuMs ?? 0; ;) {
        await sleep(2000);
        const cur = sampleProc(pid)?.cpuMs ?? 0;
        if (cur - prev < 60) break;
        prev = cur;
      }
      const s = sampleProc(pid);
      console.log(
        JSON.stringify({
          open: done,
          rssMB: mb(s?.rss),
          peakMB: mb(s?.hwm),
          workerCpuS: Math.round((s?.cpuMs ?? 0) / 1000),
          elapsedS: Math.round((Date.now() - t0) / 1000),
        }),
      );
      if (!stack.worker?.alive) throw new Error(`worker exited: ${stack.worker?.output().slice(-2000)}`);
    }
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === 'diff') return diff(process.argv[3] as string, process.argv[4] as string);
  if (process.argv[2] === 'rss') return rss(Number(process.argv[3] ?? 3000), Number(process.argv[4] ?? 1000));
  const n = Number(process.argv[2] ?? 300);
  const bundlePath = process.env.PROBE_BUNDLE || PREBUILT_BUNDLE;
  const stack = await startStack({ name: 'heap', api: false, worker: false });
  const connection = await NativeConnection.connect({ address: stack.address });
  const worker = await Worker.create({
    connection,
    taskQueue: stack.taskQueue,
    workflowBundle: { codePath: bundlePath },
    ...(process.env.PROBE_REUSE_V8 === '0' ? { reuseV8Context: false } : {}),
    ...(process.env.PROBE_MAX_CACHED ? { maxCachedWorkflows: Number(process.env.PROBE_MAX_CACHED) } : {}),
    activities: createActivities({
      sms: new OutboxSmsProvider({ file: stack.outboxFile }),
      directory: new FileDirectory(stack.techniciansFile),
      storage: new LocalStorage(stack.photosDir),
      callCentre: new FileCallCentre(join(stack.dir, 'cb.jsonl')),
      complaintFeedback: new FileComplaintFeedback(join(stack.dir, 'complaint-feedback.jsonl')),
      openJobs: async (ids) => Object.fromEntries(ids.map((id) => [id, 0])),
      board: new TemporalDispatchBoard({ client: stack.client, taskQueue: stack.taskQueue, workflowId: boardWorkflowId(stack.taskQueue) }),
      ratingLink: () => 'http://x/r/y',
      customerLink: () => 'http://x/q/y',
      timeZone: 'Asia/Shanghai',
      logger: pino({ level: 'silent' }),
    }),
  });
  const running = worker.run();
  const policy = loadPolicyFile(stack.policyFile);
  await pool(
    Array.from({ length: n }, (_, i) => i),
    16,
    async (i) => {
      const { workflowId, args } = startInput(i, policy);
      await stack.client.workflow.start(SERVICE_REQUEST_WORKFLOW, { workflowId, taskQueue: stack.taskQueue, args: [...args] });
    },
  );
  await sleep(Number(process.env.PROBE_WAIT_MS ?? 15_000));
  console.log(
    'threads',
    captured.length,
    'rss MB',
    Math.round(process.memoryUsage().rss / 1048576),
    'main heap MB',
    Math.round(process.memoryUsage().heapUsed / 1048576),
  );
  const aggs: Agg[] = [];
  for (const [ti, t] of captured.entries()) {
    const file = `/tmp/wf-thread-${n}-${ti}.heapsnapshot`;
    const stream = await t.getHeapSnapshot();
    await new Promise<void>((r) => stream.pipe(createWriteStream(file)).on('finish', () => r()));
    aggs.push(aggregate(file, n, bundlePath));
  }
  worker.shutdown();
  await running;
  await connection.close();
  await stack.stop();
  // Threads summed (reuseV8Context=false runs two).
  const merge = (k: 'byClass' | 'byModule'): Agg['byClass'] => {
    const out: Agg['byClass'] = {};
    for (const a of aggs)
      for (const [name, v] of Object.entries(a[k])) {
        const o = (out[name] ??= { size: 0, count: 0 });
        o.size += v.size;
        o.count += v.count;
      }
    return out;
  };
  const agg: Agg = { n, total: aggs.reduce((s, a) => s + a.total, 0), byClass: merge('byClass'), byModule: merge('byModule') };
  if (process.env.PROBE_OUT) writeFileSync(process.env.PROBE_OUT, JSON.stringify(agg));
  const cached = agg.byClass.Activator?.count ?? 0;
  console.log(
    'total MB',
    Math.round(agg.total / 1048576),
    'cached workflows',
    cached,
    'per cached workflow KB',
    Math.round(agg.total / 1024 / Math.max(cached, 1)),
  );
  console.log('  KB total   count  class');
  table(agg.byClass, 1, 30);
  console.log('  closures by module (KB self size, count)');
  table(agg.byModule, 1, 20);
}
main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
