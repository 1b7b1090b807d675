import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCliPath, temporalTestServerPath } from '../../src/temporal/binaries';
import { ALL_SEARCH_ATTRIBUTES, registerSearchAttributes } from '../../src/temporal/searchAttributes';

/** Time-skipping server from the project's pinned binary (the SDK's own download cannot work here). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
  // The workflow upserts our search attributes at every transition; this server must know them too.
  await registerSearchAttributes(env.connection.operatorService, 'default');
  return env;
}

export interface DevServerOptions {
  /** Serve the Web UI on this port (default: no UI). */
  uiPort?: number;
  /** The UI's remote codec endpoint (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
}

/** Local dev server with our search attributes and update-with-start enabled; optionally with the Web UI. */
export function createDevServerEnv(opts: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      ...(opts.uiPort ? { ui: true, uiPort: opts.uiPort } : {}),
      extraArgs: [
        '--dynamic-config-value',
        'frontend.enableExecuteMultiOperation=true',
        '--dynamic-config-value',
        'frontend.enableUpdateWorkflowExecution=true',
        '--dynamic-config-value',
        'system.forceSearchAttributesCacheRefreshOnRead=true',
        '--log-level',
        'error',
        ...(opts.uiPort ? ['--ui-disable-news-fetch'] : []),
        ...(opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : []),
      ],
    },
  });
}
