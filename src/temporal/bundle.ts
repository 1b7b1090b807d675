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
export async function bundleWorkflows(opts: { preloadModules?: readonly string[] } = {}): Promise<WorkflowBundleWithSourceMap> {
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    preloadModules: [...(opts.preloadModules ?? SHARED_WORKFLOW_MODULES)],
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
    // webpack's own report is noise at INFO; problems still surface as errors.
    logger: new DefaultLogger('WARN'),
  });
  return { ...bundle, code: withoutLibrarySources(bundle.code) };
}

const SOURCE_MAP_TAG = '//# sourceMappingURL=data:application/json;charset=utf-8;base64,';

/**
 * The bundle's inline source map without the text of the libraries' sources (their positions stay, so every
 * stack frame is still mapped; the project's own sources keep their text for the Web UI's stack-trace view).
 * The worker needs the map inline (it refuses a bundle without one), and it sits on the bundle's last line:
 * with every library's text that line passed 4 MB, and source-map-support (which Node tools such as jest install)
 * overflows V8's regexp stack scanning it whenever a stack trace names the bundle.
 */
export function withoutLibrarySources(code: string): string {
  const at = code.lastIndexOf(SOURCE_MAP_TAG);
  if (at < 0) throw new Error('workflow bundle: no inline source map (the worker needs one)');
  const map = JSON.parse(Buffer.from(code.slice(at + SOURCE_MAP_TAG.length).trimEnd(), 'base64').toString()) as {
    sources: string[];
    sourcesContent?: (string | null)[];
  };
  map.sourcesContent = map.sourcesContent?.map((text, i) => (map.sources[i]?.includes('/node_modules/') ? null : text));
  return `${code.slice(0, at)}${SOURCE_MAP_TAG}${Buffer.from(JSON.stringify(map)).toString('base64')}`;
}
