/**
 * The dispatch board (issue 12): one long-lived workflow per namespace that holds every request's technician
 * reservation. Claims are updates, and a workflow runs its handlers one at a time, so requests dispatched in
 * the same instant see each other's choices: no stale counts, no "13 requests to one technician".
 */
import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { type Book, claimOn, claimProblem, isRelease, loadOf, releaseOn } from '../src/domain/load';
import { type BoardStart, claimUpdate, loadQuery, releaseSignal } from './boardMessages';

const DEFAULT_MAX_HISTORY_EVENTS = 10_000;
/**
 * Temporal refuses updates beyond 2,000 per run (`history.maxTotalUpdates`). The dev server suggests
 * continue-as-new at 4,096 events (~1,300 claims in batches of 5); this bound holds where nothing suggests it.
 */
const MAX_CLAIMS_PER_RUN = 1_500;

export async function dispatchBoard(start: BoardStart = {}): Promise<void> {
  const book: Book = new Map(Object.entries(start.reservations ?? {}));
  const maxHistoryEvents = start.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
  let claims = 0;

  setHandler(
    claimUpdate,
    (args) => {
      claims++;
      return claimOn(book, args, new Date().toISOString());
    },
    {
      // Refused before anything is written: the caller's bug stays out of the history and the book.
      validator: (args) => {
        const problem = claimProblem(args);
        if (problem) throw ApplicationFailure.nonRetryable(problem, 'InvalidClaim');
      },
    },
  );
  setHandler(releaseSignal, (args) => {
    if (isRelease(args)) releaseOn(book, args);
    else log.warn('malformed release ignored', { args });
  });
  setHandler(loadQuery, () => loadOf(book));

  // The handlers are synchronous, so the book is complete whenever the main line runs; it moves to a fresh run
  // (and a short history) when the server suggests it (history length or size) or a bound of ours is reached.
  // Claims that arrive meanwhile are answered "closing" and retried by the adapter onto the new run.
  await condition(
    () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > maxHistoryEvents || claims >= MAX_CLAIMS_PER_RUN,
  );
  await condition(allHandlersFinished);
  await continueAsNew<typeof dispatchBoard>({ ...start, reservations: Object.fromEntries(book) });
}
