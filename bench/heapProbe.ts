/**
 * Memory probe: runs the product's workflow bundle and activities in this process on a private dev server,
 * starts N requests (default policy, so they stay open), then takes a heap snapshot of the SDK's workflow
 * thread and prints its size per cached request and the biggest object classes.
 *   npm run build && node dist/bench/heapProbe.js 300
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
import { createWriteStream, readFileSync } from 'node:fs';
import pino from 'pino';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { FileCallCentre } from '../src/adapters/callcentre';
import { FileDirectory } from '../src/adapters/directory';
import { OutboxSmsProvider } from '../src/adapters/sms';
import { LocalStorage } from '../src/adapters/storage';
import { loadPolicyFile } from '../src/policyFile';
import { PREBUILT_BUNDLE } from '../src/worker';
import { SERVICE_REQUEST_WORKFLOW } from '../workflows/messages';
import { benchInput } from './b-lateness';
import { startStack } from './lib/stack';
import { pool, sleep } from './lib/util';
import { join } from 'node:path';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 300);
  const stack = await startStack({ name: 'heap', api: false, worker: false });
  const connection = await NativeConnection.connect({ address: stack.address });
  const worker = await Worker.create({
    connection,
    taskQueue: stack.taskQueue,
    workflowBundle: { codePath: PREBUILT_BUNDLE },
    activities: createActivities({
      sms: new OutboxSmsProvider({ file: stack.outboxFile }),
      directory: new FileDirectory(stack.techniciansFile),
      storage: new LocalStorage(stack.photosDir),
      callCentre: new FileCallCentre(join(stack.dir, 'cb.jsonl')),
      openJobs: async (ids) => Object.fromEntries(ids.map((id) => [id, 0])),
      ratingLink: () => 'http://x/r/y',
      timeZone: 'Asia/Shanghai',
      logger: pino({ level: 'silent' }),
    }),
  });
  const running = worker.run();
  const policy = loadPolicyFile(stack.policyFile);
  await pool(Array.from({ length: n }, (_, i) => i), 16, async (i) => {
    const id = `sr-heap-${i}`;
    const request = { ...benchInput(i), product: { model: 'X', purchaseDate: '2024-03-18', category: 'gas_water_heater' }, location: { lat: 31.19, lng: 121.43 } };
    await stack.client.workflow.start(SERVICE_REQUEST_WORKFLOW, { workflowId: id, taskQueue: stack.taskQueue, args: [{ requestId: id, request, policy, bodyHash: 'h', startAttemptId: 'a' }] });
  });
  await sleep(15_000);
  console.log('threads', captured.length, 'rss MB', Math.round(process.memoryUsage().rss / 1048576), 'main heap MB', Math.round(process.memoryUsage().heapUsed / 1048576));
  const t = captured[0]!;
  const file = `/tmp/wf-thread-${n}.heapsnapshot`;
  const stream = await t.getHeapSnapshot();
  await new Promise<void>((r) => stream.pipe(createWriteStream(file)).on('finish', () => r()));
  worker.shutdown();
  await running;
  await connection.close();
  await stack.stop();
  // Aggregate self size by constructor name.
  const snap = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: string[][] } }; nodes: number[]; strings: string[] };
  const f = snap.snapshot.meta.node_fields;
  const nf = f.length;
  const iType = f.indexOf('type');
  const iName = f.indexOf('name');
  const iSize = f.indexOf('self_size');
  const types = snap.snapshot.meta.node_types[0] as string[];
  const agg = new Map<string, { size: number; count: number }>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += nf) {
    const type = types[snap.nodes[i + iType] as number];
    const name = type === 'object' || type === 'native' ? snap.strings[snap.nodes[i + iName] as number] : `(${type})`;
    const size = snap.nodes[i + iSize] as number;
    total += size;
    const k = `${name}`.slice(0, 80);
    const a = agg.get(k) ?? { size: 0, count: 0 };
    a.size += size;
    a.count++;
    agg.set(k, a);
  }
  console.log('total MB', Math.round(total / 1048576), 'per workflow KB', Math.round(total / 1024 / n));
  for (const [k, v] of [...agg].sort((a, b) => b[1].size - a[1].size).slice(0, 30)) console.log(String(Math.round(v.size / 1024)).padStart(8), 'KB', String(v.count).padStart(8), k);
}
main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
