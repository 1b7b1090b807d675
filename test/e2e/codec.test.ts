/**
 * Issue 5, acceptance 3: with the PII codec on, `temporal workflow show` (no codec) shows no phone number,
 * name or address in clear; through our codec endpoint — the CLI's --codec-endpoint, or POST /codec/decode
 * with the history's payloads — the same history shows them.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { Client, Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { codecRoutes } from '../../src/api/routes/codec';
import { installErrorHandling } from '../../src/api/plugins/errors';
import { createValidatorCompiler } from '../../src/api/plugins/validation';
import { ErrorBody } from '../../src/api/schemas/common';
import { AesGcmCodec, codecDataConverter, toJsonPayload, type JsonPayload } from '../../src/codec';
import { temporalCliPath } from '../../src/temporal/binaries';
import { TokenStore } from '../../src/tokens';
import { CURRENT_LIFECYCLE, SERVICE_REQUEST_WORKFLOW } from '../../workflows/messages';
import { requestInput } from '../support/fixtures';
import { createOpsStack, fastPolicy, type OpsStack } from '../support/opsStack';

const run = promisify(execFile);
const address = process.env.TEMPORAL_TEST_ADDRESS as string;
const OPS_TOKEN = 'e2e-ops-token-0123456789';
const customer = requestInput().customer;
/** How the fixture's PII could appear in clear: digits of the phone, the name, a piece of the address. */
const NEEDLES = ['13812345678', customer.name, '漕溪北路'];

const codec = new AesGcmCodec([{ id: 'k-e2e', key: randomBytes(32) }]);
const codecServer = Fastify();
let codecUrl: string;
let stack: OpsStack;
let plain: Client;
let plainConnection: Connection;

beforeAll(async () => {
  codecServer.addSchema(ErrorBody);
  codecServer.setValidatorCompiler(createValidatorCompiler([ErrorBody]));
  installErrorHandling(codecServer);
  await codecServer.register(codecRoutes, { codec, tokens: new TokenStore([{ token: OPS_TOKEN, role: 'ops', name: 'ops e2e' }]) });
  codecUrl = await codecServer.listen({ host: '127.0.0.1', port: 0 });
  stack = await createOpsStack({ dataConverter: codecDataConverter(codec) });
  plainConnection = await Connection.connect({ address });
  plain = new Client({ connection: plainConnection });
});
afterAll(async () => {
  await stack?.close();
  await plainConnection?.close();
  await codecServer.close();
});

/** `temporal workflow show -o json`, with a clean environment (no codec settings inherited). */
async function show(workflowId: string, extra: string[] = []): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
  const { stdout } = await run(temporalCliPath(), ['workflow', 'show', '--address', address, '-w', workflowId, '-o', 'json', ...extra], {
    env: { ...env, HOME: stack.dir },
    maxBuffer: 32 * 1024 * 1024,
  });
  return stdout;
}

/**
 * What a reader of the CLI's JSON gets in clear: the JSON itself plus every payload's data base64-decoded
 * (`-o json` prints payloads as base64 — trivially readable, so it counts as clear text).
 */
function readable(cliJson: string): string {
  const parts: string[] = [cliJson];
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach(walk);
    const o = v as Record<string, unknown>;
    if (typeof o.data === 'string' && o.metadata && typeof o.metadata === 'object')
      parts.push(Buffer.from(o.data, 'base64').toString('utf8'));
    for (const x of Object.values(o)) walk(x);
  };
  walk(JSON.parse(cliJson));
  return parts.join('\n');
}

/** What a patch marker may hold: the patch's id (workflows/**: patched('…')), never data of the request. */
const PATCH_MARKER_DATA = /^\{"id":"[a-z0-9-]+","deprecated":(true|false)\}$/;
/** What a local activity marker's `data` holds (the reporting projection's): ids, the activity's type and times. */
const LOCAL_ACTIVITY_MARKER_DATA =
  /^\{"seq":\d+,"attempt":\d+,"activity_id":"\d+","activity_type":"projectRequest","complete_time":\{"seconds":\d+,"nanos":\d+\},"backoff":(null|\{[^{}]*\}),"original_schedule_time":\{"seconds":\d+,"nanos":\d+\}\}$/;

/**
 * The SDK's core writes some marker data itself, past the payload codec: a `patched()` the request reached (e.g. a
 * deadline met late on a busy machine) and a local activity's bookkeeping (its result goes through the codec) are
 * in clear. Each must hold what its pattern allows and nothing of the request; checked here.
 */
function coreMarkerData(history: temporal.api.history.v1.IHistory): { payloads: Set<Payload>; texts: { text: string; pattern: RegExp }[] } {
  const payloads = new Set<Payload>();
  const texts: { text: string; pattern: RegExp }[] = [];
  for (const e of history.events ?? []) {
    const m = e.markerRecordedEventAttributes;
    const clear =
      m?.markerName === 'core_patch'
        ? { details: Object.values(m.details ?? {}), pattern: PATCH_MARKER_DATA }
        : m?.markerName === 'core_local_activity'
          ? { details: [m.details?.data].filter((d) => d !== undefined), pattern: LOCAL_ACTIVITY_MARKER_DATA }
          : undefined;
    if (!clear) continue;
    for (const p of clear.details.flatMap((d) => d?.payloads ?? [])) {
      payloads.add(p as Payload);
      texts.push({ text: Buffer.from(p.data ?? new Uint8Array()).toString('utf8'), pattern: clear.pattern });
    }
  }
  return { payloads, texts };
}

/**
 * Every payload in a history: inputs, results, activity arguments, user metadata (summaries) … except search
 * attributes, which are indexed by the server, never go through a codec and carry no PII.
 */
function payloadsOf(history: temporal.api.history.v1.IHistory): Payload[] {
  const out: Payload[] = [];
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach(walk);
    const o = v as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && 'data' in o && (o.data instanceof Uint8Array || o.data === null)) {
      out.push(o as Payload);
      return;
    }
    for (const [k, x] of Object.entries(o)) if (k !== 'searchAttributes') walk(x);
  };
  walk(history.events);
  return out;
}

test('unencrypted, the CLI shows the phone in clear (what the codec prevents)', async () => {
  const id = `sr-codec-off-${Date.now()}`;
  // No worker polls this queue: the start event alone carries the input.
  await plain.workflow.start(SERVICE_REQUEST_WORKFLOW, {
    taskQueue: `nobody-${id}`,
    workflowId: id,
    args: [
      {
        requestId: id,
        request: requestInput(),
        policy: fastPolicy(),
        bodyHash: 'h',
        startAttemptId: 'a',
        lifecycleVersion: CURRENT_LIFECYCLE,
      },
    ],
  });
  try {
    const out = readable(await show(id));
    for (const needle of NEEDLES) expect(out).toContain(needle);
  } finally {
    await plain.workflow.getHandle(id).terminate('test over');
  }
});

test('with the codec: no PII in the stored history; through the codec endpoint it is there', async () => {
  const h = await stack.start({ urgency: 'urgent' });
  // Let the request get going: acknowledgement SMS (phone in the activity input), dispatch, assignment SMS.
  await stack.until('assignment and SMS', async () => {
    const st = await h.state();
    return st.status === 'assigned' && (await stack.outbox()).some((l) => l.kind === 'assigned');
  });

  const raw = readable(await show(h.workflowId));
  for (const needle of NEEDLES) expect(raw).not.toContain(needle);
  expect(raw).toContain(Buffer.from('binary/encrypted').toString('base64'));

  // The CLI through our codec endpoint (as ops) shows them.
  const decoded = readable(await show(h.workflowId, ['--codec-endpoint', `${codecUrl}/codec`, '--codec-auth', `Bearer ${OPS_TOKEN}`]));
  for (const needle of NEEDLES) expect(decoded).toContain(needle);

  // The same history's payloads, posted to /codec/decode.
  const history = await plain.workflow.getHandle(h.workflowId).fetchHistory();
  const payloads = payloadsOf(history);
  expect(payloads.length).toBeGreaterThan(5);
  const body = { payloads: payloads.map(toJsonPayload) };
  const unauthorised = await fetch(`${codecUrl}/codec/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(unauthorised.status).toBe(401);
  const res = await fetch(`${codecUrl}/codec/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${OPS_TOKEN}`, 'x-namespace': 'default' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  const clear = ((await res.json()) as { payloads: JsonPayload[] }).payloads
    .map((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8'))
    .join('\n');
  for (const needle of NEEDLES) expect(clear).toContain(needle);
  // Nothing else in the raw history was stored unencrypted (timer and activity summaries included), but the
  // markers' data the SDK's core writes itself, which holds ids and nothing else.
  const markers = coreMarkerData(history);
  for (const { text, pattern } of markers.texts) expect(text).toMatch(pattern);
  for (const p of payloads.filter((x) => !markers.payloads.has(x))) {
    expect(Buffer.from(p.metadata!.encoding!).toString()).toBe('binary/encrypted');
  }
});
