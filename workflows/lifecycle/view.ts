/**
 * The projection callers see: the state query, every update's answer and the workflow's result are built here
 * from the internal record, in the shape of the API's state schema (src/api/schemas/state.ts, version 1).
 */
import type { PricedLine } from '../../src/domain/charges';
import type { Actor } from '../../src/domain/roles';
import type { ServiceRequestState } from '../messages';
import type { Deadlines } from '../deadlines';
import type { RequestRecord } from './record';

const actor = (a?: Actor): string | undefined => (a ? `${a.name} (${a.role})` : undefined);
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
const line = (l: PricedLine): PricedLine => ({ ...l, name: { ...l.name } });

export function projectView(record: RequestRecord, deadlines: Deadlines): ServiceRequestState {
  const { input } = record;
  const d = record.data;
  const r = input.request;
  return defined({
    requestId: input.requestId,
    ticket: record.ticket,
    status: d.status,
    type: r.type,
    urgency: r.urgency,
    channel: r.channel,
    vip: r.vip ?? false,
    externalId: r.externalId,
    owner: input.owner,
    bodyHash: input.bodyHash,
    policyVersion: input.policy.version,
    receivedAt: new Date(d.receivedMs).toISOString(),
    technicianId: record.technicianId,
    assignments: d.assignments.map((a) =>
      defined({
        technicianId: a.technician.technicianId,
        name: a.technician.name,
        workNumber: a.technician.workNumber,
        tier: a.technician.tier,
        visit: a.visit,
        by: a.by,
        assignedBy: a.dispatcher?.name,
        assignedAt: a.assignedAt,
        acceptedAt: a.acceptedAt,
        declinedAt: a.declinedAt,
        declineReason: a.declineReason,
        timedOutAt: a.timedOutAt,
        replacedAt: a.replacedAt,
      }),
    ),
    visit: d.visit,
    appointmentAt: d.appointmentAt,
    deadlines: deadlines.all.map((x) => ({ ...x })),
    escalationLevel: d.escalationLevel,
    escalations: d.escalations.map((e) => defined({ ...e })),
    timeline: d.timeline.map((t) => defined({ at: t.at, event: t.event, detail: t.detail, by: actor(t.by) })),
    photos: d.photos.map((p) => ({ ...p })),
    photoChecks: d.photoChecks.map((c) => ({ ...c, missing: [...c.missing], invalid: c.invalid.map((i) => ({ ...i })) })),
    completion: d.visitResults.length ? d.visitResults.map((v) => ({ ...v })) : undefined,
    onHold: d.hold ? { ...d.hold } : undefined,
    feedback: d.feedback ? defined({ ...d.feedback }) : undefined,
    followUp: d.followUp ? { ...d.followUp } : undefined,
    lifecycleVersion: input.lifecycleVersion ?? 1,
    remoteResolution: d.remoteResolution ? defined({ ...d.remoteResolution, by: actor(d.remoteResolution.by) }) : undefined,
    appointment: d.appointment ? defined({ ...d.appointment }) : undefined,
    callback: d.callback
      ? defined({
          ...d.callback,
          attempts: d.callback.attempts.map((a) => defined({ ...a, by: actor(a.by) })),
          outcome: d.callback.outcome ? defined({ ...d.callback.outcome, by: actor(d.callback.outcome.by) }) : undefined,
        })
      : undefined,
    callbackComplaints: d.callbackComplaints.length ? d.callbackComplaints.map((c) => ({ ...c })) : undefined,
    reopened: d.reopened.length ? d.reopened.map((r) => ({ ...r, excluded: [...r.excluded] })) : undefined,
    warranty: d.warranty
      ? defined({ ...d.warranty, covers: [...d.warranty.covers], proof: d.warranty.proof ? { ...d.warranty.proof } : undefined })
      : undefined,
    diagnosis: d.diagnosis ? defined({ ...d.diagnosis, by: actor(d.diagnosis.by) }) : undefined,
    chargeable: d.chargeable ? { ...d.chargeable } : undefined,
    quotes: d.quotes.length
      ? d.quotes.map((q) =>
          defined({
            ...q,
            by: actor(q.by),
            lines: q.lines.map(line),
            decision: q.decision ? defined({ ...q.decision, by: actor(q.decision.by) }) : undefined,
          }),
        )
      : undefined,
    parts: d.parts.length
      ? d.parts.map((p) => defined({ ...p, by: actor(p.by), lines: p.lines.map(line), overdue: [...p.overdue] }))
      : undefined,
    payments: d.payments.length ? d.payments.map((p) => defined({ ...p, by: actor(p.by) })) : undefined,
    visitFee: d.visitFee ? { ...d.visitFee } : undefined,
    serviceReport: d.serviceReport
      ? defined({
          ...d.serviceReport,
          partsUsed: d.serviceReport.partsUsed.map((p) => ({ ...line(p), oldPartShown: p.oldPartShown })),
          charges: { ...d.serviceReport.charges },
          testRun: defined({ ...d.serviceReport.testRun }),
          stored: d.serviceReport.stored ? { ...d.serviceReport.stored } : undefined,
        })
      : undefined,
    returns: d.returns
      ? defined({
          kind: d.returns.kind,
          eligibility: defined({
            ...d.returns.eligibility,
            alternatives: d.returns.eligibility.alternatives ? [...d.returns.eligibility.alternatives] : undefined,
          }),
          inspection: d.returns.inspection ? defined({ ...d.returns.inspection, by: actor(d.returns.inspection.by) }) : undefined,
          assessment: d.returns.assessment ? defined({ ...d.returns.assessment, allowed: [...d.returns.assessment.allowed] }) : undefined,
          decision: d.returns.decision ? defined({ ...d.returns.decision, by: actor(d.returns.decision.by) }) : undefined,
          settlement: d.returns.settlement ? defined({ ...d.returns.settlement, by: actor(d.returns.settlement.by) }) : undefined,
          refusal: d.returns.refusal,
        })
      : undefined,
    cancelReason: d.cancelReason,
    outcome: d.outcome,
    closedAt: d.closedAt,
    complaint: d.complaint
      ? defined({
          ...d.complaint,
          relatesTo: d.complaint.relatesTo ? defined({ ...d.complaint.relatesTo }) : undefined,
          repeatOf: d.complaint.repeatOf ? { ...d.complaint.repeatOf } : undefined,
          analysis: d.complaint.analysis ? defined({ ...d.complaint.analysis, by: actor(d.complaint.analysis.by) }) : undefined,
          solution: d.complaint.solution ? defined({ ...d.complaint.solution, by: actor(d.complaint.solution.by) }) : undefined,
          implementation: d.complaint.implementation
            ? defined({ ...d.complaint.implementation, by: actor(d.complaint.implementation.by) })
            : undefined,
          feedback: d.complaint.feedback ? defined({ ...d.complaint.feedback, by: actor(d.complaint.feedback.by) }) : undefined,
          accountability: d.complaint.accountability
            ? { ...d.complaint.accountability, responsible: defined({ ...d.complaint.accountability.responsible }) }
            : undefined,
          productFeedback: d.complaint.productFeedback ? defined({ ...d.complaint.productFeedback }) : undefined,
        })
      : undefined,
    earlierRequests: d.earlierRequests?.map((e) => defined({ ...e })),
    repeatRepair: d.repeatRepair ? defined({ ...d.repeatRepair }) : undefined,
  });
}
