/** Stops the shared dev server so no Temporal process outlives the run. */
export default async function devServerTeardown(): Promise<void> {
  await globalThis.__aftercareDevEnv?.teardown();
  globalThis.__aftercareDevEnv = undefined;
}
