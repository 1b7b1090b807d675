/**
 * The API for lifecycle 4's route tests: the fake port pricing from the repository's price list and parts
 * catalogue (catalogue/), the same catalogue in `app.services.catalogue`, and support.ts's tokens plus the
 * `warehouse`, `callcentre` and (lifecycle 5) `supervisor` roles; customer history on. Same clock, rating secret and log capture (no PII in logs)
 * as support.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage } from '../../src/adapters/storage/local';
import { buildServer, type ApiServer, type ServerDeps, type ServerLimits } from '../../src/api/server';
import { loadCatalogue, type Catalogue } from '../../src/catalogue';
import { createLogger } from '../../src/logger';
import { signRatingToken } from '../../src/ratingLink';
import { computeDailyReport } from '../../src/reports/daily';
import { parseTokens, TokenStore } from '../../src/tokens';
import { FakePort } from './fakePort';
import { allLogLines, CUSTOMER_SECRET, NOW, SECRET, TOKENS } from './support';

export const V4_TOKENS = {
  ...TOKENS,
  warehouse: 'test-warehouse-token-000001',
  callcentre: 'test-callcentre-token-00001',
  /** Lifecycle 5: the service supervisor who approves returns and exchanges. */
  supervisor: 'test-supervisor-token-00001',
} as const;

export const catalogue: Catalogue = loadCatalogue({
  priceListFile: join(__dirname, '../../catalogue/prices.yaml'),
  partsFile: join(__dirname, '../../catalogue/parts.yaml'),
});

export interface V4App {
  app: ApiServer;
  port: FakePort;
  storage: LocalStorage;
  close(): Promise<void>;
}

export async function makeV4App(
  opts: { timeZone?: string; catalogue?: boolean; limits?: Partial<ServerLimits>; statusPage?: ServerDeps['statusPage'] } = {},
): Promise<V4App> {
  const port = new FakePort();
  port.now = () => NOW;
  port.catalogue = catalogue;
  const dir = mkdtempSync(join(tmpdir(), 'aftercare-v4-'));
  const tokens = new TokenStore(
    parseTokens([
      { token: TOKENS.integration, role: 'integration', name: 'crm' },
      { token: TOKENS.ops, role: 'ops', name: 'ops desk' },
      { token: TOKENS.tech1, role: 'technician', technicianId: 't1001', name: 'tech t1001' },
      { token: TOKENS.tech2, role: 'technician', technicianId: 't1002', name: 'tech t1002' },
      { token: V4_TOKENS.warehouse, role: 'warehouse', name: 'parts warehouse' },
      { token: V4_TOKENS.callcentre, role: 'callcentre', name: 'call centre' },
      { token: V4_TOKENS.supervisor, role: 'supervisor', name: 'supervisor wu' },
    ]),
  );
  const timeZone = opts.timeZone ?? 'Asia/Shanghai';
  const storage = new LocalStorage(dir);
  const app = await buildServer({
    config: { publicBaseUrl: 'http://localhost:3000', ratingLinkSecret: SECRET, customerKeySecret: CUSTOMER_SECRET },
    logger: createLogger('info', { write: (line: string) => void allLogLines.push(line) }),
    requests: port,
    storage,
    tokens,
    clock: () => NOW,
    reports: {
      timeZone,
      daily: async (date) => ({ ...computeDailyReport([], { date, timeZone }), generatedAt: 'x', source: 'temporal', unreadable: [] }),
    },
    ...(opts.catalogue === false ? {} : { catalogue }),
    ...(opts.statusPage ? { statusPage: opts.statusPage } : {}),
    metrics: false,
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
    storage,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A signed quote link token (purpose `quote`), valid for 48 h unless told otherwise. */
export function quoteToken(requestId: string, opts: { tokenId?: string; expiresAt?: string; secret?: string } = {}): string {
  return signRatingToken(
    { requestId, tokenId: opts.tokenId ?? 'qtok-1', expiresAt: opts.expiresAt ?? new Date(NOW + 48 * 3_600_000).toISOString() },
    opts.secret ?? SECRET,
    'quote',
  );
}
