/**
 * One request's working parts, made once at start and handed to each step of the main line: its record,
 * policy look-ups, deadlines (with the breach rules applied here, in one place), visibility, notifications,
 * escalation and the inbox.
 */
import { BREACH_RULES } from '../../src/domain/lifecycle/breachRules';
import type { ServiceRequestStart, ServiceRequestState } from '../messages';
import { countDeadlineBreach, countDeadlineWarning } from '../metrics';
import { Deadlines, type DeadlineState } from '../deadlines';
import { Appointments } from './appointments';
import { Escalation } from './escalation';
import { Inbox } from './inbox';
import { Notifications } from './notifications';
import { RequestRecord } from './record';
import { PolicyRules } from './rules';
import { Projection } from './projection';
import { projectView } from './view';
import { Visibility } from './visibility';

export interface Kit {
  readonly input: ServiceRequestStart;
  /** The lifecycle version the request runs (2 or 3; version 1 is frozen in workflows/legacy/v1). */
  readonly version: number;
  readonly record: RequestRecord;
  readonly rules: PolicyRules;
  readonly deadlines: Deadlines;
  readonly visibility: Visibility;
  readonly notify: Notifications;
  readonly escalation: Escalation;
  readonly inbox: Inbox;
  readonly appointments: Appointments;
  readonly projection: Projection;
  view(): ServiceRequestState;
}

export function makeKit(input: ServiceRequestStart): Kit {
  const record = new RequestRecord(input);
  const rules = new PolicyRules(input);
  // Visibility reads the deadlines, which report to escalation, which updates visibility: made in this order.
  const visibility = new Visibility(record, () => deadlines);
  const notify = new Notifications(record, rules.language, input.policy.smsRetryBudget?.ms);
  const escalation = new Escalation(record, input.policy, visibility, notify);
  notify.onFailure = (f) => escalation.raiseTo(1, { reason: 'sms_failure', detail: f.detail, notify: f.pageOps });
  const view = (): ServiceRequestState => projectView(record, kit.deadlines);
  const inbox = new Inbox(view);
  const projection = new Projection(record, notify, view);
  visibility.onChange = () => projection.request();
  const r = input.request;

  /** What a broken deadline does, per milestone (src/domain/lifecycle/breachRules.ts). */
  const onBreach = (d: DeadlineState): void => {
    if (BREACH_RULES[d.milestone] === 'escalate') escalation.breach(d);
    else inbox.postBreach(d); // redispatch, remind: the step waiting for it acts
  };
  const deadlines = new Deadlines({
    calendar: rules.calendar,
    warningAt: input.policy.warningAt,
    context: `${r.urgency}${r.vip ? ', VIP' : ''}`,
    onWarn: (d) => escalation.warn(d),
    onBreach,
  });
  deadlines.observe({
    warned: (s) => countDeadlineWarning(s.milestone, r.urgency),
    breached: (s) => countDeadlineBreach(s.milestone, r.urgency),
  });
  const appointments = new Appointments(record, deadlines, notify, rules);
  const version = input.lifecycleVersion ?? 1;
  const kit: Kit = { input, version, record, rules, deadlines, visibility, notify, escalation, inbox, appointments, projection, view };
  record.log('received', `${r.type}, ${r.urgency}${r.vip ? ', VIP' : ''}, via ${r.channel}; policy ${input.policy.version}`);
  visibility.refreshDetails();
  return kit;
}

/** The request closes: every clock stops, waiting callers are answered. */
export function close(k: Kit, outcome: NonNullable<ServiceRequestState['outcome']>): void {
  const d = k.record.data;
  k.deadlines.cancelAll();
  d.outcome = outcome;
  d.closedAt = new Date().toISOString();
  k.record.log('closed', outcome);
  k.visibility.setStatus(outcome === 'cancelled' ? 'cancelled' : 'closed');
  k.inbox.close(`the request is ${d.status}`);
}
