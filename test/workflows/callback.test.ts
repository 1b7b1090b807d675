/**
 * The satisfaction call-back (回访, docs/lifecycle.md): completion SMS with a signed rating link; 24 h later the survey SMS and a
 * call-back task for the call centre. Score ≤ 3 → follow-up within 2 h of the score (met, or breached →
 * escalation); ≥ 4 → closed; no answer within the feedback window (72 h) → closed as no_feedback.
 * The score arrives as the feedback update with the token id from the link, verified like the API does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { verifyRatingToken } from '../../src/ratingLink';
import { SA } from '../../src/temporal/searchAttributes';
import { RATING_SECRET, type Handle } from './support/env';
import {
  act,
  advanceTo,
  ALL_PHOTOS,
  assignedTech,
  deadline,
  HOUR,
  MIN,
  near,
  ratingToken,
  ratingTokenId,
  recordHistory,
  serverNow,
  settle,
  smsOf,
  untilSms,
  untilState,
  untilStatus,
  uploadPhotos,
  useBed,
} from './support/scenario';

// Lifecycle 2's rules, for the requests still running on it; lifecycle 3's changes are in v3-*.test.ts.
const suite = useBed({ lifecycleVersion: 2 });
const S = 1000;

/** A request taken to completion (photos fine); returns its completion time. */
async function completed(h: Handle): Promise<number> {
  const { bed } = suite;
  const tech = await assignedTech(h);
  await act.accept(h, tech);
  await act.book(h, tech, new Date(await serverNow(bed)).toISOString());
  await act.arrive(h, tech);
  await uploadPhotos(bed, h, ALL_PHOTOS);
  const s = await act.complete(h, tech);
  await untilSms(bed, h, (l) => l.some((x) => x.kind.startsWith('completed')), 'completion SMS');
  return Date.parse(s.completion?.[0]?.at as string);
}

const callbackTasks = (): { requestId: string; ratingUrl: string; phone: string; dueAt: string }[] => {
  try {
    return readFileSync(join(suite.bed.dir, 'callbacks.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
};

test('rated 2 through the link before the call-back: no survey; follow-up met within 2 h → closed', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const T = await completed(h);
  const tokenId = await ratingTokenId(bed, h);
  await advanceTo(bed, T + 3 * HOUR);
  await act.feedback(h, tokenId, 2, '上门迟到，态度一般');
  const s = await untilStatus(h, 'follow_up');
  expect(s.feedback).toEqual({ score: 2, comment: '上门迟到，态度一般', at: near(T + 3 * HOUR) });
  expect(deadline(s, 'follow_up')).toMatchObject({ dueAt: near(T + 5 * HOUR), status: 'pending' });
  const apology = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'follow_up_apology'), 'apology');
  expect(apology.find((x) => x.kind === 'follow_up_apology')?.to).toBe('+8613812345678');

  await advanceTo(bed, T + 4 * HOUR);
  await act.followUp(h, '已致电客户致歉，赠送延保一年');
  const final = await h.result();
  expect(final).toMatchObject({
    status: 'closed',
    outcome: 'closed',
    followUp: { notes: '已致电客户致歉，赠送延保一年', at: near(T + 4 * HOUR) },
  });
  expect(deadline(final, 'follow_up')).toMatchObject({ status: 'met', metAt: near(T + 4 * HOUR) });
  expect(await smsOf(bed, h, 'survey')).toEqual([]);
  expect(callbackTasks().filter((t) => t.requestId === h.workflowId)).toEqual([]);
  expect(final.escalations).toEqual([]);
});

test('score 1 after the survey, follow-up missed: warned at 80 %, breached at 2 h → level 1; closed when it finally happens', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const T = await completed(h);
  const tokenId = await ratingTokenId(bed, h);
  await advanceTo(bed, T + 24 * HOUR + S);
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'survey'), 'survey');
  const F = T + 26 * HOUR;
  await advanceTo(bed, F);
  await act.feedback(h, tokenId, 1);
  await untilStatus(h, 'follow_up');

  await advanceTo(bed, F + 96 * MIN + S);
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'escalation_warning'), 'follow-up warning');
  expect((await h.state()).escalationLevel).toBe(0);
  await advanceTo(bed, F + 2 * HOUR + S);
  const s = await untilState(h, (x) => x.escalationLevel === 1, 'follow-up breach');
  expect(deadline(s, 'follow_up')).toMatchObject({ status: 'breached', breachedAt: near(F + 2 * HOUR) });
  expect(s.escalations).toEqual([
    expect.objectContaining({ level: 1, reason: 'breach', milestone: 'follow_up', contactRole: 'dispatch_lead' }),
  ]);
  const pages = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'escalation_breach'), 'breach page');
  expect(pages.filter((x) => x.kind.startsWith('escalation_')).map((x) => `${x.kind} ${x.to}`)).toEqual([
    'escalation_warning +8613900139001',
    'escalation_breach +8613900139001',
  ]);

  await advanceTo(bed, F + 3 * HOUR);
  await act.followUp(h);
  const final = await h.result();
  expect(final).toMatchObject({ outcome: 'closed', escalationLevel: 1 });
  expect(deadline(final, 'follow_up')).toMatchObject({ status: 'breached', metAt: near(F + 3 * HOUR) });
  expect(Math.abs((deadline(final, 'follow_up').lateByMs ?? 0) - HOUR)).toBeLessThan(2 * S);
  await recordHistory(h, 'follow-up-missed');
});

test.each([4, 5])('score %i after the survey → closed, no follow-up', async (score) => {
  const { bed } = suite;
  const h = await suite.start();
  const T = await completed(h);
  const tokenId = await ratingTokenId(bed, h);
  await advanceTo(bed, T + 24 * HOUR - S);
  expect(await smsOf(bed, h, 'survey')).toEqual([]);
  await advanceTo(bed, T + 24 * HOUR + S);
  const survey = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'survey'), 'survey');
  // The survey carries the same signed link; the call centre gets a task to call the customer (its own
  // activity, beside the survey SMS's: read once the request has settled).
  expect(survey.find((x) => x.kind === 'survey')?.text).toContain(await ratingToken(bed, h));
  await settle(h);
  const [task] = callbackTasks().filter((t) => t.requestId === h.workflowId);
  expect(task).toMatchObject({ phone: '+8613812345678', dueAt: near(T + 24 * HOUR), ratingUrl: expect.stringContaining('/r/') });

  await advanceTo(bed, T + 30 * HOUR);
  await act.feedback(h, tokenId, score, '很满意');
  const final = await h.result();
  expect(final).toMatchObject({ status: 'closed', outcome: 'closed', feedback: { score } });
  expect(final.deadlines.map((d) => d.milestone)).not.toContain('follow_up');
  expect(await smsOf(bed, h, 'follow_up_apology')).toEqual([]);
  expect((await h.describe()).typedSearchAttributes.get(SA.SatisfactionScore)).toBe(score);
});

test('no answer: survey at 24 h, then closed as no_feedback when the 72-h window ends; the link expires with it', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const T = await completed(h);
  const token = await ratingToken(bed, h);
  const final = await h.result();
  expect(final).toMatchObject({ status: 'closed', outcome: 'no_feedback', closedAt: near(T + 96 * HOUR) });
  expect(final.timeline.find((e) => e.event === 'callback')?.at).toEqual(near(T + 24 * HOUR));
  expect(final.feedback).toBeUndefined();
  expect((await smsOf(bed, h, 'survey')).length).toBe(1);
  expect(callbackTasks().filter((t) => t.requestId === h.workflowId)).toHaveLength(1);
  expect(verifyRatingToken(token, RATING_SECRET, T + 96 * HOUR - S)).toMatchObject({ requestId: h.workflowId });
  expect(verifyRatingToken(token, RATING_SECRET, T + 96 * HOUR)).toEqual({ error: 'expired' });
});

test('a token the workflow did not issue is refused', async () => {
  const h = await suite.start();
  await completed(h);
  const err = await act.feedback(h, 'f0f0f0f0-0000-4000-8000-000000000000', 5).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((err as WorkflowUpdateFailedError).cause?.message).toMatch(/not valid for this request/);
  expect((await h.state()).feedback).toBeUndefined();
});
