/**
 * Lifecycle 3: the `callcentre` role (the call centre's system) may only report call-back outcomes; every other
 * route refuses its token with 403, whatever the request. Ops may report call-backs too; technicians may not.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage } from '../../src/adapters/storage/local';
import { buildServer, type ApiServer } from '../../src/api/server';
import { AesGcmCodec } from '../../src/codec';
import { LIFECYCLE, type Action } from '../../src/domain/lifecycle/actions';
import { createLogger } from '../../src/logger';
import { computeDailyReport } from '../../src/reports/daily';
import { parseTokens, TokenStore } from '../../src/tokens';
import { FakePort } from './fakePort';
import { allLogLines, bearer, NOW, SECRET, validBody } from './support';

const T = {
  callcentre: 'test-callcentre-token-00001',
  ops: 'test-ops-token-000000000001',
  tech: 'test-technician-t1001-token',
};
const COMPLETED = 'sr-crm-CRM-20001';
const ASSIGNED = 'sr-crm-CRM-20002';
const COMPLETED2 = 'sr-crm-CRM-20003';

let app: ApiServer;
let port: FakePort;
let dir: string;

beforeAll(async () => {
  port = new FakePort();
  port.now = () => NOW;
  port.seed({ requestId: COMPLETED, externalId: 'CRM-20001', status: 'completed', owner: 'crm', technicianId: 't1001' });
  port.seed({ requestId: ASSIGNED, externalId: 'CRM-20002', status: 'assigned', owner: 'crm', technicianId: 't1001' });
  port.seed({ requestId: COMPLETED2, externalId: 'CRM-20003', status: 'completed', owner: 'crm', technicianId: 't1001' });
  dir = mkdtempSync(join(tmpdir(), 'aftercare-callcentre-'));
  const tokens = new TokenStore(
    parseTokens([
      { token: T.callcentre, role: 'callcentre', name: 'call centre' },
      { token: T.ops, role: 'ops', name: 'ops desk' },
      { token: T.tech, role: 'technician', technicianId: 't1001', name: 'tech t1001' },
    ]),
  );
  app = await buildServer({
    config: { publicBaseUrl: 'http://localhost:3000', ratingLinkSecret: SECRET },
    logger: createLogger('info', { write: (line: string) => void allLogLines.push(line) }),
    requests: port,
    storage: new LocalStorage(dir),
    tokens,
    clock: () => NOW,
    reports: {
      timeZone: 'Asia/Shanghai',
      daily: async (date) => ({
        ...computeDailyReport([], { date, timeZone: 'Asia/Shanghai' }),
        generatedAt: 'x',
        source: 'temporal',
        unreadable: [],
      }),
    },
    codec: { codec: new AesGcmCodec([{ id: 'k', key: randomBytes(32) }]), codecTokens: ['callcentre-test-codec-token-01'] },
    limits: {
      rateLimitPerMinute: 1_000_000,
      ipRateLimitPerMinute: 1_000_000,
      authFailuresPerWindow: 1_000_000,
      ratingTokenPerMinute: 1_000_000,
    },
  });
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const reached = { reached: true, answers: { satisfiedWithTechnician: true, useExplained: true, fixed: true }, score: 5 };

describe('callcentre', () => {
  test('reports a call-back outcome (and the request is not otherwise readable to it)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/v1/service-requests/${COMPLETED}/callback-outcome`,
      headers: bearer(T.callcentre),
      payload: reached,
    });
    expect(res.statusCode).toBe(200);
    const update = port.calls.find((c) => c.method === 'update' && c.id === COMPLETED) as
      { action: string; args: { by: unknown } } | undefined;
    expect(update).toMatchObject({ action: 'callbackOutcome', args: { by: { name: 'call centre', role: 'callcentre' } } });
  });

  const otherActions = (Object.keys(LIFECYCLE) as Action[]).filter((a) => LIFECYCLE[a].path && a !== 'callbackOutcome');

  test.each(otherActions)('may not %s', async (action) => {
    const res = await app.inject({
      method: 'POST',
      url: `/v1/service-requests/${ASSIGNED}/${LIFECYCLE[action].path}`,
      headers: bearer(T.callcentre),
      payload: {},
    });
    expect(res.statusCode).toBe(403);
  });

  test.each([
    ['POST', '/v1/service-requests', validBody()],
    ['GET', `/v1/service-requests/${COMPLETED}`, undefined],
    ['GET', '/v1/service-requests', undefined],
    ['POST', `/v1/service-requests/${ASSIGNED}/photos`, { kind: 'before' }],
    ['GET', '/v1/reports/daily?date=2025-06-01', undefined],
    ['POST', '/codec/decode', { payloads: [] }],
  ] as const)('may not %s %s', async (method, url, payload) => {
    const res = await app.inject({ method, url, headers: bearer(T.callcentre), ...(payload ? { payload } : {}) });
    expect(res.statusCode).toBe(403);
  });
});

test('ops report call-backs too; technicians may not', async () => {
  const url = `/v1/service-requests/${COMPLETED2}/callback-outcome`;
  const tech = await app.inject({ method: 'POST', url, headers: bearer(T.tech), payload: { reached: false } });
  expect(tech.statusCode).toBe(403);
  const ops = await app.inject({ method: 'POST', url, headers: bearer(T.ops), payload: { reached: false } });
  expect(ops.statusCode).toBe(200);
});
