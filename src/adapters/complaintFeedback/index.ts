/**
 * Where a closed product complaint's feedback goes (lifecycle 5: 及时反馈给技术、生产): a signed webhook into the
 * production / engineering system, or by default one JSON line per event in a file (`var/complaint-feedback.jsonl`
 * beside the SMS outbox). Both are idempotent by the event's id, so a retried activity never reports a complaint twice.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ComplaintFeedbackEvent } from '../../domain/complaints';
import { postSignedJson } from '../sms/webhook';

export interface ComplaintFeedbackSink {
  readonly via: 'webhook' | 'file';
  send(event: ComplaintFeedbackEvent): Promise<'delivered' | 'duplicate'>;
}

/**
 * JSON Lines. The file is read again before each append (not cached), so a retry after a restart, or on another worker
 * sharing the file, finds the line already there; appends of one process are serialised.
 */
export class FileComplaintFeedback implements ComplaintFeedbackSink {
  readonly via = 'file' as const;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  private async ids(): Promise<Set<string>> {
    try {
      const text = await readFile(this.file, 'utf8');
      const ids = new Set<string>();
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          ids.add((JSON.parse(line) as { eventId?: string }).eventId ?? '');
        } catch {
          // A torn last line (a crash mid-append) is not an event; the retry writes a whole one.
        }
      }
      return ids;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
      throw err;
    }
  }

  send(event: ComplaintFeedbackEvent): Promise<'delivered' | 'duplicate'> {
    const run = this.chain.then(async () => {
      if ((await this.ids()).has(event.eventId)) return 'duplicate' as const;
      await mkdir(dirname(this.file), { recursive: true });
      await appendFile(this.file, `${JSON.stringify({ ...event, writtenAt: new Date().toISOString() })}\n`, { flag: 'a' });
      return 'delivered' as const;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}

export interface WebhookComplaintFeedbackOptions {
  requireHttps?: boolean;
  timeoutMs?: number;
  now?: () => Date;
  fetch?: typeof fetch;
}

/**
 * POSTs the event signed with COMPLAINT_FEEDBACK_WEBHOOK_SECRET (README, Webhook signatures), with the event id as
 * Idempotency-Key; a 409 is the receiver saying it has it already.
 */
export class WebhookComplaintFeedback implements ComplaintFeedbackSink {
  readonly via = 'webhook' as const;

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly opts: WebhookComplaintFeedbackOptions = {},
  ) {
    if (!secret) throw new Error('complaint feedback webhook needs a signing secret (COMPLAINT_FEEDBACK_WEBHOOK_SECRET)');
  }

  async send(event: ComplaintFeedbackEvent): Promise<'delivered' | 'duplicate'> {
    const res = await postSignedJson({
      ...this.opts,
      url: this.url,
      body: JSON.stringify(event),
      secret: this.secret,
      idempotencyKey: event.eventId,
      what: 'complaint feedback webhook',
    });
    if (res.status === 409) return 'duplicate';
    if (!res.ok) throw new Error(`complaint feedback webhook answered ${res.status}`);
    return 'delivered';
  }
}
