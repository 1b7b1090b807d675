/**
 * Satisfaction call-back tasks for the call centre (SPEC §4, 000/004: 24 h 回访). A JSON Lines task file for the
 * embedded stack, or a signed webhook into the call-centre system. Both drop repeats by task key, so a retried
 * activity never books the same call twice.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { signWebhookBody, SIGNATURE_HEADER, IDEMPOTENCY_HEADER } from '../sms/webhook';

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
      .then((text) => new Set(text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as CallbackTask).key)))
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

export class WebhookCallCentre implements CallCentre {
  constructor(
    private readonly url: string,
    private readonly secret: string,
  ) {}

  async createTask(task: CallbackTask): Promise<'created' | 'duplicate'> {
    const body = JSON.stringify({ type: 'satisfaction_callback', ...task });
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhookBody(body, this.secret), [IDEMPOTENCY_HEADER]: task.key },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status === 409) return 'duplicate';
    if (!res.ok) throw new Error(`call-centre webhook answered ${res.status}`);
    return 'created';
  }
}
