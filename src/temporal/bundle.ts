import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { join } from 'node:path';
import { PROJECT_ROOT } from './binaries';

export const WORKFLOWS_PATH = join(PROJECT_ROOT, 'workflows', 'index.ts');

/**
 * Modules the worker evaluates once per workflow thread and shares between all cached workflows (the SDK's
 * `preloadModules`), instead of once per workflow: without it, each cached request carries its own copy of luxon.
 * Only pure, stateless, workflow-safe code belongs here: module scope runs before any workflow exists and the
 * exports are frozen. `src/domain/calendar.ts` brings luxon and `src/domain/duration.ts` with it.
 */
export const SHARED_WORKFLOW_MODULES: readonly string[] = [join(PROJECT_ROOT, 'src', 'domain', 'calendar.ts')];

/**
 * Workflow interceptor modules of every bundle: tracing (workflows/tracing.ts), which leaves a workflow whose start
 * carried no trace context exactly as without it.
 */
export const WORKFLOW_INTERCEPTOR_MODULES: readonly string[] = [join(PROJECT_ROOT, 'workflows', 'tracing.ts')];

/** Bundles workflows once (webpack takes seconds); production workers load the prebuilt file instead. */
export function bundleWorkflows(opts: { preloadModules?: readonly string[] } = {}): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    preloadModules: [...(opts.preloadModules ?? SHARED_WORKFLOW_MODULES)],
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
    // webpack's own report is noise at INFO; problems still surface as errors.
    logger: new DefaultLogger('WARN'),
  });
}
