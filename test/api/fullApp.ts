/**
 * The API with every optional route on (daily report, PII codec endpoint with a URL key, /metrics, customer history)
 * over the fake port, seeded with requests in the states the routes care about: what the OpenAPI checks
 * (healthDocs.test.ts) and the schema-driven fuzz run (openapi-fuzz.test.ts) look at. Same tokens, clock and log
 * capture as support.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage } from '../../src/adapters/storage/local';
import { AesGcmCodec } from '../../src/codec';
import { buildServer, type ApiServer, type ServerLimits } from '../../src/api/server';
import { createLogger } from '../../src/logger';
import { computeDailyReport, dayBounds } from '../../src/reports/daily';
import { ReportUnavailableError, type ReportSource } from '../../src/reports/fetch';
import { fakePeriodReports } from './fakePeriodReports';
import { FakePort } from './fakePort';
import { allLogLines, CUSTOMER_SECRET, NOW, ratingToken, SECRET, tokenStore } from './support';

export const CODEC_TOKEN = 'fuzz-codec-url-token-0123456789';
export const METRICS_TOKEN = 'fuzz-metrics-token-0123456789';

/** Requests the seeds put in place: one per state a route behaves differently in (`assignedT1001`: the documented example id). */
export const SEEDED = {
  received: 'sr-CRM-10001',
  assignedT1001: 'sr-crm-CRM-10023',
  acceptedT1001: 'sr-CRM-10024',
  onSiteT1001: 'sr-CRM-10025',
  completed: 'sr-CRM-10026',
  onHold: 'sr-CRM-10027',
  cancelled: 'sr-CRM-10028',
} as const;

export interface FullApp {
  app: ApiServer;
  port: FakePort;
  logs: string[];
  /** A valid rating token for the completed request. */
  ratingToken: string;
  close(): Promise<void>;
}

export async function makeFullApp(opts: { limits?: Partial<ServerLimits>; level?: string } = {}): Promise<FullApp> {
  const port = new FakePort();
  port.now = () => NOW;
  const at = new Date(NOW).toISOString();
  const assignment = {
    technicianId: 't1001',
    name: 'Tech t1001',
    workNumber: 'T1001',
    tier: 1,
    visit: 1,
    by: 'auto' as const,
    assignedAt: at,
  };
  port.seed({ requestId: SEEDED.received, externalId: 'CRM-10001', status: 'dispatching' });
  port.seed({
    requestId: SEEDED.assignedT1001,
    externalId: 'CRM-10023',
    status: 'assigned',
    technicianId: 't1001',
    assignments: [assignment],
  });
  port.seed({
    requestId: SEEDED.acceptedT1001,
    externalId: 'CRM-10024',
    status: 'accepted',
    technicianId: 't1001',
    assignments: [assignment],
  });
  port.seed({
    requestId: SEEDED.onSiteT1001,
    externalId: 'CRM-10025',
    status: 'on_site',
    technicianId: 't1001',
    assignments: [assignment],
  });
  port.seed({
    requestId: SEEDED.completed,
    externalId: 'CRM-10026',
    status: 'completed',
    technicianId: 't1001',
    assignments: [assignment],
  });
  port.seed({
    requestId: SEEDED.onHold,
    externalId: 'CRM-10027',
    status: 'on_hold',
    onHold: { since: at, reason: 'parts', resumeTo: 'accepted' },
  });
  port.seed({ requestId: SEEDED.cancelled, externalId: 'CRM-10028', status: 'cancelled', cancelReason: 'customer fixed it' });

  const reports: ReportSource = {
    timeZone: 'Asia/Shanghai',
    async daily(date) {
      if (port.unavailable) throw new ReportUnavailableError('Temporal did not answer');
      dayBounds(date, 'Asia/Shanghai');
      return { ...computeDailyReport([], { date, timeZone: 'Asia/Shanghai' }), generatedAt: at, source: 'temporal', unreadable: [] };
    },
  };
  const logs: string[] = [];
  const logger = createLogger(opts.level ?? 'info', {
    write: (line: string) => {
      logs.push(line);
      allLogLines.push(line);
    },
  });
  const storageDir = mkdtempSync(join(tmpdir(), 'aftercare-fullapp-'));
  const app = await buildServer({
    config: { publicBaseUrl: 'http://localhost:3000', ratingLinkSecret: SECRET, customerKeySecret: CUSTOMER_SECRET },
    logger,
    requests: port,
    storage: new LocalStorage(storageDir),
    tokens: tokenStore(),
    clock: () => NOW,
    reports,
    // Weekly, monthly and appraisal reports answer (the fuzzer counts a 503 as a server error).
    periods: fakePeriodReports('Asia/Shanghai'),
    codec: { codec: new AesGcmCodec([{ id: 'fuzz', key: randomBytes(32) }]), codecTokens: [CODEC_TOKEN] },
    metrics: { bearerToken: METRICS_TOKEN },
    limits: {
      rateLimitPerMinute: 1_000_000,
      ipRateLimitPerMinute: 1_000_000,
      authFailuresPerWindow: 1_000_000,
      ratingTokenPerMinute: 1_000_000,
      ...opts.limits,
    },
  });
  return {
    app,
    port,
    logs,
    ratingToken: ratingToken(SEEDED.completed),
    async close() {
      await app.close();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}
