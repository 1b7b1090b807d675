/**
 * Appointments kept (lifecycle 3; 必须按时上门，不得失约): a booked slot gets a reminder SMS to the customer and
 * the technician ahead of it, and an `appointment` deadline at the slot plus a grace whose breach is a late
 * arrival (escalated like any breach). A slot the customer asked for that lies after the on-site deadline moves
 * that deadline to the slot: the customer's choice is not a breach. Re-booking replaces all of it.
 */
import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';
import type { Deadlines } from '../deadlines';
import type { Notifications } from './notifications';
import { nowIso, type AppointmentRecord, type RequestRecord } from './record';
import type { PolicyRules } from './rules';

export type SlotChooser = 'customer' | 'technician';

export class Appointments {
  private reminder?: CancellationScope;

  constructor(
    private readonly record: RequestRecord,
    private readonly deadlines: Deadlines,
    private readonly notify: Notifications,
    private readonly rules: PolicyRules,
  ) {
    deadlines.observe({
      breached: (d) => {
        const a = this.record.data.appointment;
        if (!a || d.visit !== this.record.data.visit) return;
        if (d.milestone === 'appointment' || (d.milestone === 'on_site' && a.onSiteMovedTo)) {
          a.lateArrival = true;
          this.record.log('late_arrival', `booked ${a.at}, not on site by ${d.dueAt}`);
        }
      },
    });
  }

  private id(milestone: 'appointment' | 'on_site'): string {
    const visit = this.record.data.visit;
    return visit > 1 ? `${milestone}#${visit}` : milestone;
  }

  /** A slot booked (or re-booked) for the current visit. */
  book(slotMs: number, requestedBy: SlotChooser, address: string): void {
    this.clear();
    const d = this.record.data;
    const { reminderLead, lateGrace } = this.rules.appointments();
    const graceEnd = slotMs + lateGrace.ms;
    const a: AppointmentRecord = { at: new Date(slotMs).toISOString(), requestedBy };
    d.appointment = a;
    const onSite = this.deadlines.get(this.id('on_site'));
    if (requestedBy === 'customer' && onSite?.status === 'pending' && graceEnd > Date.parse(onSite.dueAt)) {
      const before = onSite.dueAt;
      // The same grace as for a late arrival: the moved on-site deadline is the appointment's, one breach not two.
      this.deadlines.moveDue(onSite.id, graceEnd, `customer's slot + ${lateGrace.text}`);
      a.onSiteMovedTo = new Date(graceEnd).toISOString();
      this.record.log('on_site_moved', `the customer chose ${a.at}: on-site due ${before} → ${a.onSiteMovedTo} (not a breach)`);
    } else {
      this.deadlines.start('appointment', lateGrace, { visit: d.visit, fromMs: slotMs, warn: false });
    }
    const remindAt = slotMs - reminderLead.ms;
    // A slot closer than the lead: the booking SMS itself is the reminder.
    if (remindAt > Date.now()) {
      a.reminderAt = new Date(remindAt).toISOString();
      this.scheduleReminder(remindAt, address);
    }
  }

  /** On site, re-booked, resolved remotely or closed: no reminder, no late-arrival clock. */
  clear(arrived = false): void {
    this.reminder?.cancel();
    this.reminder = undefined;
    const id = this.id('appointment');
    if (arrived) this.deadlines.met(id);
    else this.deadlines.cancel(id);
  }

  private scheduleReminder(atMs: number, address: string): void {
    const scope = new CancellationScope();
    this.reminder = scope;
    const a = this.record.data.appointment;
    if (!a) return;
    const technicianId = this.record.technicianId;
    scope
      .run(async () => {
        await sleep(atMs - Date.now(), { summary: `Visit reminder ${this.rules.appointments().reminderLead.text} before ${a.at}` });
        a.reminderSentAt = nowIso();
        this.record.log('visit_reminder', a.at);
        this.notify.customer('visit_reminder', { technicianId, visitAt: a.at });
        if (technicianId) {
          const r = this.record.input.request;
          this.notify.technician(technicianId, 'tech_visit_reminder', { visitAt: a.at, address, productModel: r.product.model });
        }
      })
      .catch((err: unknown) => {
        if (!isCancellation(err)) throw err;
      });
  }
}
