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
import type { Kit } from './kit';

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
};

export function registerHandlers(k: Kit, main: CancellationScope): void {
  setHandler(stateQuery, () => k.view());
  setHandler(intakeUpdate, ({ startAttemptId, bodyHash }) => ({
    created: startAttemptId === k.input.startAttemptId,
    bodyHashMatches: bodyHash === k.input.bodyHash,
    state: k.view(),
  }));
  setHandler(photoUploadedSignal, (photo) => {
    k.record.data.photos.push(photo);
    k.record.log('photo', `${photo.kind} ${photo.key}`);
  });
  for (const action of ACTIONS) register(k, action, main);
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
    const technician = action === 'assign' ? await lookUp(args as ActionArgs<'assign'>) : undefined;
    const e: ActionEvent<A> = k.inbox.post(action, args, technician);
    await condition(() => e.settled);
    if (e.refused !== undefined) refuse(e.refused);
    return e.result as ServiceRequestState;
  };
  setHandler(ACTION_UPDATES[action], handler as never, { validator: validator as never });
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
