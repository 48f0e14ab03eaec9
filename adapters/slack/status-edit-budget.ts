/**
 * Coalesces status-message edits per workspace. `chat.update` is Tier 3 (about 50 calls a minute per
 * workspace: https://api.slack.com/methods/chat.update); twenty renders each editing every three
 * seconds would be 400 a minute. A token bucket per workspace admits at most `perMinute` edits (after
 * an initial `burst`); an edit that finds the bucket empty waits as the pending edit of its message,
 * replaced by any newer one, so only the latest state goes out. Final edits (done, failed, deleted)
 * never wait or get dropped: they bypass the bucket (and still spend from it).
 */
import type { Logger } from '../../src/core/logger.js';

export interface StatusEditBudgetOptions {
  perMinute: number;
  burst: number;
  logger: Logger;
  now?: () => number;
  /** Told each time an edit is held back for the budget (the bot's metrics). */
  onDeferred?: () => void;
}

export const DEFAULT_STATUS_EDIT_BUDGET = { perMinute: 45, burst: 5 } as const;

type Edit = () => Promise<void>;

interface Bucket {
  tokens: number;
  refilledAt: number;
  /** message key -> its newest waiting edit; Map order is first-come, so flushing is fair. */
  pending: Map<string, Edit>;
  timer: NodeJS.Timeout | undefined;
}

export class StatusEditBudget {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly msPerToken: number;
  private closed = false;

  constructor(private readonly options: StatusEditBudgetOptions) {
    this.now = options.now ?? Date.now;
    this.msPerToken = 60_000 / options.perMinute;
  }

  /** Sends a final edit now (it cancels the message's pending one). */
  async final(workspace: string, key: string, edit: Edit): Promise<void> {
    const bucket = this.bucket(workspace);
    bucket.pending.delete(key);
    bucket.tokens -= 1;
    await edit();
  }

  /** Sends an intermediate edit if the budget allows, else keeps it as the message's pending edit. */
  async intermediate(workspace: string, key: string, edit: Edit): Promise<void> {
    if (this.closed) return;
    const bucket = this.bucket(workspace);
    if (bucket.pending.size === 0 && bucket.tokens >= 1) {
      bucket.tokens -= 1;
      await edit();
      return;
    }
    bucket.pending.set(key, edit);
    this.flush(bucket);
    if (bucket.pending.has(key)) this.options.onDeferred?.();
  }

  /** Edits waiting for budget, over all workspaces (for tests and metrics). */
  get waiting(): number {
    let n = 0;
    for (const bucket of this.buckets.values()) n += bucket.pending.size;
    return n;
  }

  close(): void {
    this.closed = true;
    for (const bucket of this.buckets.values()) {
      clearTimeout(bucket.timer);
      bucket.pending.clear();
    }
  }

  private bucket(workspace: string): Bucket {
    let bucket = this.buckets.get(workspace);
    if (!bucket) {
      bucket = { tokens: this.options.burst, refilledAt: this.now(), pending: new Map(), timer: undefined };
      this.buckets.set(workspace, bucket);
    }
    const now = this.now();
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + (now - bucket.refilledAt) / this.msPerToken);
    bucket.refilledAt = now;
    return bucket;
  }

  private schedule(bucket: Bucket): void {
    if (bucket.timer || this.closed) return;
    const waitMs = Math.max(10, Math.ceil((1 - bucket.tokens) * this.msPerToken));
    bucket.timer = setTimeout(() => {
      bucket.timer = undefined;
      this.flush(bucket);
    }, waitMs);
    bucket.timer.unref();
  }

  private flush(bucket: Bucket): void {
    if (this.closed) return;
    const now = this.now();
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + (now - bucket.refilledAt) / this.msPerToken);
    bucket.refilledAt = now;
    while (bucket.tokens >= 1 && bucket.pending.size > 0) {
      const [key, edit] = bucket.pending.entries().next().value as [string, Edit];
      bucket.pending.delete(key);
      bucket.tokens -= 1;
      edit().catch((error: unknown) =>
        this.options.logger.debug({ err: error }, 'a coalesced status edit failed; the next one replaces it'),
      );
    }
    if (bucket.pending.size > 0) this.schedule(bucket);
  }
}
