/** The workflow bundle built by the project's globalSetup. */
export function workflowBundle(): { codePath: string } {
  const codePath = process.env.AFTERCARE_TEST_BUNDLE;
  if (!codePath) throw new Error('AFTERCARE_TEST_BUNDLE unset: run through jest (globalSetup builds it)');
  return { codePath };
}
