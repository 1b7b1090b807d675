import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Pool } from 'pg';
import { join, dirname } from 'node:path';
import type { ActivityDeps } from '../../activities';
import type { Config } from '../config';
import { FileCallCentre, WebhookCallCentre } from '../adapters/callcentre';
import { FileComplaintFeedback, WebhookComplaintFeedback } from '../adapters/complaintFeedback';
import { FileDirectory } from '../adapters/directory';
import { createSmsProvider } from '../adapters/sms';
import { postSignedJson } from '../adapters/sms/webhook';
import { createStorage } from '../adapters/storage';
import { withSmsMetrics } from '../metrics/sms';
import { LINK_PATH, signRatingToken } from '../ratingLink';
import { databaseRatings, ratingsWithFallback, technicianRatings } from '../reports/technicianRatings';
import { SA } from '../temporal/searchAttributes';
import { TemporalDispatchBoard } from '../temporal/dispatchBoard';
import { boardWorkflowId, FIRST_BOARD_LIFECYCLE } from '../../workflows/boardMessages';
import { keyedCache } from './keyedCache';

/**
 * Production wiring of the activities' dependencies from configuration. `reportingDb`: the reporting database's pool
 * when one is configured (DATABASE_URL); dispatch's ratings then read it, Temporal visibility when it fails.
 */
export function activityDepsFromConfig(config: Config, client: Client, logger: Logger, timeZone: string, reportingDb?: Pool): ActivityDeps {
  // Each webhook has its own key (never the rating-link secret) and https in production (issue 16).
  const production = () => process.env.NODE_ENV === 'production';
  return {
    sms: withSmsMetrics(createSmsProvider(config.sms)),
    directory: new FileDirectory(config.techniciansFile, {
      onReloadError: (err) => logger.error({ err: err.message }, 'technician roster reload failed; keeping the last good roster'),
    }),
    storage: createStorage(config.storage),
    callCentre: config.callCentreWebhookUrl
      ? new WebhookCallCentre(config.callCentreWebhookUrl, config.callCentreWebhookSecret ?? '', { requireHttps: production() })
      : new FileCallCentre(join(dirname(config.sms.outboxFile), 'callback-tasks.jsonl')),
    complaintFeedback: config.complaintFeedbackWebhookUrl
      ? new WebhookComplaintFeedback(config.complaintFeedbackWebhookUrl, config.complaintFeedbackWebhookSecret ?? '', {
          requireHttps: production(),
        })
      : new FileComplaintFeedback(join(dirname(config.sms.outboxFile), 'complaint-feedback.jsonl')),
    openJobs: keyedCache((id) => openJobCount(client, id), OPEN_JOBS_TTL_MS),
    // Exact load for lifecycle 3+ (issue 12); the client's connection leaves busy refusals to the board's own retries.
    board: new TemporalDispatchBoard({
      client,
      taskQueue: config.temporal.taskQueue,
      workflowId: boardWorkflowId(config.temporal.taskQueue),
    }),
    legacyOpenJobs: keyedCache((id) => legacyOpenJobCount(client, id), LEGACY_JOBS_TTL_MS),
    // Dispatch's "service star" rating from the technicians' scored requests (issue 5).
    ratings: reportingDb ? ratingsWithFallback(databaseRatings(reportingDb), technicianRatings(client)) : technicianRatings(client),
    ratingLink: (p) => `${config.publicBaseUrl.replace(/\/$/, '')}/r/${signRatingToken(p, config.ratingLinkSecret)}`,
    customerLink: (purpose, p) =>
      `${config.publicBaseUrl.replace(/\/$/, '')}/${LINK_PATH[purpose]}/${signRatingToken(p, config.ratingLinkSecret, purpose)}`,
    postWebhook: async (url, body, idempotencyKey) => {
      const secret = config.escalationWebhookSecret;
      if (!secret)
        throw new Error('an escalation contact has a webhookUrl but ESCALATION_WEBHOOK_SECRET is not set; the page was not sent');
      const res = await postSignedJson({
        url,
        body: JSON.stringify(body),
        secret,
        idempotencyKey,
        what: 'escalation webhook',
        requireHttps: production(),
      });
      if (!res.ok && res.status !== 409) throw new Error(`escalation webhook answered ${res.status}`);
    },
    timeZone,
    logger,
  };
}

/**
 * How long a technician's open-job count is reused. Each dispatch asks for every eligible technician's count,
 * one visibility count query each; those queries scan the open requests (25 ms apiece at 10,000 open) and,
 * 5–6 per request, took most of the dev server's time (BENCHMARKS.md, "Fixes"). Visibility lags about a
 * second anyway; two seconds more staleness does not change who is least loaded in practice.
 */
export const OPEN_JOBS_TTL_MS = 2000;

/** Load of one technician = their running requests, counted by Temporal visibility (dispatch ranks fewer open jobs first). */
export async function openJobCount(client: Client, id: string): Promise<number> {
  // Ids come from our own roster (validated pattern), never from callers.
  const { count } = await client.workflow.count(`${SA.TechnicianId.name} = '${id.replace(/'/g, '')}' AND ExecutionStatus = 'Running'`);
  return count;
}

/** Load per technician, uncached (one count each). */
export async function openJobsFromVisibility(client: Client, ids: string[]): Promise<Record<string, number>> {
  return Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await openJobCount(client, id)] as const)));
}

/**
 * How long a technician's legacy count is reused. Requests of lifecycles before the board are no longer started,
 * so these counts only fall (as those requests end) or move with a reassignment: a stale count errs towards
 * sparing a technician who still has old jobs for half a minute more, and the board's claims do not each cost a
 * visibility query.
 */
export const LEGACY_JOBS_TTL_MS = 30_000;

/**
 * Open jobs of a technician that the dispatch board does not hold: running requests of lifecycles before the
 * board (they never claim or release). `LifecycleVersion` is set at start since the board exists; requests
 * without it are older still (verified on the dev server, temporal 1.9.1: `IS NULL` matches the unset attribute).
 */
export async function legacyOpenJobCount(client: Client, id: string): Promise<number> {
  const v = SA.LifecycleVersion.name;
  const { count } = await client.workflow.count(
    `${SA.TechnicianId.name} = '${id.replace(/'/g, '')}' AND ExecutionStatus = 'Running' AND (${v} IS NULL OR ${v} < ${FIRST_BOARD_LIFECYCLE})`,
  );
  return count;
}
