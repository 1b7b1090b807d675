import type { Logger } from 'pino';
import type { TechnicianDirectory } from '../src/adapters/directory';
import type { SmsProvider } from '../src/adapters/sms';
import type { PhotoStorage } from '../src/adapters/storage';
import type { CallCentre } from '../src/adapters/callcentre';
import type { ComplaintFeedbackSink } from '../src/adapters/complaintFeedback';
import type { BoardPick, ClaimArgs, ReleaseArgs } from '../src/domain/load';
import type { Catalogue } from '../src/catalogue';
import type { LinkPurpose } from '../src/ratingLink';
import type { ServiceReportDocument } from '../src/domain/serviceReport';
import type { ProjectionInput } from '../src/domain/reporting';

/**
 * The dispatch board (workflows/dispatchBoard.ts): exact technician load, one reservation per request. Both calls
 * are idempotent. Production: src/temporal/dispatchBoard.ts; workflow tests: test/support/memoryBoard.ts.
 */
export interface DispatchBoard {
  /** Throws ClaimRefusedError for a malformed claim. */
  claim(args: ClaimArgs): Promise<BoardPick | null>;
  release(args: ReleaseArgs): Promise<void>;
}

/** The board refused a claim as malformed (load.ts, claimProblem). */
export class ClaimRefusedError extends Error {
  override readonly name = 'ClaimRefusedError';
}

/** Everything the activities touch, injected so tests can pass real adapters over temp folders. */
export interface ActivityDeps {
  sms: SmsProvider;
  directory: TechnicianDirectory;
  storage: PhotoStorage;
  callCentre: CallCentre;
  /** Where closed product complaints are reported to production and engineering (lifecycle 5). */
  complaintFeedback: ComplaintFeedbackSink;
  /** Open (running) requests per technician, from Temporal visibility in production. */
  openJobs(technicianIds: string[]): Promise<Record<string, number>>;
  board: DispatchBoard;
  /**
   * Open requests per technician that the board cannot see: those of lifecycles before it (they never claim),
   * from visibility in production. Absent = none.
   */
  legacyOpenJobs?(technicianIds: string[]): Promise<Record<string, number>>;
  /**
   * Satisfaction 0..1 per technician from their closed requests' scores (src/reports/technicianRatings.ts);
   * undefined for a technician = too few scores, the roster's rating stands. Absent = roster ratings only.
   */
  ratings?(technicianIds: string[]): Promise<Record<string, number | undefined>>;
  /** Signs a rating token and returns the customer's link. */
  ratingLink(p: { requestId: string; tokenId: string; expiresAt: string }): string;
  /** Signs a token for another customer link (quote, service report; src/ratingLink.ts) and returns the link. */
  customerLink(purpose: Exclude<LinkPurpose, 'rating'>, p: { requestId: string; tokenId: string; expiresAt: string }): string;
  /** POSTs an escalation notice to a contact's webhook. */
  postWebhook?(url: string, body: unknown, idempotencyKey: string): Promise<void>;
  timeZone: string;
  /** Price list and parts catalogue (src/catalogue/), loaded at start-up. Absent = not loaded (tests that need none). */
  catalogue?: Catalogue;
  /** Renders a service report as PDF (src/reports/serviceReport/pdf.ts); absent when the worker has no CJK font. */
  reportPdf?(doc: ServiceReportDocument, lang: 'zh' | 'en'): Promise<Buffer>;
  /** The reporting database (src/reporting/); absent = projections are not written (no database configured). */
  reporting?: { write(p: ProjectionInput): Promise<{ rowWritten: boolean; events: number }> };
  logger: Logger;
}
