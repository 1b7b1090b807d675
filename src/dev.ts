/**
 * `npm start`: the whole embedded stack on one machine — Temporal dev server (persistent SQLite under var/,
 * Web UI), our search attributes, the worker and the API, each its own process. Ctrl-C stops all of it;
 * a restart finds the earlier requests in the same database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { CodecKeyFileError, loadOrCreateCodecKeyFile } from './codec/keyFile';
import { devServerAddress, loadConfig, ConfigError, type Config } from './config';
import { temporalCliPath, PROJECT_ROOT } from './temporal/binaries';
import { searchAttributeCliArgs } from './temporal/searchAttributes';
import { startEmbeddedDb, type EmbeddedDb } from './reporting/embedded';
import { hostOf } from './reporting';

const children: { name: string; proc: ChildProcess }[] = [];
let stopping = false;
let embeddedDb: EmbeddedDb | undefined;

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (stopping) throw new Error('stopping');
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000}s`);
}

function start(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const proc = spawn(cmd, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  children.push({ name, proc });
  proc.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[dev] ${name} exited (${signal ?? code}); stopping the stack`);
      void shutdown(1);
    }
  });
  return proc;
}

async function shutdown(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.error('[dev] stopping API, worker and Temporal …');
  // API first (finishes in-flight requests), then the worker, then the server they talk to.
  for (const name of ['api', 'worker', 'temporal']) {
    const child = children.find((c) => c.name === name);
    if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) continue;
    const exited = new Promise((r) => child.proc.once('exit', r));
    child.proc.kill('SIGTERM');
    const timer = setTimeout(() => child.proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  // Last: the worker and the API may write to it until they are gone.
  await embeddedDb?.stop().catch(() => undefined);
  process.exit(code);
}

async function main(): Promise<void> {
  const config: Config = loadConfig();
  const { host, port } = devServerAddress(process.env.TEMPORAL_ADDRESS || undefined, config.dev.temporalPort);
  // The worker and API of this stack connect to this stack's server, whichever variable chose its port.
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: `${host}:${port}` };
  // PII codec on by default: without AFTERCARE_CODEC_KEYS this stack's key lives in a file under var/ (created on
  // the first start, 0600, reused afterwards), so customer data in the histories is encrypted out of the box.
  let codecKeySource = 'AFTERCARE_CODEC_KEYS';
  if (!config.codec.keys.length) {
    const file = loadOrCreateCodecKeyFile(config.codec.keyFile);
    env.AFTERCARE_CODEC_KEYS = file.envValue;
    config.codec.keys = file.keys;
    const shown = relative(PROJECT_ROOT, config.codec.keyFile);
    codecKeySource = `${shown.startsWith('..') ? config.codec.keyFile : shown}${file.created ? ', created now' : ''}`;
    if (file.tightened) console.error(`[dev] ${config.codec.keyFile} was readable by others; set it to 0600`);
  }
  // The Web UI decodes through the API's codec endpoint (key in the URL path).
  let ownServer = true;
  const codecArgs: string[] = [];
  if (config.codec.keys.length) {
    const uiToken = config.codec.tokens[0] ?? randomBytes(24).toString('hex');
    env.AFTERCARE_CODEC_TOKENS = [...new Set([uiToken, ...config.codec.tokens])].join(',');
    codecArgs.push('--ui-codec-endpoint', `http://localhost:${config.port}/codec/${uiToken}`);
  }
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  if (await portOpen(host, port)) {
    console.error(`[dev] a Temporal server already listens on ${host}:${port}; using it (search attributes must be registered there)`);
    ownServer = false;
  } else {
    mkdirSync(dirname(config.dev.dbFile), { recursive: true });
    start(
      'temporal',
      temporalCliPath(),
      [
        'server',
        'start-dev',
        '--ip',
        host,
        '--port',
        String(port),
        '--ui-port',
        String(config.dev.uiPort),
        '--db-filename',
        config.dev.dbFile,
        // WAL journal: SQLite's default rollback journal syncs the file several times per write, and the dev
        // server's single connection serialises every write behind those syncs (BENCHMARKS.md, "Fixes": a burst
        // of 200 timers took 5.6 s instead of 0.6 s). WAL with synchronous=NORMAL survives a crash of the server
        // process (fault test 2); only an OS crash could lose the last commits — fine for a dev stack.
        '--sqlite-pragma',
        'journal_mode=wal',
        '--sqlite-pragma',
        'synchronous=normal',
        '--namespace',
        config.temporal.namespace,
        ...searchAttributeCliArgs(),
        '--dynamic-config-value',
        'frontend.enableExecuteMultiOperation=true',
        '--dynamic-config-value',
        'frontend.enableUpdateWorkflowExecution=true',
        ...codecArgs,
        '--log-level',
        'warn',
      ],
      env,
    );
    await waitFor('Temporal dev server', () => portOpen(host, port));
  }

  // The reporting database: DATABASE_URL's, or the embedded one (PGlite, data under var/) served to the worker and API.
  let reportingDb = config.reporting.databaseUrl ? hostOf(config.reporting.databaseUrl) : '';
  if (!config.reporting.databaseUrl) {
    const { dir, port: dbPort } = config.reporting.embedded;
    if (await portOpen('127.0.0.1', dbPort))
      throw new ConfigError([`REPORTING_DB_PORT ${dbPort} is taken (another stack?): set REPORTING_DB_PORT or DATABASE_URL`]);
    embeddedDb = await startEmbeddedDb({ dataDir: dir, port: dbPort });
    env.DATABASE_URL = embeddedDb.url;
    const shown = relative(PROJECT_ROOT, dir);
    reportingDb = `embedded PGlite on 127.0.0.1:${dbPort} (data: ${shown.startsWith('..') ? dir : shown})`;
  }

  start('worker', process.execPath, [join(PROJECT_ROOT, 'dist', 'src', 'worker.js')], env);
  start('api', process.execPath, [join(PROJECT_ROOT, 'dist', 'src', 'api.js')], env);
  const apiHost = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  await waitFor('API', async () => {
    try {
      return (await fetch(`http://${apiHost}:${config.port}/healthz`)).ok;
    } catch {
      return false;
    }
  });

  console.error(
    [
      '',
      'Aftercare is up:',
      `  API            http://localhost:${config.port}   (OpenAPI: http://localhost:${config.port}/docs)`,
      `  Temporal UI    http://localhost:${config.dev.uiPort}`,
      `  Temporal gRPC  ${host}:${port}   (data: ${config.dev.dbFile})`,
      `  SMS outbox     ${config.sms.outboxFile}`,
      `  Reporting DB   ${reportingDb}`,
      `  Metrics        http://localhost:${config.port}/metrics (API)${config.metrics.workerPort ? `, http://localhost:${config.metrics.workerPort}/metrics (worker)` : ''}`,
      `  PII codec      on (key: ${codecKeySource})${ownServer ? '; the Temporal UI decodes through the API' : ''}`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof CodecKeyFileError ? err.message : err);
  void shutdown(1);
});
