/**
 * The baseline of benchmark (a): a workflow that does nothing. Registered only by bench/emptyWorker.ts on its
 * own task queue — never by the product's worker (workflows/index.ts).
 */
export async function benchEmpty(): Promise<void> {
  // nothing: the cost measured is Temporal's start, not ours
}
