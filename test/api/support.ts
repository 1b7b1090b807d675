/**
 * Route-test helpers: an app on the fake port with fixed clock and tokens, every log line captured, and an
 * afterAll in each importing file asserting that no fixture PII reached the logs in clear text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage } from '../../src/adapters/storage/local';
import type { PhotoStorage } from '../../src/adapters/storage/types';
import { buildServer, type ApiServer, type ServerLimits } from '../../src/api/server';
import { createLogger } from '../../src/logger';
import { signRatingToken } from '../../src/ratingLink';
import { TokenStore } from '../../src/tokens';
import { FakePort } from './fakePort';

export const NOW = Date.parse('2025-06-01T02:00:00.000Z');
export const SECRET = 'test-rating-secret-0123456789';
/** CUSTOMER_KEY_SECRET of the apps with customer history on (v4App, fullApp). */
export const CUSTOMER_SECRET = 'test-customer-key-secret-0123456789';

export const TOKENS = {
  integration: 'test-integration-token-0001',
  /** A second integration (`hotline`, idPrefix `hl`): may not see the first one's requests. */
  integration2: 'test-integration-token-0002',
  ops: 'test-ops-token-000000000001',
  tech1: 'test-technician-t1001-token',
  tech2: 'test-technician-t1002-token',
} as const;

export const tokenStore = () =>
  new TokenStore([
    { token: TOKENS.integration, role: 'integration', name: 'crm' },
    { token: TOKENS.integration2, role: 'integration', name: 'hotline', idPrefix: 'hl' },
    { token: TOKENS.ops, role: 'ops', name: 'ops desk' },
    { token: TOKENS.tech1, role: 'technician', technicianId: 't1001', name: 'tech t1001' },
    { token: TOKENS.tech2, role: 'technician', technicianId: 't1002', name: 'tech t1002' },
  ]);

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Fictional customer data; none of it may appear in a log line. */
export const PII = {
  name: 'Wang Fixturecustomer',
  phone: '13912345678',
  address: '上海市浦东新区测试路88号12室',
  altName: '李测试',
  altPhone: '+86 139 8765 4321',
  altAddress: 'Room 1203, 77 Fixture Road, Xuhui District',
};
/** Every spelling of the fixture PII a log line could contain. */
export const PII_NEEDLES = [
  PII.name,
  PII.phone,
  '+8613912345678',
  PII.address,
  PII.altName,
  '13987654321',
  '+8613987654321',
  '139 8765 4321',
  PII.altAddress,
  'Fixture Road',
  '测试路88号',
];

export function validBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'repair',
    urgency: 'urgent',
    channel: 'hotline',
    customer: { name: PII.name, phone: PII.phone, address: PII.address },
    product: { model: 'JSQ25-HT3', purchaseDate: '2023-04-18', category: 'gas_water_heater' },
    problem: { description: '热水器点火后十分钟自动熄火，显示E1故障码', occursWhen: '洗澡时', symptoms: '有咔哒声' },
    externalId: 'CRM-10023',
    ...overrides,
  };
}

export const allLogLines: string[] = [];

export interface TestApp {
  app: ApiServer;
  port: FakePort;
  logs: string[];
  storage: PhotoStorage;
  storageDir: string;
}

const cleanups: (() => Promise<void> | void)[] = [];

export async function makeApp(
  opts: { limits?: Partial<ServerLimits>; now?: () => number; level?: string; tracing?: boolean } = {},
): Promise<TestApp> {
  const port = new FakePort();
  const now = opts.now ?? (() => NOW);
  port.now = now;
  const logs: string[] = [];
  const logger = createLogger(opts.level ?? 'debug', {
    write: (line: string) => {
      logs.push(line);
      allLogLines.push(line);
    },
  });
  const storageDir = mkdtempSync(join(tmpdir(), 'aftercare-api-test-'));
  const storage = new LocalStorage(storageDir);
  const app = await buildServer({
    config: { publicBaseUrl: 'http://localhost:3000', ratingLinkSecret: SECRET },
    logger,
    requests: port,
    storage,
    tokens: tokenStore(),
    clock: now,
    limits: {
      rateLimitPerMinute: 1_000_000,
      ipRateLimitPerMinute: 1_000_000,
      authFailuresPerWindow: 1_000_000,
      ratingTokenPerMinute: 1_000_000,
      ...opts.limits,
    },
    ...(opts.tracing ? { tracing: true } : {}),
  });
  cleanups.push(async () => {
    await app.close();
    rmSync(storageDir, { recursive: true, force: true });
  });
  return { app, port, logs, storage, storageDir };
}

export function ratingToken(requestId: string, opts: { tokenId?: string; expiresAt?: string; secret?: string } = {}): string {
  return signRatingToken(
    { requestId, tokenId: opts.tokenId ?? 'tok-1', expiresAt: opts.expiresAt ?? new Date(NOW + 7 * 86_400_000).toISOString() },
    opts.secret ?? SECRET,
  );
}

/** Fails with the offending line when any fixture PII appears in clear text. */
export function expectNoPii(lines: string[]): void {
  for (const line of lines) {
    for (const needle of PII_NEEDLES) {
      if (line.includes(needle)) throw new Error(`PII "${needle}" in a log line: ${line.slice(0, 500)}`);
    }
  }
}

afterAll(async () => {
  for (const c of cleanups.splice(0)) await c();
  expectNoPii(allLogLines);
});

/** A tiny valid PNG (signature + IHDR). */
export function pngBytes(extra = 64): Buffer {
  const b = Buffer.alloc(33 + extra);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'ascii');
  b.writeUInt32BE(4, 16);
  b.writeUInt32BE(4, 20);
  return b;
}

export function jpegBytes(extra = 64): Buffer {
  const b = Buffer.alloc(4 + extra);
  Buffer.from([0xff, 0xd8, 0xff, 0xe0]).copy(b, 0);
  return b;
}

/** A multipart/form-data body with the given parts in order. */
export function multipart(
  parts: ({ name: string; value: string } | { name: string; filename: string; contentType: string; data: Buffer })[],
): {
  payload: Buffer;
  headers: Record<string, string>;
} {
  const boundary = '----aftercareTestBoundary7MA4YWxkTrZu0gW';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('filename' in p) {
      chunks.push(
        Buffer.from(`Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.contentType}\r\n\r\n`),
      );
      chunks.push(p.data);
      chunks.push(Buffer.from('\r\n'));
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
