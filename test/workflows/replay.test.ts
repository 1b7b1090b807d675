/**
 * Acceptance 3: histories recorded from the workflow scenarios (test/histories/*.json) replay against the
 * current workflow code. A change to the workflow's commands — their order, kind, or a new one — that is not
 * guarded by `patched()` makes a recorded history nondeterministic, and this test fails.
 *
 * Re-record after an intended, patched change (see test/histories/README.md):
 *   RECORD_HISTORIES=1 npx jest --selectProjects workflows
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { workflowBundle } from '../support/bundle';
import { historyFromJSON } from './support/historyJson';
import { HISTORIES_DIR } from './support/scenario';
import { CURRENT_LIFECYCLE } from '../../workflows/messages';

/** The representative set; each is written by the scenario test named in test/histories/README.md. */
const EXPECTED = [
  'booked-late-worker-down',
  'cancel-on-hold',
  'escalation-chain',
  'follow-up-missed',
  'gateway-down-for-l1',
  'happy-path',
  'photo-failure',
  'redispatch-after-timeouts',
  'unresolved-twice',
];

/**
 * Lifecycle 3's set: the scenarios above that still run on the current lifecycle (the others test lifecycle 2's
 * rules, for the requests still on it, and record nothing), plus the paths lifecycle 3 added (test/workflows/v3-*.test.ts).
 */
const V3_FROM_EXPECTED = ['cancel-on-hold', 'photo-failure'];
const V3_EXPECTED = [
  'v3-accept-timeout-dispatch-breach',
  'v3-callback-revisit',
  'v3-callback-unreached',
  'v3-customer-slot',
  'v3-late-arrival',
  'v3-remote-consultation',
  'v3-remote-repair',
];
/** Lifecycle 4's set: lifecycle 3's scenarios (they run on it now) plus quotes and parts (test/workflows/v4-*.test.ts). */
const V4_EXPECTED = [
  'v4-quote-approved',
  'v4-quote-declined',
  'v4-quote-expired',
  'v4-parts',
  'v4-parts-overdue',
  // Recorded with the `service-report-link` patch; the others above completed before it (no marker) and replay the old path.
  'v4-service-report',
  // Recorded with the `photo-recheck-from-check-start` patch; `photo-failure` re-checked before it (no marker).
  'v4-photo-recheck',
];
/**
 * Lifecycle 5's set: lifecycle 4's scenarios (they run on it now) plus returns and exchanges, complaints and
 * repeat repairs (test/workflows/v5-*.test.ts).
 */
const V5_EXPECTED: string[] = [
  'v5-repeat-repair',
  // Returns and exchanges (test/workflows/v5-returns.test.ts).
  'v5-return-refund',
  'v5-exchange-day10',
  'v5-return-refused-day20',
  'v5-return-approval-late',
  'v5-return-misuse-refused',
  'v5-return-repair-instead',
  // Complaints with a process (v5-complaints.test.ts).
  'v5-complaint-service-closed',
  'v5-complaint-product-feedback',
  'v5-complaint-repeat',
  'v5-complaint-deadlines-missed',
  // Recorded with the `status-link` patch (v5-status-link.test.ts); every history above was received before it (no marker).
  'v5-status-link',
  // Recorded with the `reporting-projection` patch (reporting.test.ts): local projections, one with the database down.
  'v5-reporting-projection',
  'v5-reporting-db-down',
];
const expectedOf = (version: string): string[] => {
  const n = Number(version.slice(1));
  if (n >= 5) return [...V3_FROM_EXPECTED, ...V3_EXPECTED, ...V4_EXPECTED, ...V5_EXPECTED];
  if (n >= 4) return [...V3_FROM_EXPECTED, ...V3_EXPECTED, ...V4_EXPECTED];
  return n === 3 ? [...V3_FROM_EXPECTED, ...V3_EXPECTED] : EXPECTED;
};

/** Every lifecycle version a request may still be running: v1 (frozen in workflows/legacy/v1) … current. */
const VERSIONS = Array.from({ length: CURRENT_LIFECYCLE }, (_, i) => `v${i + 1}`);
const files = (version: string): string[] =>
  readdirSync(join(HISTORIES_DIR, version))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(version, f));

test.each(VERSIONS)('the recorded histories of lifecycle %s are all there', (version) => {
  expect(files(version).map((f) => f.replace(/^v\d+\//, '').replace(/\.json$/, ''))).toEqual(expect.arrayContaining(expectedOf(version)));
});

// One replay per version: each has its own time budget (a timeout here catches a hang, it is no speed target —
// the whole set took 10 s on an idle machine and over 120 s on a loaded one).
test.each(VERSIONS)(
  'the recorded histories of lifecycle %s replay on the current workflow code without nondeterminism',
  async (version) => {
    if (process.env.RECORD_HISTORIES === '1') return; // being re-recorded in this very run
    const histories = files(version).map((f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(readFileSync(join(HISTORIES_DIR, f), 'utf8'))),
    }));
    expect(histories.length).toBeGreaterThanOrEqual(expectedOf(version).length);
    const results: ReplayResult[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: workflowBundle() }, histories)) results.push(r);
    const outcome = results.map((r) => ({ history: r.workflowId, error: r.error ? `${r.error.name}: ${r.error.message}` : undefined }));
    expect(outcome).toEqual(histories.map((h) => ({ history: h.workflowId, error: undefined })));
  },
  600_000,
);
