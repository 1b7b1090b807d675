import type { SendResult, SmsMessage, SmsProvider } from './types';

/**
 * Remembers idempotency keys that went out and coalesces concurrent sends of one key, so an activity retried
 * while its first attempt is still in flight does not hit the provider twice. In memory only: it is a cheap
 * first line, the durable guarantee is the provider's own (outbox file, receiver's 409, provider idempotency).
 */
export class Deduper {
  /** Insertion-ordered: the first entry is the least recently used. */
  private readonly done = new Map<string, true>();
  private readonly inflight = new Map<string, Promise<SendResult>>();

  /** @param max keys remembered (LRU); `Infinity` for "all of them" (the outbox, whose file holds them anyway). */
  constructor(private readonly max = 10_000) {
    if (!(max > 0)) throw new RangeError('Deduper max must be > 0');
  }

  has(key: string): boolean {
    return this.done.has(key) || this.inflight.has(key);
  }

  /** Marks a key as sent (e.g. keys loaded from a file at start-up). */
  remember(key: string): void {
    this.done.delete(key);
    this.done.set(key, true);
    if (this.done.size > this.max) {
      const oldest = this.done.keys().next();
      if (!oldest.done) this.done.delete(oldest.value);
    }
  }

  /**
   * Runs `send` unless `key` was sent or is being sent. A caller that loses the race waits for the winner:
   * 'duplicate' if it succeeded, the winner's error if it failed (the caller retries later, as usual).
   */
  async run(key: string, send: () => Promise<SendResult>): Promise<SendResult> {
    if (this.done.has(key)) {
      this.remember(key); // refresh its LRU position
      return { status: 'duplicate' };
    }
    const pending = this.inflight.get(key);
    if (pending) {
      await pending;
      return { status: 'duplicate' };
    }
    // Check-and-set happens synchronously above and here: no await in between, so no second caller slips in.
    const attempt = (async () => send())(); // a synchronous throw becomes a rejection too
    this.inflight.set(key, attempt);
    try {
      const result = await attempt;
      this.remember(key);
      return result;
    } finally {
      this.inflight.delete(key);
    }
  }
}

/** Wraps any provider so repeats of a key are dropped in memory before they reach it. */
export function withDedupe(provider: SmsProvider, opts: { max?: number } = {}): SmsProvider {
  const deduper = new Deduper(opts.max);
  return {
    name: provider.name,
    send: (msg: SmsMessage) => deduper.run(msg.idempotencyKey, () => provider.send(msg)),
  };
}
