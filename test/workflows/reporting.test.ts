/**
 * Issue 15, acceptance 1: the reporting projection on a real PostgreSQL server and on the embedded default (PGlite).
 * Whole lifecycles write their row and events while they run and once more at the end; a projection whose write
 * landed but whose answer was lost is retried and changes nothing (rows counted: none missing, none doubled); a
 * database that is down holds up no step of the lifecycle and the request's figures arrive once it is back; a
 * rebuild from the histories into an empty database equals the live tables.
 */
import pino from 'pino';
import type { ProjectionInput } from '../../src/domain/reporting';
import { openReportingDb, type ReportingDb } from '../../src/reporting';
import { startEmbeddedDb } from '../support/embeddedDb';
import { projectionFromHistory } from '../../src/reporting/rebuild';
import { writeProjection } from '../../src/reporting/store';
import type { ServiceRequestState } from '../../workflows/messages';
import { startPostgres } from '../support/postgres';
import { expectProjected, projectedRows } from '../support/reportingRows';
import type { Handle } from './support/env';
import {
  act,
  advanceTo,
  ALL_PHOTOS,
  assignedTech,
  HOUR,
  reachedCall,
  recordHistory,
  serverNow,
  smsOf,
  until,
  untilSms,
  untilStatus,
  uploadPhotos,
  useBed,
} from './support/scenario';

const silent = pino({ level: 'silent' });

const SERVERS = [
  ['the embedded PGlite', () => startEmbeddedDb()],
  ['PostgreSQL', () => startPostgres()],
] as const;

describe.each(SERVERS)('the reporting projection on %s', (name, startServer) => {
  // Histories for the replay set, once (test/workflows/replay.test.ts).
  const record = (h: Handle, history: string) => (name === 'PostgreSQL' ? recordHistory(h, history) : Promise.resolve());
  let server: { url: string; stop(): Promise<void> };
  let db: ReportingDb;
  /**
   * Faults: `loseAnswers` — each projection's first write lands but its answer is lost (the activity fails and is
   * retried); `down` — the database refuses connections.
   */
  const faults = { loseAnswers: false, down: false, written: 0, refused: 0, lost: new Set<string>() };
  const suite = useBed({
    reporting: {
      async write(p: ProjectionInput) {
        if (faults.down) {
          faults.refused += 1;
          throw new Error('connect ECONNREFUSED (reporting database down)');
        }
        const r = await db.write(p);
        faults.written += 1;
        const which = `${p.state.requestId}@${p.seq}`;
        if (faults.loseAnswers && !faults.lost.has(which)) {
          faults.lost.add(which);
          throw new Error('connection reset after the commit');
        }
        return r;
      },
    },
  });

  beforeAll(async () => {
    server = await startServer();
    db = await openReportingDb(server.url, silent);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });

  /** A repair through visit, photos, completion and a reached call-back scored 4: closed. */
  async function fullLifecycle(h: Handle): Promise<ServiceRequestState> {
    const { bed } = suite;
    const tech = await assignedTech(h);
    await act.accept(h, tech);
    await act.book(h, tech, new Date((await serverNow(bed)) + HOUR).toISOString());
    await advanceTo(bed, (await serverNow(bed)) + HOUR);
    await act.arrive(h, tech);
    await uploadPhotos(bed, h, ALL_PHOTOS);
    const done = await act.complete(h, tech);
    await untilSms(bed, h, (l) => l.some((x) => x.kind.startsWith('completed')), 'completion SMS');
    await advanceTo(bed, Date.parse(done.completion?.[0]?.at as string) + 3 * HOUR);
    await act.callback(h, reachedCall({ score: 4 }));
    return h.result();
  }

  const rowsOf = projectedRows;
  const expectComplete = async (h: Handle, final: ServiceRequestState) => expectProjected(db.pool, final, await smsOf(suite.bed, h));

  test('a whole lifecycle writes its row while it runs and every event by its end', async () => {
    const h = await suite.start();
    // While it runs: the row follows the status (written by the local projection on each visibility change).
    await untilStatus(h, 'assigned');
    await until(
      async () => (await rowsOf(db.pool, h.workflowId)).request?.status,
      (s) => s === 'assigned',
      'row at assigned',
    );
    const final = await fullLifecycle(h);
    expect(final).toMatchObject({ status: 'closed', feedback: { score: 4 } });
    await expectComplete(h, final);
    const { request, events } = await rowsOf(db.pool, h.workflowId);
    expect(request).toMatchObject({
      type: 'repair',
      product_model: expect.any(String),
      region: expect.not.stringMatching(/路|室|\d/),
      fixed_by: final.technicianId,
      first_time_fix: true,
      record_complete: true,
      escalation_level: 0,
    });
    // The state stored is the state query's, customer data and all absent from it.
    expect(request?.state).toEqual(JSON.parse(JSON.stringify(final)));
    expect(events.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['transition', 'assigned', 'accepted', 'deadline_met', 'score', 'sms']),
    );
    await record(h, 'v5-reporting-projection');
  });

  test('a write whose answer is lost is retried and changes nothing: none missing, none doubled', async () => {
    faults.loseAnswers = true;
    const writtenBefore = faults.written;
    try {
      const h = await suite.start();
      const final = await fullLifecycle(h);
      // Each projection was written at least twice: the first attempt's answer was lost, the retry wrote it again
      // (two projections taken in one workflow task share a history length: only the first of them loses its answer).
      const lost = [...faults.lost].filter((w) => w.startsWith(`${h.workflowId}@`)).length;
      expect(lost).toBeGreaterThan(4);
      expect(faults.written - writtenBefore).toBeGreaterThanOrEqual(2 * lost);
      await expectComplete(h, final);
    } finally {
      faults.loseAnswers = false;
    }
  });

  test('a database that is down holds up no step; the request is written once it is back', async () => {
    faults.down = true;
    const refusedBefore = faults.refused;
    let h: Handle | undefined;
    try {
      h = await suite.start();
      const tech = await assignedTech(h);
      await act.accept(h, tech);
      expect(faults.refused).toBeGreaterThan(refusedBefore);
      expect((await rowsOf(db.pool, h.workflowId)).request).toBeUndefined();
      await act.cancel(h);
      // The lifecycle is over; the last projection waits for the database (the workflow stays open meanwhile).
      await untilStatus(h, 'cancelled');
    } finally {
      faults.down = false;
    }
    const final = await h.result();
    expect(final.status).toBe('cancelled');
    await expectComplete(h, final);
    await record(h, 'v5-reporting-db-down');
  });

  test('a rebuild from the histories into an empty database equals the live tables', async () => {
    const { bed } = suite;
    const handles = [await suite.start(), await suite.start()];
    await fullLifecycle(handles[0] as Handle);
    await act.cancel(handles[1] as Handle);
    for (const h of handles) await h.result();
    const other = await startServer();
    const rebuilt = await openReportingDb(other.url, silent);
    try {
      for (const h of handles) {
        const input = await projectionFromHistory(bed.env.client, await h.describe());
        await writeProjection(rebuilt.pool, input as ProjectionInput);
        const live = await rowsOf(db.pool, h.workflowId);
        const fromHistory = await rowsOf(rebuilt.pool, h.workflowId);
        const comparable = (r?: Record<string, unknown>) => r && { ...r, seq: undefined, projected_at: undefined };
        expect(comparable(fromHistory.request)).toEqual(comparable(live.request));
        expect(fromHistory.events).toEqual(live.events);
        expect(live.events.length).toBeGreaterThan(5);
      }
    } finally {
      await rebuilt.close();
      await other.stop();
    }
  });
});
