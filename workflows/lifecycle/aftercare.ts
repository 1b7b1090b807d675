/**
 * After a resolved visit: the photo check (30 min), the completion SMS with the rating link, the satisfaction
 * call-back (回访) when the customer has not rated, and the follow-up after a low score.
 */
import { condition, patched, uuid4 } from '@temporalio/workflow';
import { leadsTo } from '../../src/domain/lifecycle/actions';
import { PHOTO_KINDS } from '../../src/domain/types';
import { ticketNumber } from '../../src/temporal/ids';
import { acts } from '../proxies';
import { ctxOf } from './dispatch';
import { isAction, isBreach, type ActionEvent } from './inbox';
import { close, type Kit } from './kit';
import { nowIso } from './record';
import { sendsServiceReport, serviceReportLink } from './serviceReport';

/** Marker of requests whose photo re-checks count photos announced during a check as new. */
export const PHOTO_RECHECK_FROM_CHECK_START = 'photo-recheck-from-check-start';

export async function afterCompletion(k: Kit): Promise<void> {
  const { record, rules } = k;
  const policy = rules.policy;
  const completedAt = Date.now();
  await photoCheck(k);
  const url = await completionNotice(k, completedAt + policy.callbackDelay.ms + policy.feedbackWindow.ms);

  // Satisfaction call-back after completion, unless the customer already rated through the link.
  const rated = isAction('feedback');
  let feedback = await k.inbox.within(
    rated,
    Math.max(1, completedAt + policy.callbackDelay.ms - Date.now()),
    `Satisfaction call-back ${policy.callbackDelay.text} after completion`,
  );
  if (!feedback) {
    k.notify.customer('survey', { ratingLink: url });
    record.log('callback', 'satisfaction call-back task created');
    await acts.createCallbackTask.executeWithOptions({ summary: 'Call-back task: satisfaction survey' }, [
      {
        requestId: record.requestId,
        ticket: ticketNumber(record.requestId),
        phone: k.input.request.customer.phone,
        dueAt: nowIso(),
        ratingUrl: url,
        language: rules.language,
      },
    ]);
    feedback = await k.inbox.within(rated, policy.feedbackWindow.ms, `Feedback window ${policy.feedbackWindow.text}`);
    if (!feedback) {
      record.log('no_feedback', `no score within ${policy.feedbackWindow.text}`);
      close(k, 'no_feedback');
      return;
    }
  }
  await scored(k, feedback);
}

/** A rating link valid until `expiresMs`, sent with the completion SMS (and the service report's); returns its URL. */
export async function completionNotice(k: Kit, expiresMs: number): Promise<string> {
  const reportLink = sendsServiceReport(k) ? await serviceReportLink(k) : undefined;
  const tokenId = uuid4();
  k.record.data.ratingTokens.push(tokenId);
  const { url } = await acts.issueRatingLink.executeWithOptions({ summary: 'Rating link for the customer' }, [
    { requestId: k.record.requestId, tokenId, expiresAt: new Date(expiresMs).toISOString(), language: k.rules.language },
  ]);
  if (reportLink) k.notify.customer('completed_report', { ratingLink: url, reportLink });
  else k.notify.customer('completed', { ratingLink: url });
  return url;
}

/** The score is in (rating link): a low one gets a follow-up within its deadline, then the request closes. */
export async function scored(k: Kit, e: ActionEvent<'feedback'>): Promise<void> {
  const { record } = k;
  const { score, comment, tokenId } = e.args;
  record.data.ratingTokens = record.data.ratingTokens.filter((t) => t !== tokenId);
  record.log('feedback', `score ${score}`, e.args.by);
  await closeWithScore(k, e, leadsTo('feedback', e.args, ctxOf(k)), { score, comment });
}

/**
 * Records the score and closes, or (a low score) opens the follow-up first: apology SMS, a deadline, and the
 * request closes when ops record it. `e` is answered once the status has moved.
 */
export async function closeWithScore(k: Kit, e: ActionEvent, next: string, s: { score: number; comment?: string }): Promise<void> {
  const { record } = k;
  const feedbackAt = Date.now();
  record.data.feedback = { score: s.score, comment: s.comment, at: nowIso() };
  k.visibility.setScore(s.score);
  if (next === 'closed') {
    k.inbox.drop(e);
    close(k, 'closed');
    k.inbox.settle(e);
    return;
  }
  k.visibility.setStatus('follow_up');
  k.inbox.settle(e);
  const span = k.rules.span('follow_up');
  const d = k.deadlines.start('follow_up', span, { fromMs: feedbackAt });
  k.notify.customer('follow_up_apology', { contactWithinHours: Math.max(1, Math.round(span.ms / 3600_000)) });
  const done = await k.inbox.next(isAction('followUp'));
  record.data.followUp = { notes: done.args.notes, at: nowIso() };
  record.log('follow_up', done.args.notes, done.args.by);
  k.deadlines.met(d.id);
  k.inbox.drop(done);
  close(k, 'closed');
  k.inbox.settle(done);
}

/**
 * At the 30-minute mark (or as soon as every kind is announced) verify the photos in storage. The completion
 * SMS waits only for this first check; the reminder (the photos deadline's breach rule) and re-checks on later
 * uploads go on in the background until the photos pass or the request closes.
 */
export async function photoCheck(k: Kit): Promise<void> {
  const data = k.record.data;
  // Lifecycle 3 may complete more than once (a revisit): each completion has its own photos deadline.
  const d = k.deadlines.start('photos', k.rules.span('photos'), { warn: false, ...(k.version >= 3 ? { visit: data.visit } : {}) });
  const due = isBreach(d.id);
  const allAnnounced = (): boolean => PHOTO_KINDS.every((kind) => data.photos.some((p) => p.kind === kind));
  await condition(() => allAnnounced() || k.inbox.find(due) !== undefined);
  // Photos announced up to the start of the last check: the check read storage after them.
  let checked = data.photos.length;
  let ok = await runPhotoCheck(k);
  if (ok) {
    k.deadlines.met(d.id);
    return;
  }
  const recheck = async (): Promise<void> => {
    // A photo announced while a check ran was counted as seen and never checked (patched: requests that already
    // passed this point keep the old count).
    const fromCheckStart = patched(PHOTO_RECHECK_FROM_CHECK_START);
    while (!ok && data.outcome === undefined) {
      const seen = fromCheckStart ? checked : data.photos.length;
      await condition(() => data.photos.length > seen || k.inbox.find(due) !== undefined || data.outcome !== undefined);
      const reminder = k.inbox.find(due);
      if (reminder) {
        k.inbox.drop(reminder);
        photosMissing(k);
      }
      if (data.photos.length > seen) {
        checked = data.photos.length;
        ok = await runPhotoCheck(k);
        if (ok) k.deadlines.met(d.id);
      }
    }
  };
  k.notify.alongside(recheck);
}

function photosMissing(k: Kit): void {
  const last = k.record.data.photoChecks[k.record.data.photoChecks.length - 1];
  const tech = k.record.technicianId;
  if (tech) k.notify.technician(tech, 'tech_photo_reminder', { missingPhotos: last?.missing ?? [] });
  k.escalation.raiseTo(1, { reason: 'photos_missing', milestone: 'photos', detail: (last?.missing ?? []).join(', ') });
}

async function runPhotoCheck(k: Kit): Promise<boolean> {
  const r = await acts.checkPhotos.executeWithOptions({ summary: 'Photo check: before, after, signature' }, [
    { requestId: k.record.requestId, required: [...PHOTO_KINDS] },
  ]);
  k.record.data.photoChecks.push({ at: nowIso(), ok: r.ok, missing: r.missing, invalid: r.invalid });
  k.record.log(
    'photo_check',
    r.ok ? 'all photos present' : `missing ${r.missing.join(', ') || '-'}; invalid ${r.invalid.map((i) => i.kind).join(', ') || '-'}`,
  );
  return r.ok;
}
