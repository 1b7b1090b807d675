/**
 * Lifecycle 5, complaints with a process: registered at intake (classified, linked to the earlier request and its
 * technician) → analysis → solution → implementation → complaint_feedback → closed, each step with its deadline
 * (policy `complaints.deadlines`, from the step's start; a missed one escalates one level and the step keeps
 * waiting); a service complaint closes only with its accountability outcome; a product complaint is reported to
 * production and engineering (one JSON line per event by default); a second complaint by the same customer within
 * `complaints.repeatWindow` is raised one level and linked. Older lifecycles and other types are unchanged
 * (replay.test.ts; v4 complaints are dispatched as before, below).
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EarlierRequest } from '../../workflows/messages';
import { COMPLAINT_STEPS } from '../../src/domain/complaints';
import {
  act,
  advanceTo,
  deadline,
  expectRejected,
  expectSmsIdempotent,
  HOUR,
  policyVariant,
  recordHistory,
  serverNow,
  smsOf,
  untilSms,
  untilState,
  useBed,
} from './support/scenario';

const suite = useBed();
const DAY = 24 * HOUR;

const LINK = { requestId: 'sr-crm-CRM-0902', ticket: 'CRM-CRM-0902', type: 'repair', technicianId: 't1001', technicianName: '张伟' };
const ACCOUNTABILITY = {
  responsible: { kind: 'person' as const, name: '张伟', technicianId: 't1001' },
  action: '通报批评，扣除当月服务星级，安排服务礼仪培训',
};
const feedbackLines = (): Record<string, unknown>[] => {
  const file = join(suite.bed.dir, 'complaint-feedback.jsonl');
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
};

test('a service complaint linked to a request: analysis → solution → implementation → feedback with accountability → closed', async () => {
  const { bed } = suite;
  const h = await suite.start({ type: 'complaint', complaint: { classification: 'timeliness', relatesTo: LINK.ticket } }, undefined, {
    complaintLink: LINK,
  });
  const registered = await untilState(h, (s) => s.status === 'analysis', 'analysis');
  expect(registered.complaint).toEqual({ classification: 'timeliness', relatesTo: LINK });
  // No dispatch: nobody is sent, the visit clocks never start; the resolution clock runs from receipt.
  expect(registered.assignments).toEqual([]);
  expect(registered.deadlines.map((d) => d.milestone).sort()).toEqual(['acknowledge', 'complaint_analysis', 'resolution']);
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'complaint_registered'), 'registered');
  expect((await smsOf(bed, h)).map((x) => x.kind)).not.toContain('received');

  const analysed = await act.complaintAnalysis(h, { findings: '工程师迟到两小时且未提前通知', classification: 'service_attitude' });
  expect(analysed.status).toBe('solution');
  expect(analysed.complaint).toMatchObject({
    classification: 'service_attitude',
    classifiedAtIntake: 'timeliness',
    analysis: { findings: '工程师迟到两小时且未提前通知', by: 'ops desk (ops)' },
  });
  expect(deadline(analysed, 'complaint_analysis').status).toBe('met');
  expect(deadline(analysed, 'complaint_solution').status).toBe('pending');

  const solved = await act.complaintSolution(h);
  expect(solved.status).toBe('implementation');
  const sms = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'complaint_solution'), 'solution');
  expect(sms.find((x) => x.kind === 'complaint_solution')?.text).toContain('向客户致歉并免除本次上门费');
  const done = await act.complaintImplementation(h);
  expect(done.status).toBe('complaint_feedback');

  // A service complaint does not close without the accountability outcome (the field is named; nothing written).
  await expectRejected(h, () => act.complaintFeedback(h), /accountability: required to close a service_attitude complaint/);
  const closed = await act.complaintFeedback(h, { accountability: ACCOUNTABILITY });
  expect(closed.status).toBe('closed');
  expect(closed.outcome).toBe('closed');
  expect(closed.complaint).toMatchObject({
    feedback: { satisfied: true, feedback: '客户接受处理结果', by: 'ops desk (ops)' },
    accountability: { ...ACCOUNTABILITY, at: expect.any(String) },
  });
  expect(closed.complaint).not.toHaveProperty('productFeedback');
  for (const step of COMPLAINT_STEPS) expect(deadline(closed, `complaint_${step}`).status).toBe('met');
  expect(deadline(closed, 'resolution').status).toBe('met');
  expect(closed.escalationLevel).toBe(0);

  const final = await h.result();
  expect(final.status).toBe('closed');
  expect((await smsOf(bed, h)).map((x) => x.kind)).toEqual([
    'complaint_registered',
    'complaint_analysed',
    'complaint_solution',
    'complaint_implemented',
    'complaint_closed',
  ]);
  expect(feedbackLines()).toEqual([]);
  await expectSmsIdempotent(bed, h);
  await recordHistory(h, 'v5-complaint-service-closed');
});

test('a product complaint closes without accountability and emits one feedback event to production (JSONL by default)', async () => {
  const h = await suite.start({ type: 'complaint', complaint: { classification: 'product_quality' } });
  await untilState(h, (s) => s.status === 'analysis', 'analysis');
  await act.complaintAnalysis(h, { findings: '同批次热交换器焊点虚焊，属产品质量问题' });
  await act.complaintSolution(h, { solution: '为您免费更换整机' });
  await act.complaintImplementation(h, '已上门更换整机，旧机返厂分析');
  const closed = await act.complaintFeedback(h, { satisfied: true, feedback: '新机器使用正常' });
  expect(closed.status).toBe('closed');
  const eventId = `${h.workflowId}:complaint-feedback`;
  expect(closed.complaint?.productFeedback).toEqual({ eventId });

  const final = await h.result();
  expect(final.complaint?.productFeedback).toEqual({ eventId, sentAt: expect.any(String), via: 'file' });
  const lines = feedbackLines().filter((l) => l.requestId === h.workflowId);
  expect(lines).toEqual([
    expect.objectContaining({
      eventId,
      type: 'complaint.product_feedback',
      ticket: final.ticket,
      classification: 'product_quality',
      product: { model: 'JSQ25-13A', category: 'gas_water_heater', purchaseDate: '2024-03-18' },
      findings: '同批次热交换器焊点虚焊，属产品质量问题',
      solution: '为您免费更换整机',
      implementation: '已上门更换整机，旧机返厂分析',
    }),
  ]);
  // No customer data leaves in the event.
  expect(JSON.stringify(lines)).not.toMatch(/陈静|13812345678|漕溪北路/);
  await recordHistory(h, 'v5-complaint-product-feedback');
});

test("a second complaint within the policy's window is raised one level and linked; an older one or a repair is not", async () => {
  const { bed } = suite;
  const now = await serverNow(bed);
  const earlier = (daysAgo: number, type: EarlierRequest['type'], id: string): EarlierRequest => ({
    requestId: id,
    ticket: id.slice(3).toUpperCase(),
    startedAt: new Date(now - daysAgo * DAY).toISOString(),
    status: 'closed',
    type,
    sameProduct: true,
  });
  const history = [earlier(2, 'repair', 'sr-crm-R-1'), earlier(10, 'complaint', 'sr-crm-C-1'), earlier(45, 'complaint', 'sr-crm-C-0')];
  const h = await suite.start({ type: 'complaint', complaint: { classification: 'service_attitude' } }, undefined, { history });
  const s = await untilState(h, (x) => x.status === 'analysis' && x.escalationLevel === 1, 'raised');
  expect(s.complaint?.repeatOf).toEqual({ requestId: 'sr-crm-C-1', ticket: 'CRM-C-1', startedAt: history[1]!.startedAt });
  expect(s.escalations).toEqual([
    expect.objectContaining({
      level: 1,
      reason: 'repeat_complaint',
      contactRole: 'dispatch_lead',
      detail: expect.stringContaining('CRM-C-1'),
    }),
  ]);
  await recordHistory(h, 'v5-complaint-repeat');

  // Only complaints older than the window (45 days) or no complaint at all: level 0, no link.
  const old = await suite.start({ type: 'complaint' }, undefined, { history: [history[0]!, history[2]!] });
  const o = await untilState(old, (x) => x.status === 'analysis', 'analysis');
  expect(o.escalationLevel).toBe(0);
  expect(o.complaint).toEqual({ classification: 'other' });
});

test("each step's deadline, missed, escalates one level; the step keeps waiting and is met late", async () => {
  const { bed } = suite;
  // The complaint's own resolution deadline (3 days) would break meanwhile: a longer one keeps the levels to the steps.
  const policy = policyVariant('complaint-resolution-10d', (raw) => {
    raw.typeOverrides.complaint.resolution = '10 days';
  });
  const h = await suite.start({ type: 'complaint', complaint: { classification: 'charges' } }, policy);
  await untilState(h, (s) => s.status === 'analysis', 'analysis');
  const T = await serverNow(bed);
  // Defaults: analysis 24 h from receipt, solution 24 h, implementation 48 h, feedback 24 h from each step's start.
  await advanceTo(bed, T + DAY + HOUR);
  const l1 = await untilState(h, (s) => s.escalationLevel === 1, 'analysis breached');
  expect(deadline(l1, 'complaint_analysis')).toMatchObject({ status: 'breached' });
  expect(l1.escalations.at(-1)).toMatchObject({ reason: 'breach', milestone: 'complaint_analysis', level: 1 });
  expect(l1.status).toBe('analysis');
  await act.complaintAnalysis(h);

  let t = await serverNow(bed);
  await advanceTo(bed, t + DAY + HOUR);
  const l2 = await untilState(h, (s) => s.escalationLevel === 2, 'solution breached');
  expect(l2.escalations.at(-1)).toMatchObject({ reason: 'breach', milestone: 'complaint_solution', level: 2 });
  await act.complaintSolution(h);

  t = await serverNow(bed);
  await advanceTo(bed, t + DAY);
  expect((await h.state()).escalationLevel).toBe(2); // implementation has 48 h
  await advanceTo(bed, t + 2 * DAY + HOUR);
  const l3 = await untilState(h, (s) => s.escalationLevel === 3, 'implementation breached');
  expect(l3.escalations.at(-1)).toMatchObject({ reason: 'breach', milestone: 'complaint_implementation', level: 3 });
  await act.complaintImplementation(h);

  t = await serverNow(bed);
  await advanceTo(bed, t + DAY + HOUR);
  const fb = await untilState(
    h,
    (s) => s.escalations.some((e) => e.milestone === 'complaint_feedback'),
    'feedback breached (at level 3 already: recorded, stays 3)',
  );
  expect(fb.escalationLevel).toBe(3);
  expect(deadline(fb, 'complaint_feedback').status).toBe('breached');
  const pages = await untilSms(bed, h, (l) => l.filter((x) => x.kind === 'escalation_breach').length >= 4, 'a breach page per missed step');
  expect(pages.filter((x) => x.kind === 'escalation_breach').map((x) => x.text)).toEqual([
    expect.stringContaining('投诉问题分析'),
    expect.stringContaining('投诉解决方案制定'),
    expect.stringContaining('投诉方案实施'),
    expect.stringContaining('投诉处理反馈'),
  ]);
  const closed = await act.complaintFeedback(h, { satisfied: false, feedback: '处理太慢', accountability: ACCOUNTABILITY });
  expect(closed.status).toBe('closed');
  await recordHistory(h, 'v5-complaint-deadlines-missed');
});

test('a complaint in its process can be cancelled; repair actions are refused in its steps', async () => {
  const h = await suite.start({ type: 'complaint' });
  await untilState(h, (s) => s.status === 'analysis', 'analysis');
  await expectRejected(h, () => act.assign(h, 't1001'), /cannot assign a request that is analysis/);
  await expectRejected(h, () => act.complaintSolution(h), /cannot complaintSolution a request that is analysis \(allowed when solution\)/);
  const cancelled = await act.cancel(h, '客户撤回投诉');
  expect(cancelled.status).toBe('cancelled');
  await untilSms(suite.bed, h, (l) => l.some((x) => x.kind === 'cancelled'), 'cancelled');
});

test("a product complaint's feedback still undelivered when the retry budget runs out: closed anyway, level 1 paged", async () => {
  // The feedback file cannot be written (a directory in its place) for longer than the (short) retry budget.
  const file = join(suite.bed.dir, 'complaint-feedback.jsonl');
  rmSync(file, { force: true });
  mkdirSync(file);
  try {
    const policy = policyVariant('short-sms-budget', (raw) => {
      raw.smsRetryBudget = '2m';
    });
    const h = await suite.start({ type: 'complaint', complaint: { classification: 'product_quality' } }, policy);
    await untilState(h, (s) => s.status === 'analysis', 'analysis');
    await act.complaintAnalysis(h);
    await act.complaintSolution(h);
    await act.complaintImplementation(h);
    expect((await act.complaintFeedback(h)).status).toBe('closed');
    const final = await h.result();
    expect(final.complaint?.productFeedback).toMatchObject({ failedAt: expect.any(String), error: expect.stringContaining('EISDIR') });
    expect(final.escalations).toEqual([expect.objectContaining({ level: 1, reason: 'complaint_feedback_failed' })]);
  } finally {
    rmSync(file, { recursive: true, force: true });
  }
});

describe('lifecycle 4 complaints run as before', () => {
  const v4 = useBed({ lifecycleVersion: 4 });
  test('dispatched to a technician; the complaint actions are refused (from version 5)', async () => {
    const h = await v4.start({ type: 'complaint', complaint: { classification: 'service_attitude' } });
    const s = await untilState(h, (x) => x.status === 'assigned', 'assigned');
    expect(s).not.toHaveProperty('complaint');
    await expectRejected(h, () => act.complaintAnalysis(h), /runs lifecycle version 4, which has no such action \(from version 5\)/);
  });
});
