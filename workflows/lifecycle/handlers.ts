/**
 * The request's updates, one per lifecycle action (src/domain/lifecycle): each validator refuses what the
 * definition does not allow before anything is written; each handler posts the action to the inbox and answers
 * once the main line has taken it. Cancel interrupts the main line wherever it is.
 */
import { ApplicationFailure, condition, setHandler, type CancellationScope } from '@temporalio/workflow';
import { ACTIONS, LIFECYCLE, problems, refusal, type Action, type ActionArgs } from '../../src/domain/lifecycle/actions';
import type { CandidateSummary } from '../../activities/contract';
import { ACTION_UPDATES, intakeUpdate, photoUploadedSignal, stateQuery, type ServiceRequestState } from '../messages';
import { acts } from '../proxies';
import type { ActionEvent } from './inbox';
import { nowIso } from './record';
import { formatAmount, type LineInput, type PricedLines, type WarrantyJudgement } from '../../src/domain/charges';
import type { Kit } from './kit';
import { closingProblems } from '../../src/domain/complaints';

const refuse = (why: string, type = 'InvalidTransition'): never => {
  throw ApplicationFailure.nonRetryable(why, type);
};

/** Checks of single actions beyond the table (state the table cannot see). */
const EXTRA: { [A in Action]?: (k: Kit, args: ActionArgs<A>) => void } = {
  assign: (k, { technicianId }) => {
    const status = k.record.data.status;
    if (k.record.technicianId === technicianId && status !== 'dispatching' && status !== 'escalated') {
      refuse(`technician ${technicianId} is already assigned`);
    }
  },
  feedback: (k, { tokenId }) => {
    if (!k.record.data.ratingTokens.includes(tokenId)) {
      refuse(
        k.record.data.feedback ? 'rating link was already used' : 'rating link is not valid for this request',
        k.record.data.feedback ? 'TokenUsed' : 'InvalidToken',
      );
    }
  },
  // Lifecycle 4.
  completion: (k, { partsUsed, report }) => {
    if (k.version >= 4) return;
    const field = partsUsed !== undefined ? 'partsUsed' : report !== undefined ? 'report' : undefined;
    if (field)
      refuse(`${field}: this request runs lifecycle version ${k.version}, which records no ${field} (from version 4)`, 'InvalidArgument');
  },
  quote: (k) => {
    const c = k.record.data.chargeable;
    if (c && !c.chargeable) {
      refuse(`the repair is not chargeable (${c.reason}): nothing to quote; a diagnosis whose cause the warranty excludes makes it so`);
    }
  },
  // Lifecycle 5: the supervisor decides within what the policy allows after the inspection (else 409 with why).
  returnApproval: (k, { outcome }) => {
    const a = k.record.data.returns?.assessment;
    if (outcome !== 'refused' && a && !a.allowed.includes(outcome)) {
      refuse(
        `${outcome} is not allowed for this ${k.input.request.type} (${a.reason}); allowed: ${a.allowed.join(', ') || 'refused only'}`,
      );
    }
  },
  returnSettlement: (k, { direction, replacementModel }) => {
    const outcome = k.record.data.returns?.decision?.outcome;
    if (outcome === 'refund' && direction === 'from_customer') refuse('direction: a refund goes to_customer (or none)', 'InvalidArgument');
    if (outcome === 'replacement' && !replacementModel) refuse('replacementModel: required for a replacement', 'InvalidArgument');
  },
  // Lifecycle 5: a service complaint closes only with its accountability outcome (a 400 naming the field).
  complaintFeedback: (k, args) => {
    const c = k.record.data.complaint;
    const bad = c ? closingProblems(c.classification, args) : [];
    if (bad.length) refuse(bad.map((p) => `${p.path}: ${p.message}`).join('; '), 'InvalidArgument');
  },
  quoteResponse: (k, { tokenId }) => {
    if (!k.record.data.quoteTokens.includes(tokenId)) {
      const used = k.record.data.quotes.some((q) => q.decision);
      refuse(used ? 'quote link was already used' : 'quote link is not valid for this request', used ? 'TokenUsed' : 'InvalidToken');
    }
  },
};

export function registerHandlers(k: Kit, main: CancellationScope): void {
  setHandler(stateQuery, () => k.view());
  setHandler(intakeUpdate, ({ startAttemptId, bodyHash }) => ({
    created: startAttemptId === k.input.startAttemptId,
    bodyHashMatches: bodyHash === k.input.bodyHash,
    state: k.view(),
  }));
  setHandler(photoUploadedSignal, (photo) => {
    // An invoice is the warranty's proof, not visit evidence: kept out of `photos`, so it neither counts for the
    // photo check nor wakes its re-checks (aftercare.ts re-checks when `photos` grows). Recorded histories hold no
    // invoice: visit photos take exactly the path they always took.
    if (photo.kind === 'invoice') return warrantyProof(k, photo);
    k.record.data.photos.push(photo);
    k.record.log('photo', `${photo.kind} ${photo.key}`);
  });
  for (const action of ACTIONS) register(k, action, main);
}

/**
 * Lifecycle 4: the invoice photo (购买发票) is the proof of purchase for the warranty judged at intake; the latest
 * one is on file as `warranty.proof`. It changes neither the judgement nor the charges: the purchase date was given
 * at intake, the photo lets staff check it. Synchronous, no command: a signal handler only records.
 */
function warrantyProof(k: Kit, photo: { key: string; at: string }): void {
  const data = k.record.data;
  if (k.version < 4) {
    // The API takes invoices for version 4 requests only; one signalled to an older request is noted, not kept.
    k.record.log('photo', `invoice ${photo.key} ignored: lifecycle ${k.version} keeps no warranty proof (from version 4)`);
    return;
  }
  const attach = (warranty: WarrantyJudgement): void => {
    if (warranty.proof?.invoicePhoto === photo.key) return; // the same bytes uploaded again
    warranty.proof = { invoicePhoto: photo.key, at: photo.at };
    k.record.log('warranty_proof', `invoice ${photo.key}`);
  };
  // The warranty is judged in the first workflow task, before the API can read the state and upload; only a
  // signal delivered with the start itself could come first, and then it waits for the judgement.
  if (data.warranty) attach(data.warranty);
  else void condition(() => data.warranty !== undefined).then(() => attach(data.warranty as WarrantyJudgement));
}

function register<A extends Action>(k: Kit, action: A, main: CancellationScope): void {
  const spec = LIFECYCLE[action];
  const validator = (args: ActionArgs<A>): void => {
    // A retry with the same key and body has the same update id: Temporal answers it with the first result
    // without asking here. The same key with another body is a different update, refused whatever the state.
    if (args.idempotency && k.record.keyReused(action, args.by, args.idempotency)) {
      refuse(
        `Idempotency-Key ${args.idempotency.key} was already used for ${action} with another body; use a new key`,
        'IdempotencyConflict',
      );
    }
    const why = refusal(action, k.record.data.status, k.version);
    if (why) refuse(why);
    const { technicianId } = args as { technicianId?: string };
    // Ops may take an assignee action that lists them (remote resolution) for whoever is assigned.
    const technicianCaller = !spec.roles.includes('ops') || args.by?.role === 'technician';
    if (spec.assignee && technicianCaller && technicianId !== k.record.technicianId) {
      refuse(`technician ${technicianId} is not assigned to this request`);
    }
    const bad = problems(action, args);
    if (bad.length) refuse(bad.map((p) => `${p.path}: ${p.message}`).join('; '), 'InvalidArgument');
    (EXTRA[action] as ((k: Kit, a: ActionArgs<A>) => void) | undefined)?.(k, args);
    if (action !== 'cancel' && k.inbox.busy()) refuse('another action on this request is being applied; retry', 'Busy');
  };
  const handler = async (args: ActionArgs<A>): Promise<ServiceRequestState> => {
    if (args.idempotency) k.record.rememberKey(action, args.by, args.idempotency);
    if (action === 'cancel') return cancel(k, args as ActionArgs<'cancel'>, main);
    // A payment moves no status, wherever the main line waits: recorded here.
    if (action === 'payment') return recordPayment(k, args as ActionArgs<'payment'>);
    // Posted at once when nothing is to be looked up (no await: nothing else can be accepted in between).
    const e: ActionEvent<A> = k.inbox.post(action, args, needsLookUp(k, action, args) ? await lookingUp(k, action, args) : {});
    await condition(() => e.settled);
    if (e.refused !== undefined) refuse(e.refused);
    return e.result as ServiceRequestState;
  };
  setHandler(ACTION_UPDATES[action], handler as never, { validator: validator as never });
}

/** A manual assignment's technician, and on lifecycle 4 the lines of a quote, a parts order or the parts used. */
function needsLookUp<A extends Action>(k: Kit, action: A, args: ActionArgs<A>): boolean {
  return action === 'assign' || linesToPrice(k, action, args) !== undefined;
}

/**
 * The look-up, with the inbox marked busy meanwhile: the action is accepted but not queued yet, so another one
 * arriving now is refused (Busy) as it would be once this one is queued.
 */
async function lookingUp<A extends Action>(k: Kit, action: A, args: ActionArgs<A>): Promise<Pick<ActionEvent, 'technician' | 'priced'>> {
  k.inbox.lookingUp += 1;
  try {
    if (action === 'assign') return { technician: await lookUp(args as ActionArgs<'assign'>) };
    const lines = linesToPrice(k, action, args);
    return lines ? { priced: await price(k, lines) } : {};
  } finally {
    k.inbox.lookingUp -= 1;
  }
}

interface LinesToPrice {
  lines: LineInput[];
  /** Where they are in the caller's body (problems are named by it). */
  path: string;
  what: string;
}

/** The lines a lifecycle-4 action needs priced before the main line takes it (quote, parts order, parts used). */
function linesToPrice<A extends Action>(k: Kit, action: A, args: ActionArgs<A>): LinesToPrice | undefined {
  if (k.version < 4) return undefined;
  const asParts = (parts: { partNumber: string; quantity: number }[]): LineInput[] =>
    parts.map(({ partNumber, quantity }) => ({ kind: 'part', partNumber, quantity }));
  if (action === 'quote') return { lines: (args as ActionArgs<'quote'>).lines, path: 'lines', what: 'quote' };
  if (action === 'partsRequest') return { lines: asParts((args as ActionArgs<'partsRequest'>).parts), path: 'parts', what: 'parts order' };
  const used = action === 'completion' ? (args as ActionArgs<'completion'>).partsUsed : undefined;
  return used?.length ? { lines: asParts(used), path: 'partsUsed', what: 'parts used' } : undefined;
}

/** Lines priced from the catalogue; a line it does not know is the caller's mistake (400 naming it). */
async function price(k: Kit, { lines, path, what }: LinesToPrice): Promise<PricedLines> {
  const r = await acts.priceLines.executeWithOptions({ summary: `Price the ${what} (${lines.length} lines)` }, [
    { lines, category: k.input.request.product.category, path },
  ]);
  if (!r.priced || r.problems.length) refuse(r.problems.map((p) => `${p.path}: ${p.message}`).join('; '), 'InvalidArgument');
  return r.priced as PricedLines;
}

function recordPayment(k: Kit, args: ActionArgs<'payment'>): ServiceRequestState {
  const { method, amount, reason, approvedBy, by } = args;
  k.record.data.payments.push({ at: nowIso(), method, amount, reason, approvedBy, by });
  k.record.log('payment', `${method} ${formatAmount(amount)} ${k.rules.charges().currency}${reason ? `: ${reason}` : ''}`, by);
  return k.view();
}

async function lookUp({ technicianId }: ActionArgs<'assign'>): Promise<CandidateSummary> {
  const tech = await acts.getTechnician.executeWithOptions({ summary: `Look up technician ${technicianId}` }, [{ technicianId }]);
  if (!tech) refuse(`technician ${technicianId} is unknown or inactive`, 'UnknownTechnician');
  return { ...(tech as CandidateSummary), reason: 'manual' };
}

/** Cancel interrupts the main line; it closes the request (customer told) and the caller gets the closed view. */
async function cancel(k: Kit, args: ActionArgs<'cancel'>, main: CancellationScope): Promise<ServiceRequestState> {
  k.record.data.cancelReason = args.reason;
  k.record.log('cancel', args.reason, args.by);
  main.cancel();
  await condition(() => k.record.data.outcome !== undefined);
  return k.view();
}
