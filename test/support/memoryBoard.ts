/**
 * The dispatch board in memory, for tests whose activities use fake deps (no board workflow running): the same
 * book, pick and validation as workflows/dispatchBoard.ts (src/domain/load.ts), one claim at a time.
 */
import { ClaimRefusedError, type DispatchBoard } from '../../activities/deps';
import {
  type Book,
  type BoardLoad,
  type BoardPick,
  claimOn,
  claimProblem,
  type ClaimArgs,
  loadOf,
  type ReleaseArgs,
  releaseOn,
} from '../../src/domain/load';

export class MemoryBoard implements DispatchBoard {
  readonly book: Book = new Map();
  /** Every call, in order (what a test asserts on). */
  readonly calls: ({ claim: ClaimArgs } | { release: ReleaseArgs })[] = [];

  constructor(private readonly now: () => Date = () => new Date()) {}

  async claim(args: ClaimArgs): Promise<BoardPick | null> {
    this.calls.push({ claim: args });
    const problem = claimProblem(args);
    if (problem) throw new ClaimRefusedError(problem);
    return claimOn(this.book, args, this.now().toISOString());
  }

  async release(args: ReleaseArgs): Promise<void> {
    this.calls.push({ release: args });
    releaseOn(this.book, args);
  }

  load(): BoardLoad {
    return loadOf(this.book);
  }
}
