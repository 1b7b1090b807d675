/**
 * Satisfaction call-back tasks for the call centre (回访, 24 h after completion). A JSON Lines task file for the
 * embedded stack, or a signed webhook into the call-centre system. Both drop repeats by task key, so a retried
 * activity never books the same call twice.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { postSignedJson } from '../sms/webhook';

export interface CallbackTask {
  key: string;
  requestId: string;
  ticketNo: string;
  /** E.164: the call centre must be able to call; never logged. */
  phone: string;
  dueAt: string;
  ratingUrl: string;
  language: 'zh' | 'en';
}

export interface CallCentre {
  createTask(task: CallbackTask): Promise<'created' | 'duplicate'>;
}

export class FileCallCentre implements CallCentre {
  private keys?: Promise<Set<string>>;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  private load(): Promise<Set<string>> {
    this.keys ??= readFile(this.file, 'utf8')
      .then(
        (text) =>
          new Set(
            text
              .split('\n')
              .filter(Boolean)
              .map((l) => (JSON.parse(l) as CallbackTask).key),
          ),
      )
      .catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return new Set<string>();
        throw err;
      });
    return this.keys;
  }

  createTask(task: CallbackTask): Promise<'created' | 'duplicate'> {
    // Serialised so two concurrent attempts with one key cannot both append.
    const run = this.chain.then(async () => {
      const keys = await this.load();
      if (keys.has(task.key)) return 'duplicate' as const;
      await mkdir(dirname(this.file), { recursive: true });
      await appendFile(this.file, `${JSON.stringify({ ...task, createdAt: new Date().toISOString() })}\n`, { flag: 'a' });
      keys.add(task.key);
      return 'created' as const;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}

export interface WebhookCallCentreOptions {
  /** Refuse plain http (production). */
  requireHttps?: boolean;
  timeoutMs?: number;
  now?: () => Date;
  fetch?: typeof fetch;
}

/**
 * POSTs each task, signed with CALL_CENTRE_WEBHOOK_SECRET over a timestamp and the body (X-Aftercare-Signature,
 * X-Aftercare-Timestamp; see README "Webhook signatures"), with the task key as Idempotency-Key. Redirects are not
 * followed: the body carries the customer's phone number.
 */
export class WebhookCallCentre implements CallCentre {
  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly opts: WebhookCallCentreOptions = {},
  ) {
    if (!secret) throw new Error('call-centre webhook needs a signing secret (CALL_CENTRE_WEBHOOK_SECRET)');
  }

  async createTask(task: CallbackTask): Promise<'created' | 'duplicate'> {
    const body = JSON.stringify({ type: 'satisfaction_callback', ...task });
    const res = await postSignedJson({
      ...this.opts,
      url: this.url,
      body,
      secret: this.secret,
      idempotencyKey: task.key,
      what: 'call-centre webhook',
    });
    if (res.status === 409) return 'duplicate';
    if (!res.ok) throw new Error(`call-centre webhook answered ${res.status}`);
    return 'created';
  }
}
