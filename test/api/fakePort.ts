/**
 * In-memory ServiceRequestsPort for route tests. Its lifecycle is the one definition the workflow uses
 * (src/domain/lifecycle): the lifecycle version an action needs (`since`), the states it is allowed from, the
 * assignee rule (a technician caller must be the assigned one; ops, where listed, act for whoever is assigned),
 * the checks and the status it leads to (test/workflows/lifecycle-table.test.ts runs the same table through
 * both). Requests run the current lifecycle unless seeded with another `lifecycleVersion`; a consultation
 * starts at first-line handling, its visit clocks starting only when a visit is needed. Idempotent starts compare body
 * hashes and owners; lists come newest first and filter on the customer history keys a request started with; keyed
 * updates behave like Temporal and the workflow (a known update id answers with its first result; a caller's key
 * reused for the action with another body is refused, IdempotencyConflict); and `unavailable = true` makes every
 * call fail like Temporal down.
 */
import { LIFECYCLE, leadsTo, problems, refusal, type Action, type ActionArgs, type ActionBody } from '../../src/domain/lifecycle/actions';
import { priceLines, type Catalogue } from '../../src/catalogue';
import type { LineInput, PricedLines } from '../../src/domain/charges';
import type { ServiceRequestInput } from '../../src/domain/types';
import {
  type ListFilter,
  type ListPage,
  type ServiceRequestsPort,
  type StartOptions,
  type StartResult,
  InvalidCursorError,
  KeyConflictError,
  NotFoundError,
  RejectedTransitionError,
  UnavailableError,
} from '../../src/api/port';
import { ticketNumber } from '../../src/temporal/ids';
import { closingProblems } from '../../src/domain/complaints';
import { CURRENT_LIFECYCLE, type PhotoUpload, type ServiceRequestState } from '../../workflows/messages';

type Call =
  | { method: 'start'; input: ServiceRequestInput; opts: StartOptions }
  | { method: 'get'; id: string }
  | { method: 'list'; filter: ListFilter; cursor?: string; pageSize: number }
  | { method: 'update'; id: string; action: Action; args: unknown; opts?: { updateId?: string } }
  | { method: 'signalPhoto'; id: string; record: PhotoUpload }
  | { method: 'ready' };

/** The default policy's threshold (policy/default.yaml `followUpThreshold`). */
const FOLLOW_UP_THRESHOLD = 3;
/** The default policy's visit fee and quote expiry (policy/default.yaml `charges`, `quotes.expiry`). */
const VISIT_FEE = { amount: 5000, currency: 'CNY' };
const QUOTE_EXPIRY_MS = 48 * 3_600_000;

/** Who took an action, as the view shows it (workflows/lifecycle/view.ts): `{ by: 'name (role)' }`, or nothing. */
const takenBy = (a: Record<string, unknown>): { by?: string } => {
  const by = a.by as { name: string; role: string } | undefined;
  return by ? { by: `${by.name} (${by.role})` } : {};
};

export class FakePort implements ServiceRequestsPort {
  readonly states = new Map<string, ServiceRequestState>();
  readonly inputs = new Map<string, ServiceRequestInput>();
  /** The customer history search attributes each request started with (StartOptions.customerKey / productKey). */
  readonly searchKeys = new Map<string, { customerKey?: string; productKey?: string }>();
  readonly calls: Call[] = [];
  readonly usedTokenIds = new Set<string>();
  /** Per request: update id → the first result (Temporal's dedupe). */
  private readonly updateResults = new Map<string, ServiceRequestState>();
  /** Per request, caller, action and key: the body hash (the workflow's memory, workflows/lifecycle/record.ts). */
  private readonly keys = new Map<string, string>();
  unavailable = false;
  now: () => number = () => Date.now();
  /**
   * Lifecycle 4: with a catalogue, quotes, parts orders and parts used are priced like the workflow's activity
   * (for the request's product category; gas_water_heater for seeded requests), a bad line refused as
   * InvalidArgument naming its path; without one they are not priced (no quote is recorded).
   */
  catalogue?: Catalogue;

  count(method: Call['method']): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  private gate(): void {
    if (this.unavailable) throw new UnavailableError('the workflow service is unavailable; retry later', 7);
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Puts a request straight into a state (test setup). */
  seed(partial: Partial<ServiceRequestState> & { requestId: string }): ServiceRequestState {
    const state: ServiceRequestState = {
      ticket: ticketNumber(partial.requestId),
      status: 'received',
      type: 'repair',
      urgency: 'normal',
      channel: 'hotline',
      vip: false,
      bodyHash: 'seeded',
      policyVersion: 'test',
      receivedAt: this.iso(),
      assignments: [],
      visit: 1,
      deadlines: [],
      escalationLevel: 0,
      escalations: [],
      timeline: [{ at: this.iso(), event: 'received' }],
      photos: [],
      photoChecks: [],
      lifecycleVersion: CURRENT_LIFECYCLE,
      ...partial,
    };
    this.states.set(state.requestId, state);
    return structuredClone(state);
  }

  async start(input: ServiceRequestInput, opts: StartOptions): Promise<StartResult> {
    this.calls.push({ method: 'start', input, opts });
    this.gate();
    const existing = this.states.get(opts.requestId);
    if (existing) {
      if (existing.bodyHash !== opts.bodyHash || existing.owner !== opts.owner) throw new KeyConflictError(opts.requestId);
      return { created: false, state: structuredClone(existing) };
    }
    this.inputs.set(opts.requestId, input);
    this.searchKeys.set(opts.requestId, { customerKey: opts.customerKey, productKey: opts.productKey });
    // Lifecycle 3: a consultation is handled by the hotline first; its visit clocks start when a visit is needed.
    const firstLine = input.type === 'consultation' && CURRENT_LIFECYCLE >= 3;
    // Lifecycle 5: a complaint goes to its own process (analysis first), with its class and link; no visit clocks.
    const complaint = input.type === 'complaint' && CURRENT_LIFECYCLE >= 5;
    const state = this.seed({
      requestId: opts.requestId,
      status: firstLine ? 'first_line' : complaint ? 'analysis' : 'received',
      type: input.type,
      urgency: input.urgency,
      channel: input.channel,
      vip: input.vip ?? false,
      bodyHash: opts.bodyHash,
      owner: opts.owner,
      ...(input.externalId ? { externalId: input.externalId } : {}),
      deadlines: firstLine || complaint ? [] : [this.dispatchDeadline(1)],
      ...(opts.history ? { earlierRequests: structuredClone(opts.history) } : {}),
      ...(complaint
        ? {
            complaint: {
              classification: input.complaint?.classification ?? 'other',
              ...(opts.complaintLink ? { relatesTo: structuredClone(opts.complaintLink) } : {}),
            },
          }
        : {}),
    });
    return { created: true, state };
  }

  /** The fake's one visit clock: dispatch within 2 h. */
  private dispatchDeadline(visit: number): ServiceRequestState['deadlines'][number] {
    return {
      id: visit === 1 ? 'dispatch' : `dispatch-v${visit}`,
      milestone: 'dispatch',
      visit,
      span: '2h',
      startedAt: this.iso(),
      dueAt: new Date(this.now() + 7_200_000).toISOString(),
      status: 'pending',
      business: false,
    };
  }

  async get(id: string): Promise<ServiceRequestState> {
    this.calls.push({ method: 'get', id });
    this.gate();
    const s = this.states.get(id);
    if (!s) throw new NotFoundError(id);
    return structuredClone(s);
  }

  async list(filter: ListFilter, cursor: string | undefined, pageSize: number): Promise<ListPage> {
    this.calls.push({ method: 'list', filter, cursor, pageSize });
    this.gate();
    let offset = 0;
    if (cursor) {
      offset = Number(Buffer.from(cursor, 'base64url').toString());
      if (!Number.isInteger(offset) || offset < 0) throw new InvalidCursorError();
    }
    const keys = (id: string) => this.searchKeys.get(id) ?? {};
    // Newest first, as visibility lists open requests.
    const all = [...this.states.values()]
      .reverse()
      .filter(
        (s) =>
          (filter.customerKey === undefined || keys(s.requestId).customerKey === filter.customerKey) &&
          (filter.productKey === undefined || filter.productKey.includes(keys(s.requestId).productKey ?? '')) &&
          (!filter.status || s.status === filter.status) &&
          (!filter.urgency || s.urgency === filter.urgency) &&
          (!filter.type || s.type === filter.type) &&
          (!filter.technicianId || s.technicianId === filter.technicianId) &&
          (filter.owner === undefined || s.owner === filter.owner) &&
          (filter.escalated === undefined || s.escalationLevel > 0 === filter.escalated),
      );
    const page = all.slice(offset, offset + pageSize);
    const next = offset + pageSize < all.length ? Buffer.from(String(offset + pageSize)).toString('base64url') : undefined;
    return {
      items: page.map((s) => ({
        requestId: s.requestId,
        ticket: s.ticket,
        status: s.status,
        urgency: s.urgency,
        type: s.type,
        ...(s.technicianId ? { technicianId: s.technicianId } : {}),
        escalationLevel: s.escalationLevel,
        breachedDeadlines: [],
        execution: 'RUNNING',
        startedAt: s.receivedAt,
        ...(keys(s.requestId).productKey ? { productKey: keys(s.requestId).productKey } : {}),
      })),
      ...(next ? { nextCursor: next } : {}),
    };
  }

  async update<A extends Action>(id: string, action: A, args: ActionArgs<A>, opts?: { updateId?: string }): Promise<ServiceRequestState> {
    this.calls.push({ method: 'update', id, action, args, opts });
    this.gate();
    const s = this.states.get(id);
    if (!s) throw new NotFoundError(id);
    const first = opts?.updateId ? this.updateResults.get(`${id}\u0000${opts.updateId}`) : undefined;
    if (first) return structuredClone(first);
    const a0 = args as { by?: { role: string; name: string }; idempotency?: { key: string; bodyHash: string } };
    const memo = a0.idempotency ? [id, a0.by?.role, a0.by?.name, action, a0.idempotency.key].join('\u0000') : undefined;
    if (memo && this.keys.has(memo) && this.keys.get(memo) !== a0.idempotency?.bodyHash) {
      throw new RejectedTransitionError(action, `Idempotency-Key was already used for ${action} with another body`, 'IdempotencyConflict');
    }
    // The workflow's validator, in its order (workflows/lifecycle/handlers.ts).
    const refused = refusal(action, s.status, s.lifecycleVersion ?? 1);
    if (refused) throw new RejectedTransitionError(action, refused);
    const at = this.iso();
    const a = args as Record<string, unknown>;
    const spec = LIFECYCLE[action];
    const technicianCaller = !spec.roles.includes('ops') || a0.by?.role === 'technician';
    if (spec.assignee && technicianCaller && a.technicianId !== s.technicianId) {
      throw new RejectedTransitionError(action, `technician ${String(a.technicianId)} is not assigned to this request`);
    }
    const bad = problems(action, args as ActionBody<A>);
    // Lifecycle 5: a service complaint closes only with its accountability (the workflow's handlers.ts, same rule).
    if (action === 'complaintFeedback' && s.complaint)
      bad.push(...closingProblems(s.complaint.classification, a0 as { accountability?: unknown }));
    if (bad.length) throw new RejectedTransitionError(action, bad.map((p) => `${p.path}: ${p.message}`).join('; '), 'InvalidArgument');
    const priced = this.price(id, action, a);
    if (action === 'quoteResponse' && this.usedTokenIds.has(`${id}\u0000${String(a.tokenId)}`)) {
      throw new RejectedTransitionError(action, 'quote link was already used', 'TokenUsed');
    }
    if (action === 'feedback') {
      const tokenId = a.tokenId as string;
      if (this.usedTokenIds.has(tokenId) || s.feedback) throw new RejectedTransitionError(action, 'this rating token was already used');
      this.usedTokenIds.add(tokenId);
    }
    const next = leadsTo(action, args as ActionBody<A>, {
      resumeTo: s.onHold?.resumeTo,
      followUpThreshold: FOLLOW_UP_THRESHOLD,
      status: s.status,
    });
    if (memo) this.keys.set(memo, a0.idempotency!.bodyHash);
    this.record(s, action, a, at, priced);
    s.timeline.push({ at, event: LIFECYCLE[action].records, detail: `${s.status} → ${next}` });
    s.status = next;
    if (opts?.updateId) this.updateResults.set(`${id}\u0000${opts.updateId}`, structuredClone(s));
    return structuredClone(s);
  }

  /** Lifecycle 4's lines priced from the catalogue (when the fake has one); InvalidArgument for a bad line. */
  private price(id: string, action: Action, a: Record<string, unknown>): PricedLines | undefined {
    const parts = (v: unknown): LineInput[] =>
      (v as { partNumber: string; quantity: number }[]).map(({ partNumber, quantity }) => ({ kind: 'part', partNumber, quantity }));
    const [lines, path]: [LineInput[] | undefined, string] =
      action === 'quote'
        ? [a.lines as LineInput[], 'lines']
        : action === 'partsRequest'
          ? [parts(a.parts), 'parts']
          : action === 'completion' && Array.isArray(a.partsUsed) && a.partsUsed.length
            ? [parts(a.partsUsed), 'partsUsed']
            : [undefined, ''];
    if (!this.catalogue || !lines) return undefined;
    const r = priceLines(this.catalogue, lines, this.inputs.get(id)?.product.category ?? 'gas_water_heater', path);
    if (!r.priced)
      throw new RejectedTransitionError(action, r.problems.map((p) => `${p.path}: ${p.message}`).join('; '), 'InvalidArgument');
    return r.priced;
  }

  /** What each action leaves on the request besides its status (the fake's shorthand of the workflow's record). */
  private record(s: ServiceRequestState, action: Action, a: Record<string, unknown>, at: string, priced?: PricedLines): void {
    switch (action) {
      case 'assign': {
        const technicianId = a.technicianId as string;
        s.technicianId = technicianId;
        const by = a.by as { name: string } | undefined;
        s.assignments.push({
          technicianId,
          name: `Tech ${technicianId}`,
          workNumber: technicianId.toUpperCase(),
          tier: 1,
          visit: s.visit,
          by: 'manual',
          ...(by ? { assignedBy: by.name } : {}),
          assignedAt: at,
        });
        break;
      }
      case 'decline':
        delete s.technicianId;
        break;
      case 'appointment':
        s.appointmentAt = a.at as string;
        if ((s.lifecycleVersion ?? 1) >= 3) {
          s.appointment = { at: a.at as string, requestedBy: (a.requestedBy as 'customer' | 'technician' | undefined) ?? 'technician' };
        }
        break;
      case 'completion':
        s.completion = [
          ...(s.completion ?? []),
          { at, resolved: a.resolved as boolean, notes: a.notes as string, technicianId: a.technicianId as string },
        ];
        break;
      case 'hold':
        s.onHold = { since: at, reason: a.reason as string, resumeTo: s.status };
        break;
      case 'resume':
        delete s.onHold;
        break;
      case 'feedback':
        s.feedback = { score: a.score as number, ...(a.comment ? { comment: a.comment as string } : {}), at };
        break;
      case 'followUp':
        s.followUp = { notes: a.notes as string, at };
        break;
      case 'remoteResolution': {
        const technicianId = a.technicianId as string | undefined;
        s.remoteResolution = { at, notes: a.notes as string, ...(technicianId ? { technicianId } : {}), ...takenBy(a) };
        break;
      }
      case 'visitNeeded':
        s.deadlines.push(this.dispatchDeadline(s.visit));
        break;
      case 'callbackOutcome': {
        const cb = (s.callback ??= { dueFrom: at, dueBy: at, attempts: [] });
        const note = a.note as string | undefined;
        if (!a.reached) {
          cb.attempts.push({ at, ...(note ? { note } : {}), ...takenBy(a) });
          break;
        }
        const answers = a.answers as { satisfiedWithTechnician: boolean; useExplained: boolean; fixed: boolean; suggestions?: string };
        cb.outcome = { at, ...answers, score: a.score as number, ...(note ? { note } : {}), ...takenBy(a) };
        for (const kind of ['staff', 'product'] as const) {
          const text = a[`${kind}Complaint`] as string | undefined;
          if (text) (s.callbackComplaints ??= []).push({ at, kind, text });
        }
        if (!answers.fixed) {
          // Not fixed: a revisit with its own clocks, not by the technician whose fix did not hold.
          const last = s.completion?.at(-1)?.technicianId;
          s.visit += 1;
          s.reopened = [...(s.reopened ?? []), { at, visit: s.visit, excluded: last ? [last] : [] }];
          s.deadlines.push(this.dispatchDeadline(s.visit));
        }
        break;
      }
      case 'cancel':
        s.cancelReason = a.reason as string;
        break;
      case 'diagnosis':
        s.diagnosis = {
          at,
          faultCause: a.faultCause as NonNullable<ServiceRequestState['diagnosis']>['faultCause'],
          diagnosis: a.diagnosis as string,
          technicianId: (a.technicianId as string | undefined) ?? s.technicianId ?? '',
          ...takenBy(a),
        };
        break;
      case 'quote':
        if (!priced) break;
        s.quotes = [
          ...(s.quotes ?? []),
          {
            id: `Q${(s.quotes?.length ?? 0) + 1}`,
            at,
            ...takenBy(a),
            ...priced,
            ...(a.note ? { note: a.note as string } : {}),
            expiresAt: new Date(this.now() + QUOTE_EXPIRY_MS).toISOString(),
          },
        ];
        break;
      case 'quoteDecision':
      case 'quoteResponse': {
        const q = s.quotes?.filter((x) => !x.decision).at(-1);
        const via = action === 'quoteResponse' ? ('link' as const) : ('phone' as const);
        if (q) q.decision = { approved: a.approved as boolean, at, via, ...takenBy(a), ...(a.note ? { note: a.note as string } : {}) };
        if (action === 'quoteResponse') this.usedTokenIds.add(`${s.requestId}\u0000${String(a.tokenId)}`);
        if (!a.approved) {
          s.visitFee = { ...VISIT_FEE };
          s.outcome = 'quote_declined';
          s.closedAt = at;
        }
        break;
      }
      case 'payment':
        s.payments = [
          ...(s.payments ?? []),
          {
            at,
            method: a.method as 'on_site' | 'invoice' | 'waived',
            amount: a.amount as number,
            ...(a.reason ? { reason: a.reason as string } : {}),
            ...(a.approvedBy ? { approvedBy: a.approvedBy as string } : {}),
            ...takenBy(a),
          },
        ];
        break;
      // Lifecycle 5: the complaint's steps (the fake's shorthand of workflows/lifecycle/complaint.ts).
      case 'complaintAnalysis':
        if (s.complaint) {
          s.complaint.analysis = { at, findings: a.findings as string, ...takenBy(a) };
          const c = a.classification as NonNullable<ServiceRequestState['complaint']>['classification'] | undefined;
          if (c && c !== s.complaint.classification) {
            s.complaint.classifiedAtIntake ??= s.complaint.classification;
            s.complaint.classification = c;
          }
        }
        break;
      case 'complaintSolution':
        if (s.complaint)
          s.complaint.solution = { at, solution: a.solution as string, ...(a.note ? { note: a.note as string } : {}), ...takenBy(a) };
        break;
      case 'complaintImplementation':
        if (s.complaint) s.complaint.implementation = { at, notes: a.notes as string, ...takenBy(a) };
        break;
      case 'complaintFeedback':
        if (s.complaint) {
          s.complaint.feedback = { at, satisfied: a.satisfied as boolean, feedback: a.feedback as string, ...takenBy(a) };
          const acc = a.accountability as NonNullable<NonNullable<ServiceRequestState['complaint']>['accountability']> | undefined;
          if (acc) s.complaint.accountability = { ...structuredClone(acc), at };
          s.outcome = 'closed';
          s.closedAt = at;
        }
        break;
      default:
        break;
    }
  }

  async signalPhoto(id: string, record: PhotoUpload): Promise<void> {
    this.calls.push({ method: 'signalPhoto', id, record });
    this.gate();
    const s = this.states.get(id);
    if (!s) throw new NotFoundError(id);
    // As the workflow: an invoice is the warranty's proof (lifecycle 4), never one of the visit's photos.
    if (record.kind !== 'invoice') s.photos.push(record);
    else if (s.warranty) {
      s.warranty.proof = { invoicePhoto: record.key, at: record.at };
      s.timeline.push({ at: this.iso(), event: 'warranty_proof', detail: `invoice ${record.key}` });
    }
  }

  async ready(): Promise<void> {
    this.calls.push({ method: 'ready' });
    this.gate();
  }
}
