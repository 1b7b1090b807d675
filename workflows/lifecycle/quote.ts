/**
 * A chargeable repair's quote (lifecycle 4): priced lines fixed when issued, sent to the customer with a signed
 * single-use link to approve or decline; ops may record a decision taken by phone. The `quote` deadline is the
 * decision's: a reminder SMS after `quotes.reminderAfter`, and at expiry either level 1 is paged (and the quote
 * keeps waiting) or the request closes as declined (policy `quotes.onExpiry`). Approved: the repair goes on.
 * Declined: only the visit fee is due and the request closes as `quote_declined`.
 */
import { uuid4 } from '@temporalio/workflow';
import { formatAmount } from '../../src/domain/charges';
import { leadsTo } from '../../src/domain/lifecycle/actions';
import { acts } from '../proxies';
import { ctxOf } from './dispatch';
import { isAction, isBreach, type ActionEvent, type BreachEvent, type InboxEvent } from './inbox';
import { close, type Kit } from './kit';
import { release } from './load';
import { nowIso, type QuoteRecord } from './record';

type Decision = ActionEvent<'quoteDecision' | 'quoteResponse'>;

export async function awaitQuoteDecision(k: Kit, e: ActionEvent<'quote'>): Promise<'approved' | 'declined'> {
  const data = k.record.data;
  const policy = k.rules.quotes();
  const quotedAt = Date.now();
  const n = data.quotes.length + 1;
  const q: QuoteRecord = {
    id: `Q${n}`,
    at: nowIso(),
    by: e.args.by,
    note: e.args.note,
    expiresAt: new Date(quotedAt + policy.expiry.ms).toISOString(),
    ...e.priced!,
  };
  data.quotes.push(q);
  // The n-th quote's deadline is `quote#n` (the deadline's "visit" counts quotes here).
  const deadline = k.deadlines.start('quote', policy.expiry, { warn: false, visit: n, fromMs: quotedAt });
  k.visibility.setStatus(leadsTo('quote', e.args, ctxOf(k)));
  k.record.log('quoted', `${q.id}: ${formatAmount(q.total)} ${q.currency} (${q.lines.length} lines)`, e.args.by);
  k.inbox.settle(e);

  const tokenId = uuid4();
  data.quoteTokens = [tokenId];
  const { url } = await acts.issueCustomerLink.executeWithOptions({ summary: `Quote link for the customer (${q.id})` }, [
    { purpose: 'quote', requestId: k.record.requestId, tokenId, expiresAt: q.expiresAt },
  ]);
  const vars = {
    total: formatAmount(q.total),
    labour: formatAmount(q.labour),
    parts: formatAmount(q.parts),
    currency: q.currency,
    quoteLink: url,
    expiresAt: q.expiresAt,
  };
  k.notify.customer('quote', vars);

  const decided = isAction('quoteDecision', 'quoteResponse');
  let d: Decision | BreachEvent | undefined = await k.inbox.within(
    decided,
    Math.max(1, quotedAt + policy.reminderAfter.ms - Date.now()),
    `Quote reminder ${policy.reminderAfter.text} after the quote`,
  );
  if (!d) {
    q.remindedAt = nowIso();
    k.record.log('quote_reminder', q.id);
    k.notify.customer('quote_reminder', vars);
  }
  const due = isBreach(deadline.id);
  for (;;) {
    d ??= await k.inbox.next((x: InboxEvent): x is Decision | BreachEvent => decided(x) || due(x));
    if (d.kind === 'action') return decide(k, q, d, deadline.id);
    k.inbox.drop(d);
    d = undefined;
    q.expiredAt = nowIso();
    if (policy.onExpiry === 'close') {
      k.record.log('quote_expired', `${q.id}: no decision by ${q.expiresAt}; closed as declined`);
      decline(k, q);
      return 'declined';
    }
    k.record.log('quote_expired', `${q.id}: no decision by ${q.expiresAt}`);
    k.escalation.raiseTo(1, { reason: 'quote_expired', milestone: 'quote', deadlineId: deadline.id, detail: `${q.id} not decided` });
  }
}

function decide(k: Kit, q: QuoteRecord, e: Decision, deadlineId: string): 'approved' | 'declined' {
  const data = k.record.data;
  const { approved, by } = e.args;
  const via = e.action === 'quoteResponse' ? 'link' : 'phone';
  const note = e.action === 'quoteDecision' ? (e.args as Decision['args'] & { note: string }).note : undefined;
  q.decision = { approved, at: nowIso(), via, by, note };
  // Single use: the link's answer is in.
  data.quoteTokens = [];
  k.deadlines.met(deadlineId);
  k.record.log(approved ? 'quote_approved' : 'quote_declined', `${q.id} by ${via}${note ? `: ${note}` : ''}`, by);
  if (approved) {
    k.visibility.setStatus(leadsTo(e.action, e.args, ctxOf(k)));
    k.inbox.settle(e);
    return 'approved';
  }
  k.inbox.drop(e);
  decline(k, q);
  k.inbox.settle(e);
  return 'declined';
}

/** Declined (or expired under `onExpiry: close`): the visit fee only, the technician is free, the customer told. */
function decline(k: Kit, q: QuoteRecord): void {
  const data = k.record.data;
  const { visitFee, currency } = k.rules.charges();
  data.visitFee = { amount: visitFee, currency };
  k.appointments.clear();
  release(k);
  k.record.log('visit_fee', `${formatAmount(visitFee)} ${currency} (${q.id} declined)`);
  k.notify.customer('quote_declined', { visitFee: formatAmount(visitFee), currency });
  close(k, 'quote_declined');
}
