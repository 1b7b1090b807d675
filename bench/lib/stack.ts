/**
 * A private Aftercare stack for benchmarks and fault tests: its own Temporal dev server (free ports, SQLite file
 * in a temp folder, never 7233/8233/3000), the compiled worker and API (dist/src/*.js) as real child processes,
 * a temp outbox / photo folder and generated tokens. Any piece can be SIGKILLed and restarted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { PROJECT_ROOT, temporalCliPath } from '../../src/temporal/binaries';
import { searchAttributeCliArgs } from '../../src/temporal/searchAttributes';
import { sampleProc } from './procstat';
import { BenchTokens } from './tokens';
import { freePort, portOpen, sleep, until } from './util';

const OUTPUT_KEEP = 256 * 1024;

// Whatever happens to this process (a test timing out, Ctrl-C), its children do not outlive it.
const LIVE = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of LIVE) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});

/** A child process whose output is kept (tail) and optionally logged to a file. */
export class Child {
  readonly proc: ChildProcess;
  private out = '';
  private readonly exited: Promise<void>;
  private log?: WriteStream;
  private killed = false;
  /** Set when the process exited without `kill()` being called: it crashed (or could not start). */
  crashed?: string;

  constructor(
    readonly name: string,
    cmd: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    logFile?: string,
  ) {
    this.proc = spawn(cmd, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (logFile) this.log = createWriteStream(logFile, { flags: 'a' });
    const onData = (d: Buffer): void => {
      this.out += d.toString();
      if (this.out.length > OUTPUT_KEEP * 2) this.out = this.out.slice(-OUTPUT_KEEP);
      this.log?.write(d);
    };
    this.proc.stdout?.on('data', onData);
    this.proc.stderr?.on('data', onData);
    LIVE.add(this.proc);
    this.exited = new Promise((r) =>
      this.proc.once('exit', (code, signal) => {
        LIVE.delete(this.proc);
        if (!this.killed)
          this.crashed = `${name} (pid ${this.proc.pid}) exited by itself (${signal ?? `code ${code}`}): ${this.out.slice(-500).trim()}`;
        r();
      }),
    );
  }

  get pid(): number | undefined {
    return this.alive ? this.proc.pid : undefined;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  output(): string {
    return this.out;
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000): Promise<void> {
    this.killed = true;
    if (this.alive) this.proc.kill(signal);
    const t = setTimeout(() => this.alive && this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
    this.log?.end();
  }

  /** Resolves when the process exits (for "it must not exit" checks). */
  onExit(): Promise<void> {
    return this.exited;
  }
}

/** SQLite pragmas of the dev server, the same as src/dev.ts passes. */
export const SQLITE_PRAGMAS = ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'];

export interface DevServer {
  address: string;
  port: number;
  metricsPort: number;
  dbFile: string;
  child: Child;
  /** SIGKILL (or another signal) and wait for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and database file. */
  restart(): Promise<void>;
}

/** Temporal dev server with our search attributes and update-with-start, on free ports, persistent SQLite file. */
export async function startDevServer(
  dir: string,
  opts: { dbFile?: string; logFile?: string; extraArgs?: string[] } = {},
): Promise<DevServer> {
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const dbFile = opts.dbFile ?? join(dir, 'temporal.db');
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(httpPort),
    '--metrics-port',
    String(metricsPort),
    '--headless',
    ...(opts.dbFile === 'memory' || (!opts.dbFile && process.env.BENCH_DB === 'memory') ? [] : ['--db-filename', dbFile]),
    ...searchAttributeCliArgs(),
    '--dynamic-config-value',
    'frontend.enableExecuteMultiOperation=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--log-level',
    'error',
    // As src/dev.ts (`npm start`): WAL journal. BENCH_SQLITE_DEFAULT=1 leaves SQLite's default rollback journal,
    // for the before/after figures of that change in BENCHMARKS.md.
    ...(process.env.BENCH_SQLITE_DEFAULT ? [] : SQLITE_PRAGMAS),
    ...(opts.extraArgs ?? []),
    ...(process.env.BENCH_SERVER_ARGS ? process.env.BENCH_SERVER_ARGS.split(' ').filter(Boolean) : []),
  ];
  const address = `127.0.0.1:${port}`;
  const launch = async (): Promise<Child> => {
    const child = new Child('temporal', temporalCliPath(), args, process.env, opts.logFile ?? join(dir, 'temporal.log'));
    await until(
      'Temporal dev server port',
      async () => {
        if (!child.alive) throw new Error(`dev server exited: ${child.output().slice(-2000)}`);
        return portOpen(port);
      },
      60_000,
      100,
    );
    // Ready = the default namespace answers.
    const conn = await Connection.connect({ address });
    try {
      await until(
        'Temporal namespace',
        async () => {
          await conn.workflowService.describeNamespace({ namespace: 'default' });
          return true;
        },
        30_000,
        100,
      );
    } finally {
      await conn.close();
    }
    return child;
  };
  const server: DevServer = {
    address,
    port,
    metricsPort,
    dbFile,
    child: await launch(),
    async kill(signal = 'SIGKILL') {
      await server.child.kill(signal);
    },
    async restart() {
      if (server.child.alive) await server.child.kill('SIGTERM');
      server.child = await launch();
    },
  };
  return server;
}

export interface StackOptions {
  name: string;
  /** Use an existing server (e.g. the integration suite's); otherwise a private one is started. */
  address?: string;
  policyFile?: string;
  techniciansFile?: string;
  /** Start the API process (default true). */
  api?: boolean;
  /** Start the worker process (default true). */
  worker?: boolean;
  /** Worker processes on the one task queue (default 1): several workers sharing the load, as on a cluster. */
  workers?: number;
  /** API processes, each on its own port (default 1); `bases` lists their URLs. */
  apis?: number;
  sms?: { provider: 'outbox' } | { provider: 'webhook'; url: string; secret: string };
  env?: Record<string, string>;
  /** Extra node flags for the worker / API (e.g. --cpu-prof). */
  nodeArgs?: { worker?: string[]; api?: string[] };
  logLevel?: string;
  integrationTokens?: number;
  /** Another built checkout whose worker (its dist/src/worker.js) runs instead of this one's: a baseline build. */
  workerRoot?: string;
}

export interface Stack {
  name: string;
  dir: string;
  server?: DevServer;
  address: string;
  taskQueue: string;
  outboxFile: string;
  photosDir: string;
  policyFile: string;
  techniciansFile: string;
  ratingSecret: string;
  env: Record<string, string>;
  tokens: BenchTokens;
  base: string;
  worker?: Child;
  api?: Child;
  /** The current process of each worker slot (slot 0 is `worker`). */
  workers: Child[];
  /** The current process of each API slot (slot 0 is `api`) … */
  apis: Child[];
  /** … and each slot's base URL (slot 0 is `base`). */
  bases: string[];
  client: Client;
  /** Starts (or restarts) the worker of `slot` (default 0). */
  startWorker(slot?: number): Promise<Child>;
  /** Starts (or restarts) the API of `slot` (default 0). */
  startApi(slot?: number): Promise<Child>;
  waitApiReady(timeoutMs?: number, slot?: number): Promise<void>;
  pids(): Record<string, number | undefined>;
  /** Every process of the stack (worker, API, dev server, earlier ones included) that exited without being killed. */
  crashes(): string[];
  stop(opts?: { keepDir?: boolean }): Promise<void>;
}

/** Stacks not stopped yet: a test that timed out stops them from its afterAll (`stopAllStacks`). */
const RUNNING = new Set<Stack>();
/** Other things a scenario holds open (e.g. a local SMS gateway), closed by `stopAllStacks` too. */
const CLEANUPS = new Set<() => Promise<void>>();

/** Registers `close` with `stopAllStacks`; call the returned function once it has been closed normally. */
export function onStopAll(close: () => Promise<void>): () => void {
  CLEANUPS.add(close);
  return () => CLEANUPS.delete(close);
}

export async function stopAllStacks(): Promise<void> {
  const cleanups = [...CLEANUPS];
  CLEANUPS.clear();
  await Promise.all([...[...RUNNING].map((s) => s.stop()), ...cleanups.map((f) => f())].map((p) => p.catch(() => undefined)));
}

export async function startStack(o: StackOptions): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), `aftercare-${o.name}-`));
  mkdirSync(join(dir, 'photos'), { recursive: true });
  const server = o.address ? undefined : await startDevServer(dir);
  const address = o.address ?? (server as DevServer).address;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const apiPorts = [port];
  for (let i = 1; i < (o.apis ?? 1); i++) apiPorts.push(await freePort());
  const bases = apiPorts.map((p) => `http://127.0.0.1:${p}`);
  const policyFile = o.policyFile ?? join(PROJECT_ROOT, 'policy', 'default.yaml');
  const techniciansFile = o.techniciansFile ?? join(PROJECT_ROOT, 'policy', 'technicians.yaml');
  const tokens = BenchTokens.create(join(dir, 'tokens.json'), techniciansFile, { integrations: o.integrationTokens ?? 64 });
  const taskQueue = `${o.name}-${process.pid}`;
  const ratingSecret = `${o.name}-rating-secret-${process.pid}`;
  const outboxFile = join(dir, 'outbox.jsonl');
  const sms = o.sms ?? { provider: 'outbox' };
  const env: Record<string, string> = {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    AFTERCARE_POLICY: policyFile,
    AFTERCARE_TECHNICIANS: techniciansFile,
    AFTERCARE_TOKENS: tokens.file,
    SMS_PROVIDER: sms.provider,
    SMS_OUTBOX_FILE: outboxFile,
    ...(sms.provider === 'webhook' ? { SMS_WEBHOOK_URL: sms.url, SMS_WEBHOOK_SECRET: sms.secret } : {}),
    PHOTO_STORAGE_DIR: join(dir, 'photos'),
    RATING_LINK_SECRET: ratingSecret,
    PUBLIC_BASE_URL: base,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: o.logLevel ?? 'warn',
    // No worker metrics endpoint unless asked for (o.env): by default every worker binds 0.0.0.0:9464, so a
    // second stack (a parallel test file, a benchmark, `npm start`) would have its worker exit at start.
    WORKER_METRICS_PORT: '0',
    ...o.env,
  };
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });

  // BENCH_TUNED_WORKER=1: the worker with tuning from BENCH_* variables (bench/tunedWorker.ts), for experiments.
  const entryFile = (entry: 'worker' | 'api'): string =>
    entry === 'worker' && process.env.BENCH_TUNED_WORKER
      ? join(PROJECT_ROOT, 'dist', 'bench', 'tunedWorker.js')
      : join(entry === 'worker' ? (o.workerRoot ?? PROJECT_ROOT) : PROJECT_ROOT, 'dist', 'src', `${entry}.js`);
  const children: Child[] = [];
  const spawnNode = (entry: 'worker' | 'api', slot: number, extra: string[] = []): Child => {
    const name = slot === 0 ? entry : `${entry}-${slot + 1}`;
    // Every API its own port; PUBLIC_BASE_URL stays the first one's (the rating links, as behind one balancer).
    const own = entry === 'api' ? { PORT: String(apiPorts[slot]) } : {};
    const child = new Child(
      name,
      process.execPath,
      [...extra, entryFile(entry)],
      { ...process.env, ...env, ...own },
      join(dir, `${name}.log`),
    );
    children.push(child);
    return child;
  };

  const stack: Stack = {
    name: o.name,
    dir,
    server,
    address,
    taskQueue,
    outboxFile,
    photosDir: join(dir, 'photos'),
    policyFile,
    techniciansFile,
    ratingSecret,
    env,
    tokens,
    base,
    workers: [],
    apis: [],
    bases,
    client,
    async startWorker(slot = 0) {
      const child = spawnNode('worker', slot, o.nodeArgs?.worker);
      stack.workers[slot] = child;
      if (slot === 0) stack.worker = child;
      return child;
    },
    async startApi(slot = 0) {
      const child = spawnNode('api', slot, o.nodeArgs?.api);
      stack.apis[slot] = child;
      if (slot === 0) stack.api = child;
      return child;
    },
    async waitApiReady(timeoutMs = 60_000, slot = 0) {
      await until(
        'API ready',
        async () => {
          const api = stack.apis[slot];
          if (api && !api.alive) throw new Error(`API exited: ${api.output().slice(-2000)}`);
          const r = await fetch(`${bases[slot]}/readyz`);
          await r.text();
          return r.status === 200;
        },
        timeoutMs,
        100,
      );
    },
    pids: () => ({
      worker: stack.worker?.pid,
      api: stack.api?.pid,
      server: server?.child.pid,
      ...Object.fromEntries(stack.workers.slice(1).map((w, i) => [`worker${i + 2}`, w.pid])),
      ...Object.fromEntries(stack.apis.slice(1).map((a, i) => [`api${i + 2}`, a.pid])),
    }),
    crashes: () => [...children, ...(server ? [server.child] : [])].flatMap((c) => (c.crashed ? [c.crashed] : [])),
    async stop(opts = {}) {
      RUNNING.delete(stack);
      await Promise.all(stack.apis.map((a) => a.kill('SIGTERM')));
      await Promise.all(stack.workers.map((w) => w.kill('SIGTERM')));
      await connection.close().catch(() => undefined);
      await server?.kill('SIGTERM');
      // BENCH_KEEP_DIRS=1 keeps every stack's logs and outbox for a post-mortem.
      if (!opts.keepDir && !process.env.BENCH_KEEP_DIRS) rmSync(dir, { recursive: true, force: true });
    },
  };
  RUNNING.add(stack);
  if (o.worker !== false) for (let slot = 0; slot < (o.workers ?? 1); slot++) await stack.startWorker(slot);
  if (o.api !== false) {
    for (let slot = 0; slot < apiPorts.length; slot++) await stack.startApi(slot);
    for (let slot = 0; slot < apiPorts.length; slot++) await stack.waitApiReady(60_000, slot);
  }
  return stack;
}

/**
 * Waits until the stack is idle: worker + server + API together use less than `cores` of a CPU over a
 * `windowMs` window (background activities, timers and visibility writes of earlier load have drained).
 */
export async function quiesce(
  pids: () => Record<string, number | undefined>,
  opts: { maxMs?: number; cores?: number; windowMs?: number } = {},
): Promise<number> {
  const { maxMs = 90_000, cores = 0.12, windowMs = 1500 } = opts;
  const t0 = Date.now();
  const total = (): number => Object.values(pids()).reduce<number>((acc, pid) => acc + (sampleProc(pid)?.cpuMs ?? 0), 0);
  for (;;) {
    const a = total();
    await sleep(windowMs);
    const used = (total() - a) / windowMs;
    if (used < cores || Date.now() - t0 > maxMs) return Date.now() - t0;
  }
}
