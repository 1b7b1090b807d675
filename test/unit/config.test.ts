import { ConfigError, loadConfig } from '../../src/config';

/** The problems loadConfig reports for this environment (none: []). */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('loadConfig: worker tuning (AFTERCARE_WORKER_*)', () => {
  it('leaves every limit to the SDK when nothing is set', () => {
    expect(loadConfig({}).worker).toEqual({});
    // Empty means unset, as for every other variable.
    expect(loadConfig({ AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '', AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES: '' }).worker).toEqual({});
  });

  it('maps the variables onto the WorkerOptions of the same meaning', () => {
    const cfg = loadConfig({
      AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '1500',
      AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20',
      AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES: '50',
    });
    expect(cfg.worker).toEqual({ maxCachedWorkflows: 1500, maxConcurrentWorkflowTaskExecutions: 20, maxConcurrentActivityTaskExecutions: 50 });
  });

  it('sets only what is given', () => {
    expect(loadConfig({ AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES: '8' }).worker).toEqual({ maxConcurrentActivityTaskExecutions: 8 });
    expect(loadConfig({ AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '40' }).worker).toEqual({ maxCachedWorkflows: 40 });
  });

  it('accepts 0 for the cache (disabled: every workflow task replays its history)', () => {
    expect(loadConfig({ AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '0' }).worker).toEqual({ maxCachedWorkflows: 0 });
    // Without a cache the concurrent tasks are not bounded by it.
    expect(loadConfig({ AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '0', AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '100' }).worker)
      .toEqual({ maxCachedWorkflows: 0, maxConcurrentWorkflowTaskExecutions: 100 });
  });

  it.each([
    ['AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS', 'lots', /expected an integer from 0 \(no cache\) to 1000000/],
    ['AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS', '-1', /expected an integer from 0/],
    ['AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS', '2.5', /expected an integer from 0/],
    ['AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS', '1', /expected 0 \(no cache\) or at least 2/],
    ['AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', '1', /expected an integer from 2 to 10000/],
    ['AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', '1e9', /expected an integer from 2 to 10000/],
    ['AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES', '0', /expected an integer from 1 to 10000/],
    ['AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES', ' ', /expected an integer from 1 to 10000/],
  ])('refuses %s=%j with one message naming it', (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${name}=${JSON.stringify(value)}`);
    expect(problems[0]).toMatch(message);
  });

  it('refuses a cache smaller than the concurrent workflow tasks (a task in progress holds its workflow in the cache)', () => {
    expect(problemsOf({ AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '100', AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '200' })).toEqual([
      'AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS=200: cannot exceed AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS (100)',
    ]);
    // Against the SDK's default of 40 concurrent tasks when only the cache is set.
    const [problem, ...rest] = problemsOf({ AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '10' });
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS=10: below the 40 concurrent workflow tasks \(SDK default\)/);
    expect(loadConfig({ AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '10', AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '10' }).worker)
      .toEqual({ maxCachedWorkflows: 10, maxConcurrentWorkflowTaskExecutions: 10 });
  });

  it('reports every bad variable at once, with the rest of the configuration', () => {
    const problems = problemsOf({
      AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: 'x',
      AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '0',
      AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES: 'y',
      LOG_LEVEL: 'loud',
    });
    expect(problems.map((p) => p.split('=')[0])).toEqual(
      expect.arrayContaining(['AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS', 'AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 'AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES', 'LOG_LEVEL']),
    );
    expect(problems).toHaveLength(4);
  });
});
