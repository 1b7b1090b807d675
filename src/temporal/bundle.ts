import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { join } from 'node:path';
import { PROJECT_ROOT } from './binaries';

export const WORKFLOWS_PATH = join(PROJECT_ROOT, 'workflows', 'index.ts');

/** Bundles workflows once (webpack takes seconds); production workers load the prebuilt file instead. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  // webpack's own report is noise at INFO; problems still surface as errors.
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
}
