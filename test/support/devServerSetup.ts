import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { PREBUILT_BUNDLE } from '../../src/worker';
import bundleSetup from './bundleSetup';
import { createDevServerEnv } from './servers';

declare global {
  var __aftercareDevEnv: TestWorkflowEnvironment | undefined;
}

/**
 * One dev server for the whole integration run; test files share it via TEMPORAL_TEST_ADDRESS. Also compiles
 * dist/, because these tests run the worker and API as real processes (killed and restarted).
 */
export default async function devServerSetup(): Promise<void> {
  await bundleSetup();
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
  });
  copyFileSync(process.env.AFTERCARE_TEST_BUNDLE as string, PREBUILT_BUNDLE);
  const env = await createDevServerEnv();
  globalThis.__aftercareDevEnv = env;
  process.env.TEMPORAL_TEST_ADDRESS = env.connection.options.address;
}
