/** Runs the compiled worker / API as real child processes, so tests can SIGKILL and restart them. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

export interface Proc {
  proc: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startProcess(entry: 'worker' | 'api', env: Record<string, string>): Proc {
  const proc = spawn(process.execPath, [join(PROJECT_ROOT, 'dist', 'src', `${entry}.js`)], {
    cwd: PROJECT_ROOT,
    // No worker metrics endpoint unless a test asks for one: parallel workers would fight over one port.
    env: { ...process.env, LOG_LEVEL: 'warn', WORKER_METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc,
    output: () => out,
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}
