/**
 * The embedded reporting database (PGlite behind its socket server, as `npm start` runs it: src/reporting/embedded.ts)
 * in a child process for the tests: PGlite loads its WebAssembly with a dynamic import, which jest's module system
 * cannot run. The child is plain Node with the same two packages and options; `npm start`'s own path is tested by
 * test/e2e/dev-stack.test.ts.
 */
import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { embeddedUrl } from '../../src/reporting/pool';
import { freePort } from './ports';

const SERVER = `
const { PGlite } = require('@electric-sql/pglite');
const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');
(async () => {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: Number(process.argv[1]), maxConnections: 64 });
  await server.start();
  process.stdout.write('ready\\n');
  process.on('SIGTERM', () => server.stop().then(() => db.close()).then(() => process.exit(0)));
})().catch((err) => { console.error(err); process.exit(1); });
`;

export async function startEmbeddedDb(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['-e', SERVER, String(port)], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes('ready')) {
        clearInterval(timer);
        resolve();
      } else if (proc.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`embedded database exited: ${out}`));
      }
    }, 50);
  });
  return {
    url: embeddedUrl('127.0.0.1', port),
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const force = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(force);
    },
  };
}
