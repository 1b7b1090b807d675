import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { bundleWorkflows } from '../../src/temporal/bundle';

/** Bundle the workflows once per run; every test file's worker loads the same code. */
export default async function bundleSetup(): Promise<void> {
  if (process.env.AFTERCARE_TEST_BUNDLE) return;
  const bundle = await bundleWorkflows();
  const dir = join(tmpdir(), `aftercare-test-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'workflow-bundle.js');
  writeFileSync(path, bundle.code);
  process.env.AFTERCARE_TEST_BUNDLE = path;
}
