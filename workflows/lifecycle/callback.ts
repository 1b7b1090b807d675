/**
 * After completion, lifecycle 3 (and a settled return or exchange, lifecycle 5): photo check (visits only), completion SMS with the rating link, and the
 * satisfaction call-back (回访) within its window — from `callback.earliest` to `callback.latest` after completion,
 * a deadline of its own. The call centre reports each call: not reached (another call is due; after
 * `maxAttempts` level 1 is paged), or reached with the answers A–D and a score. "Not fixed" reopens the request
 * for a revisit; complaints raised in the call are recorded apart. A score through the rating link makes the
 * call unnecessary; no answer by the link's expiry closes the request as "no feedback".
 */
import { leadsTo } from '../../src/domain/lifecycle/actions';
import { ticketNumber } from '../../src/temporal/ids';
import { acts } from '../proxies';
import { closeWithScore, completionNotice, photoCheck, scored } from './aftercare';
import { ctxOf } from './dispatch';
import { isAction, type ActionEvent } from './inbox';
import { close, type Kit } from './kit';
import { nowIso } from './record';

export async function afterCompletion3(k: Kit, how: 'visit' | 'remote' | 'settled'): Promise<'closed' | 'revisit'> {
  const { record, rules } = k;
  const cb = rules.callback();
  const completedAt = Date.now();
  if (how === 'visit') await photoCheck(k);
  const closesAt = completedAt + cb.latest.ms + rules.policy.feedbackWindow.ms;
  const url = await completionNotice(k, closesAt);
  const data = record.data;
  data.callback = {
    dueFrom: new Date(completedAt + cb.earliest.ms).toISOString(),
    dueBy: new Date(completedAt + cb.latest.ms).toISOString(),
    attempts: [],
  };
  const deadline = k.deadlines.start('callback', cb.latest, { visit: data.visit, fromMs: completedAt });

  const answered = isAction('feedback', 'callbackOutcome');
  // The call centre may reach the customer before the window opens; the link may be used any time.
  let e: ActionEvent<'feedback' | 'callbackOutcome'> | undefined = await k.inbox.within(
    answered,
    Math.max(1, completedAt + cb.earliest.ms - Date.now()),
    `Call-back window opens ${cb.earliest.text} after completion`,
  );
  if (!e) {
    k.notify.customer('survey', { ratingLink: url });
    await callbackTask(k, url, 1);
  }
  for (;;) {
    e ??= await k.inbox.within(answered, Math.max(1, closesAt - Date.now()), `Feedback until the rating link expires`);
    if (!e) {
      record.log('no_feedback', `no call-back answer or score by ${new Date(closesAt).toISOString()}`);
      close(k, 'no_feedback');
      return 'closed';
    }
    if (e.action === 'feedback') {
      k.deadlines.met(deadline.id);
      await scored(k, e as ActionEvent<'feedback'>);
      return 'closed';
    }
    const outcome = e as ActionEvent<'callbackOutcome'>;
    e = undefined;
    if (!outcome.args.reached) {
      await notReached(k, outcome, deadline.id, url);
      continue;
    }
    k.deadlines.met(deadline.id);
    return reached(k, outcome);
  }
}

async function callbackTask(k: Kit, ratingUrl: string, attempt: number): Promise<void> {
  const { record } = k;
  record.log('callback', attempt === 1 ? 'satisfaction call-back task created' : `call-back attempt ${attempt} due`);
  await acts.createCallbackTask.executeWithOptions({ summary: `Call-back task: satisfaction survey (call ${attempt})` }, [
    {
      requestId: record.requestId,
      ticket: ticketNumber(record.requestId),
      phone: k.input.request.customer.phone,
      dueAt: record.data.callback?.dueBy ?? nowIso(),
      ratingUrl,
      language: k.rules.language,
      visit: record.data.visit,
      attempt,
    },
  ]);
}

/** Nobody answered: call again within the window, until the attempts run out (then level 1 takes it over). */
async function notReached(k: Kit, e: ActionEvent<'callbackOutcome'>, deadlineId: string, url: string): Promise<void> {
  const cb = k.record.data.callback!;
  const { maxAttempts } = k.rules.callback();
  cb.attempts.push({ at: nowIso(), note: e.args.note, by: e.args.by });
  k.record.log('callback_not_reached', `call ${cb.attempts.length} of ${maxAttempts}${e.args.note ? `: ${e.args.note}` : ''}`, e.args.by);
  const callAgain = cb.attempts.length < maxAttempts;
  if (!callAgain && !cb.unreachable) {
    cb.unreachable = true;
    // One escalation for one failure: the window's own breach would page about the same call again.
    k.deadlines.cancel(deadlineId);
    k.escalation.raiseTo(1, {
      reason: 'callback_unreached',
      milestone: 'callback',
      detail: `customer not reached in ${maxAttempts} calls`,
    });
  }
  // Answered once taken: the call that made the customer unreachable gets the escalation in its answer.
  k.inbox.settle(e);
  if (callAgain) await callbackTask(k, url, cb.attempts.length + 1);
}

/** The customer answered A–D and scored: a fault not fixed sends someone again; else as any score. */
async function reached(k: Kit, e: ActionEvent<'callbackOutcome'>): Promise<'closed' | 'revisit'> {
  const { record } = k;
  const { answers, score, note, staffComplaint, productComplaint, by } = e.args;
  const a = answers!;
  record.data.callback!.outcome = { at: nowIso(), ...a, score: score!, note, by };
  for (const [kind, text] of [
    ['staff', staffComplaint],
    ['product', productComplaint],
  ] as const) {
    if (text) {
      record.data.callbackComplaints.push({ at: nowIso(), kind, text });
      record.log('callback_complaint', `${kind}: ${text}`, by);
    }
  }
  record.log('callback_outcome', `score ${score}; ${a.fixed ? 'fixed' : 'NOT fixed'}`, by);
  // The call replaces the link: a score through it now would be a second answer.
  record.data.ratingTokens = [];
  const next = leadsTo('callbackOutcome', e.args, ctxOf(k));
  if (next === 'dispatching') {
    record.data.feedback = { score: score!, comment: a.suggestions, at: nowIso() };
    k.visibility.setScore(score!);
    k.visibility.setStatus(next);
    k.inbox.settle(e);
    return 'revisit';
  }
  await closeWithScore(k, e, next, { score: score!, comment: a.suggestions });
  return 'closed';
}
