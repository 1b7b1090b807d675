import type { TestWorkflowEnvironment } from '@temporalio/testing';
import bundleSetup from './bundleSetup';
import { createDevServerEnv } from './servers';

declare global {
  // eslint-disable-next-line no-var
  var __aftercareDevEnv: TestWorkflowEnvironment | undefined;
}

/** One dev server for the whole integration run; test files share it via TEMPORAL_TEST_ADDRESS. */
export default async function devServerSetup(): Promise<void> {
  await bundleSetup();
  const env = await createDevServerEnv();
  globalThis.__aftercareDevEnv = env;
  process.env.TEMPORAL_TEST_ADDRESS = env.connection.options.address;
}
