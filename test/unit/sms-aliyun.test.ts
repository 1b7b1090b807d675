import { createHmac } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  AliyunSmsProvider,
  aliyunPhoneNumber,
  aliyunRpcSignature,
  createSmsProvider,
  isRetryableAliyunCode,
  SmsConfigError,
  SmsProviderError,
  type AliyunOptions,
  type SmsKind,
  type SmsMessage,
} from '../../src/adapters/sms';
import { aliyunPercentEncode } from '../../src/adapters/sms/aliyun';
import { SMS_KINDS } from '../../src/adapters/sms/types';
import { withSmsMetrics } from '../../src/metrics/sms';
import { json, startTestServer, type RecordedRequest, type TestServer } from './sms-testServer';

const ID = 'LTAI5tTestAccessKeyId';
const SECRET = 'test-access-key-secret';
const SIGN = '售后服务';
const TEMPLATES = Object.fromEntries(SMS_KINDS.map((k, i) => [k, `SMS_${100000 + i}`])) as Record<SmsKind, string>;

// ---------------------------------------------------------------------------------------------------------------
// The verifier: written from Aliyun's RPC signature documentation, byte by byte, without the implementation's
// helpers (only the known-answer test below also calls the implementation's function).
// ---------------------------------------------------------------------------------------------------------------

/** RFC 3986 over UTF-8 bytes: only A–Z a–z 0–9 - _ . ~ stay as they are; upper-case hex. */
function rfc3986(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function expectedSignature(method: string, params: Record<string, string>, secret: string): string {
  const names = Object.keys(params).filter((k) => k !== 'Signature');
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical = names.map((k) => `${rfc3986(k)}=${rfc3986(params[k] as string)}`).join('&');
  const stringToSign = `${method}&${rfc3986('/')}&${rfc3986(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64');
}

/** Aliyun's published example for SendSms (SMS API documentation, "signature" section). */
const DOC_SEND_SMS = {
  AccessKeyId: 'testId',
  Action: 'SendSms',
  Format: 'XML',
  OutId: '123',
  PhoneNumbers: '15300000001',
  RegionId: 'cn-hangzhou',
  SignName: '阿里云短信测试专用',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
  SignatureVersion: '1.0',
  TemplateCode: 'SMS_71390007',
  TemplateParam: '{"customer":"test"}',
  Timestamp: '2017-07-12T02:42:19Z',
  Version: '2017-05-25',
};
/** Aliyun's published example for the RPC signature in general (ECS DescribeRegions). */
const DOC_DESCRIBE_REGIONS = {
  AccessKeyId: 'testid',
  Action: 'DescribeRegions',
  Format: 'XML',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
  SignatureVersion: '1.0',
  Timestamp: '2016-02-23T12:46:24Z',
  Version: '2014-05-26',
};

describe('Aliyun RPC signature (v1, HMAC-SHA1)', () => {
  it("reproduces Aliyun's published SendSms example", () => {
    expect(expectedSignature('GET', DOC_SEND_SMS, 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
    expect(aliyunRpcSignature('GET', DOC_SEND_SMS, 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });

  it("reproduces Aliyun's published RPC example (DescribeRegions)", () => {
    expect(expectedSignature('GET', DOC_DESCRIBE_REGIONS, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    expect(aliyunRpcSignature('GET', DOC_DESCRIBE_REGIONS, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('percent-encodes as the RPC rules say (%20, %2A, ~ kept, upper-case hex, UTF-8)', () => {
    for (const s of ["a b*c~d!e'f(g)h", '{"k":"v/w+x=y&z"}', '阿里云 😀', '-_.~']) expect(aliyunPercentEncode(s)).toBe(rfc3986(s));
    expect(aliyunPercentEncode('a b*~')).toBe('a%20b%2A~');
  });

  it('signs POST differently from GET (the method is part of the string to sign)', () => {
    expect(aliyunRpcSignature('POST', DOC_SEND_SMS, 'testSecret')).toBe(expectedSignature('POST', DOC_SEND_SMS, 'testSecret'));
    expect(aliyunRpcSignature('POST', DOC_SEND_SMS, 'testSecret')).not.toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// A fake Dysmsapi: the documented request (form-encoded POST to "/") and answers, checking the signature.
// ---------------------------------------------------------------------------------------------------------------

type Answer = [status: number, body: unknown] | 'raw500' | 'garbage200' | 'silent';

interface FakeAliyun {
  server: TestServer;
  /** Parsed parameters of every request that passed the signature check. */
  accepted: Record<string, string>[];
  /** Answer for the next requests that pass the checks (default: OK). */
  answers: Answer[];
}

function params(req: RecordedRequest): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(req.body));
}

async function fakeAliyun(opts: { now?: () => number } = {}): Promise<FakeAliyun> {
  const now = opts.now ?? Date.now;
  const nonces = new Set<string>();
  const fake: FakeAliyun = { server: undefined as unknown as TestServer, accepted: [], answers: [] };
  const requestId = () => `F655A8D5-B967-440B-8683-${String(fake.accepted.length).padStart(12, '0')}`;
  const refuse = (res: ServerResponse, status: number, Code: string, Message: string) =>
    json(res, status, {
      RequestId: requestId(),
      HostId: 'dysmsapi.aliyuncs.com',
      Code,
      Message,
      Recommend: 'https://api.aliyun.com/troubleshoot',
    });

  fake.server = await startTestServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/' || req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      return refuse(res, 400, 'UnsupportedHTTPMethod', `${req.method} ${req.url}`);
    }
    const p = params(req);
    for (const name of [
      'AccessKeyId',
      'Action',
      'Format',
      'SignatureMethod',
      'SignatureNonce',
      'SignatureVersion',
      'Timestamp',
      'Version',
      'Signature',
    ]) {
      if (!p[name]) return refuse(res, 400, 'MissingParameter', `${name} is mandatory for this action.`);
    }
    if (p.AccessKeyId !== ID) return refuse(res, 404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(p.Timestamp!) || Math.abs(Date.parse(p.Timestamp!) - now()) > 15 * 60_000) {
      return refuse(res, 400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    }
    const expected = expectedSignature('POST', p, SECRET);
    if (p.Signature !== expected) {
      const canonical = Object.keys(p)
        .filter((k) => k !== 'Signature')
        .sort()
        .map((k) => `${rfc3986(k)}=${rfc3986(p[k]!)}`)
        .join('&');
      return refuse(
        res,
        400,
        'SignatureDoesNotMatch',
        `Specified signature is not matched with our calculation. server string to sign is:POST&%2F&${rfc3986(canonical)}`,
      );
    }
    if (nonces.has(p.SignatureNonce!)) return refuse(res, 400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    nonces.add(p.SignatureNonce!);
    if (
      p.Action !== 'SendSms' ||
      p.Version !== '2017-05-25' ||
      p.Format !== 'JSON' ||
      p.SignatureMethod !== 'HMAC-SHA1' ||
      p.SignatureVersion !== '1.0'
    ) {
      return refuse(res, 400, 'InvalidParameter', 'unexpected common parameters');
    }
    let templateParam: unknown;
    try {
      templateParam = JSON.parse(p.TemplateParam ?? '');
    } catch {
      return json(res, 200, { Code: 'isv.INVALID_JSON_PARAM', Message: 'JSON参数不合法，只接受字符串值', RequestId: requestId() });
    }
    if (templateParam === null || typeof templateParam !== 'object' || Object.values(templateParam).some((v) => typeof v !== 'string')) {
      return json(res, 200, { Code: 'isv.INVALID_JSON_PARAM', Message: 'JSON参数不合法，只接受字符串值', RequestId: requestId() });
    }
    fake.accepted.push(p);
    const answer = fake.answers.shift() ?? [
      200,
      { Code: 'OK', Message: 'OK', BizId: `90061974693649844${fake.accepted.length}^0`, RequestId: requestId() },
    ];
    if (answer === 'silent') return undefined;
    if (answer === 'raw500') {
      res.writeHead(500, { 'content-type': 'text/html' });
      return res.end('<html>Internal Server Error</html>');
    }
    if (answer === 'garbage200') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('upstream reset');
    }
    return json(res, answer[0], answer[1]);
  });
  return fake;
}

let fake: FakeAliyun | undefined;
afterEach(async () => {
  await fake?.server.close();
  fake = undefined;
});

function provider(endpoint: string, over: Partial<AliyunOptions> = {}): AliyunSmsProvider {
  return new AliyunSmsProvider({ accessKeyId: ID, accessKeySecret: SECRET, signName: SIGN, templates: TEMPLATES, endpoint, ...over });
}

const ASSIGNED_VARS = {
  timeZone: 'Asia/Shanghai',
  ticketNo: 'SR-20240612-0001',
  technicianName: '王 师傅',
  technicianNo: 'T-042',
  technicianPhone: '+8613900139000',
};

function msg(over: Partial<SmsMessage> = {}): SmsMessage {
  return {
    to: '+8613800138000',
    kind: 'assigned',
    text: '【售后服务】您的服务单 SR-20240612-0001 已安排工程师王 师傅（工号 T-042，电话 +8613900139000）为您服务',
    idempotencyKey: 'sr-CRM-1001:assigned:1',
    requestId: 'sr-CRM-1001',
    vars: ASSIGNED_VARS,
    ...over,
  };
}

describe('AliyunSmsProvider', () => {
  it('sends the documented SendSms request, signed', async () => {
    fake = await fakeAliyun();
    const result = await provider(fake.server.url).send(msg());
    expect(result).toEqual({ status: 'sent', providerMessageId: '900619746936498441^0' });

    expect(fake.accepted).toHaveLength(1);
    const p = fake.accepted[0]!;
    expect(p).toMatchObject({
      AccessKeyId: ID,
      Action: 'SendSms',
      Version: '2017-05-25',
      Format: 'JSON',
      RegionId: 'cn-hangzhou',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      PhoneNumbers: '13800138000',
      SignName: SIGN,
      TemplateCode: TEMPLATES.assigned,
      OutId: 'sr-CRM-1001:assigned:1',
    });
    expect(JSON.parse(p.TemplateParam!)).toEqual({ ticket: 'SR-20240612-0001', name: '王 师傅', no: 'T-042', phone: '13900139000' });
    expect(p.SignatureNonce).toMatch(/^[0-9a-f-]{36}$/);
    // Nothing in the URL: the number and the names travel in the body only.
    expect(fake.server.requests[0]!.url).toBe('/');
    expect(fake.server.requests[0]!.body).not.toContain(SECRET);
  });

  it('puts the injected clock and nonce into Timestamp and SignatureNonce (UTC, no milliseconds)', async () => {
    const at = new Date('2024-06-12T06:00:00.789Z');
    fake = await fakeAliyun({ now: () => at.getTime() });
    await provider(fake.server.url, { now: () => at, nonce: () => 'nonce-1' }).send(msg());
    expect(fake.accepted[0]).toMatchObject({ Timestamp: '2024-06-12T06:00:00Z', SignatureNonce: 'nonce-1' });
  });

  it('maps each kind to its template code and parameters', async () => {
    fake = await fakeAliyun();
    const sms = provider(fake.server.url);
    await sms.send(
      msg({
        kind: 'received',
        idempotencyKey: 'k:received:1',
        vars: { ticketNo: 'SR-1', statusLink: 'https://svc.example.com/s/st.ATU_-9' },
      }),
    );
    await sms.send(
      msg({
        kind: 'escalation_breach',
        idempotencyKey: 'k:escalation_breach:L2:1',
        vars: { timeZone: 'Asia/Shanghai', ticketNo: 'SR-1', milestone: 'on_site', level: 2, overdueMs: 65 * 60_000 },
      }),
    );
    await sms.send(
      msg({
        kind: 'completed',
        idempotencyKey: 'k:completed:1',
        vars: { ticketNo: 'SR-1', ratingLink: 'https://svc.example.com/r/abc.DEF_-1' },
      }),
    );
    expect(fake.accepted.map((p) => p.TemplateCode)).toEqual([TEMPLATES.received, TEMPLATES.escalation_breach, TEMPLATES.completed]);
    expect(fake.accepted.map((p) => JSON.parse(p.TemplateParam!))).toEqual([
      { ticket: 'SR-1', link: 's/st.ATU_-9' },
      { ticket: 'SR-1', stage: '上门', overdue: '1小时5分钟', level: '2', role: '服务主管/技术支持' },
      { ticket: 'SR-1', link: 'r/abc.DEF_-1' },
    ]);
  });

  it('converts E.164 to Aliyun numbers: mainland without +86, others with their country code', async () => {
    fake = await fakeAliyun();
    const sms = provider(fake.server.url);
    await sms.send(msg({ to: '+85291234567', idempotencyKey: 'k:hk' }));
    await sms.send(msg({ to: '+14155550100', idempotencyKey: 'k:us' }));
    expect(fake.accepted.map((p) => p.PhoneNumbers)).toEqual(['85291234567', '14155550100']);
    expect(aliyunPhoneNumber('+8613800138000')).toBe('13800138000');
    expect(aliyunPhoneNumber('+886912345678')).toBe('886912345678'); // Taiwan (+886) is not +86
  });

  it('refuses a +86 number that is not a mainland mobile before any request, as final', async () => {
    fake = await fakeAliyun();
    const err = await provider(fake.server.url)
      .send(msg({ to: '+861012345678' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmsProviderError);
    expect(err).toMatchObject({ provider: 'aliyun', retryable: false });
    expect((err as Error).message).not.toMatch(/1012345678/);
    expect(fake.server.requests).toHaveLength(0);
  });

  it('refuses a message without template variables, or with missing ones, as final and without I/O', async () => {
    fake = await fakeAliyun();
    const sms = provider(fake.server.url);
    await expect(sms.send(msg({ vars: undefined }))).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/SmsMessage\.vars/),
    });
    const err = (await sms
      .send(msg({ vars: { ticketNo: 'SR-1', technicianName: '王师傅' } }))
      .catch((e: unknown) => e)) as SmsProviderError;
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toContain("'assigned'");
    expect(err.message).toContain('technicianNo, technicianPhone');
    expect(err.message).not.toContain('王师傅');
    expect(fake.server.requests).toHaveLength(0);
  });

  describe('error mapping', () => {
    const cases: [string, boolean, Answer][] = [
      [
        'isv.BUSINESS_LIMIT_CONTROL (flow control)',
        true,
        [200, { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发号码天级流控Permits:10' }],
      ],
      ['Throttling.User', true, [400, { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' }]],
      ['isp.SYSTEM_ERROR', true, [200, { Code: 'isp.SYSTEM_ERROR', Message: 'isp.SYSTEM_ERROR' }]],
      [
        'ServiceUnavailable (503)',
        true,
        [503, { Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure of the server.' }],
      ],
      ['HTTP 500 without a body Aliyun wrote', true, 'raw500'],
      ['HTTP 200 with an unreadable body', true, 'garbage200'],
      ['isv.MOBILE_NUMBER_ILLEGAL', false, [200, { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号 13800138000' }]],
      ['isv.TEMPLATE_MISSING_PARAMETERS', false, [200, { Code: 'isv.TEMPLATE_MISSING_PARAMETERS', Message: '模板缺少变量' }]],
      ['isv.SMS_TEMPLATE_ILLEGAL', false, [200, { Code: 'isv.SMS_TEMPLATE_ILLEGAL', Message: '模板不合法(不存在或被拉黑)' }]],
      ['isv.SMS_SIGNATURE_ILLEGAL', false, [200, { Code: 'isv.SMS_SIGNATURE_ILLEGAL', Message: '签名不合法(不存在或被拉黑)' }]],
      ['isv.INVALID_PARAMETERS', false, [200, { Code: 'isv.INVALID_PARAMETERS', Message: '参数异常' }]],
      ['isv.DAY_LIMIT_CONTROL', false, [200, { Code: 'isv.DAY_LIMIT_CONTROL', Message: '触发日发送限额' }]],
      ['an isv code not in the table', false, [200, { Code: 'isv.SOMETHING_NEW', Message: 'new' }]],
    ];
    it.each(cases)('%s → retryable=%s', async (_name, retryable, answer) => {
      fake = await fakeAliyun();
      fake.answers.push(answer);
      const err = (await provider(fake.server.url)
        .send(msg())
        .catch((e: unknown) => e)) as SmsProviderError;
      expect(err).toBeInstanceOf(SmsProviderError);
      expect(err.retryable).toBe(retryable);
      if (Array.isArray(answer)) expect(err).toMatchObject({ status: answer[0], code: (answer[1] as { Code: string }).Code });
      expect(err.message).not.toMatch(/13800138000|13900139000|王/);
    });

    it('treats refusals of the credentials or signature as final, without echoing the string to sign', async () => {
      fake = await fakeAliyun();
      const wrongSecret = await provider(fake.server.url, { accessKeySecret: 'not-the-secret' })
        .send(msg())
        .catch((e: unknown) => e);
      expect(wrongSecret).toMatchObject({ retryable: false, status: 400, code: 'SignatureDoesNotMatch' });
      expect((wrongSecret as Error).message).toMatch(/Specified signature is not matched with our calculation/);
      expect((wrongSecret as Error).message).not.toMatch(/13800138000|PhoneNumbers|TemplateParam|not-the-secret/);

      const wrongId = await provider(fake.server.url, { accessKeyId: 'LTAI-unknown' })
        .send(msg({ idempotencyKey: 'k:2' }))
        .catch((e: unknown) => e);
      expect(wrongId).toMatchObject({ retryable: false, status: 404, code: 'InvalidAccessKeyId.NotFound' });
      expect(fake.accepted).toHaveLength(0);
    });

    it('retries a retryable refusal under the same OutId with a fresh nonce', async () => {
      fake = await fakeAliyun();
      fake.answers.push([200, { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发号码分钟级流控Permits:1' }]);
      const sms = provider(fake.server.url);
      await expect(sms.send(msg())).rejects.toMatchObject({ retryable: true });
      await expect(sms.send(msg())).resolves.toMatchObject({ status: 'sent' });
      expect(fake.accepted.map((p) => p.OutId)).toEqual(['sr-CRM-1001:assigned:1', 'sr-CRM-1001:assigned:1']);
      expect(new Set(fake.accepted.map((p) => p.SignatureNonce)).size).toBe(2);
    });

    it('classifies codes by table, then prefix, then HTTP status', () => {
      expect(isRetryableAliyunCode('SignatureNonceUsed', 400)).toBe(true);
      expect(isRetryableAliyunCode('isp.RAM_PERMISSION_DENY', 200)).toBe(false);
      expect(isRetryableAliyunCode('isp.NEW_FAULT', 200)).toBe(true);
      expect(isRetryableAliyunCode('Throttling.Tenant', 400)).toBe(true);
      expect(isRetryableAliyunCode('Forbidden.Something', 403)).toBe(false);
      expect(isRetryableAliyunCode(undefined, 502)).toBe(true);
      expect(isRetryableAliyunCode(undefined, 404)).toBe(false);
    });
  });

  it('times out a silent API as retryable; an unreachable one too', async () => {
    fake = await fakeAliyun();
    fake.answers.push('silent');
    await expect(provider(fake.server.url, { timeoutMs: 150 }).send(msg())).rejects.toMatchObject({
      retryable: true,
      message: expect.stringMatching(/timed out/),
    });
    await expect(provider('http://127.0.0.1:9').send(msg())).rejects.toMatchObject({
      retryable: true,
      message: expect.stringMatching(/could not be reached/),
    });
  });

  it('sends a key once: a repeat, also a racing one, is a local duplicate', async () => {
    fake = await fakeAliyun();
    const sms = provider(fake.server.url);
    const results = await Promise.all([sms.send(msg()), sms.send(msg()), sms.send(msg({ idempotencyKey: 'sr-CRM-1001:assigned:2' }))]);
    expect(results.map((r) => r.status)).toEqual(['sent', 'duplicate', 'sent']);
    await expect(sms.send(msg())).resolves.toEqual({ status: 'duplicate' });
    expect(fake.server.requests).toHaveLength(2);
  });

  it('counts outcomes under provider="aliyun" with the retryable label of the mapping', async () => {
    fake = await fakeAliyun();
    fake.answers.push([200, { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' }]);
    const counted: { name: string; tags: Record<string, unknown> }[] = [];
    const meter = {
      createCounter: (name: string) => ({ add: (_n: number, tags: Record<string, unknown>) => counted.push({ name, tags }) }),
    };
    const sms = withSmsMetrics(provider(fake.server.url), () => meter as never);
    await expect(sms.send(msg())).rejects.toMatchObject({ retryable: false });
    await sms.send(msg({ idempotencyKey: 'k:2' }));
    expect(counted).toEqual([
      { name: 'aftercare_sms_failed', tags: { kind: 'assigned', provider: 'aliyun', retryable: 'false' } },
      { name: 'aftercare_sms_sent', tags: { kind: 'assigned', provider: 'aliyun', status: 'sent' } },
    ]);
  });

  it('refuses incomplete configuration, naming what is missing', () => {
    const base: AliyunOptions = { accessKeyId: ID, accessKeySecret: SECRET, signName: SIGN, templates: TEMPLATES };
    expect(() => new AliyunSmsProvider({ ...base, accessKeyId: '', accessKeySecret: '' })).toThrow(
      'aliyun SMS provider needs accessKeyId, accessKeySecret',
    );
    expect(() => new AliyunSmsProvider({ ...base, signName: ' ' })).toThrow(/needs signName/);
    const { survey: _s, ops_alert: _o, ...partial } = TEMPLATES;
    expect(() => new AliyunSmsProvider({ ...base, templates: partial })).toThrow(
      /no template code for 'survey'; no template code for 'ops_alert'/,
    );
    expect(() => new AliyunSmsProvider({ ...base, endpoint: 'ftp://x' })).toThrow(/http\(s\)/);
    expect(() => createSmsProvider({ provider: 'aliyun' })).toThrow(
      "SMS provider 'aliyun' needs aliyun.accessKeyId, aliyun.accessKeySecret, aliyun.signName, aliyun.templates",
    );
    expect(() => createSmsProvider({ provider: 'aliyun', aliyun: { ...base, templates: { received: 'SMS_1' } } })).toThrow(SmsConfigError);
    expect(createSmsProvider({ provider: 'aliyun', aliyun: base }).name).toBe('aliyun');
  });
});
