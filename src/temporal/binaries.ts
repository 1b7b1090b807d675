import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** Project root (this file lives in src/temporal or dist/src/temporal). */
export const PROJECT_ROOT = resolve(__dirname, __dirname.includes(`${join('dist', 'src')}`) ? '../../..' : '../..');
const LOCAL_BIN = join(PROJECT_ROOT, '.temporal', 'venv', 'bin');

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function find(name: string, envVar: string): string {
  const explicit = process.env[envVar];
  if (explicit) {
    if (!executable(explicit)) throw new Error(`${envVar}=${explicit} is not an executable file`);
    return explicit;
  }
  // A user's own binary on PATH wins over the project-local one.
  const found = onPath(name) ?? (executable(join(LOCAL_BIN, name)) ? join(LOCAL_BIN, name) : undefined);
  if (!found) {
    throw new Error(`'${name}' not found on PATH or in .temporal/venv/bin — run: npm run provision`);
  }
  return found;
}

/** The `temporal` CLI (dev server + Web UI). */
export const temporalCliPath = (): string => find('temporal', 'TEMPORAL_CLI_PATH');
/** The time-skipping test server. */
export const temporalTestServerPath = (): string => find('temporal-test-server', 'TEMPORAL_TEST_SERVER_PATH');
