/**
 * Jobs whose submit lease is held by a replica that is gone (its process ended in the middle of a
 * create). While the lease's grace lasts, each is looked for at the provider once a second: a create
 * that landed is adopted at once (adopt-render.ts). A create that never landed may only be sent again
 * once the grace ends, so the queue's next pass comes right then rather than at its next round. Such
 * jobs are found among the queue's creates under way for a while (`stalled`), looked at even when
 * the pass has no room.
 */
import type { GoneSubmitterLook } from './adopt-render.js';
import { untilGraceEnds } from './held-lease.js';
import type { Job } from './job.js';
import { LruMap } from './lru-map.js';

/** How often a job whose submitter died mid-create is looked for at the provider while its lease binds. */
const LOOK_EVERY_MS = 1_000;

/**
 * A create under way this long may be a dead replica's. A live one's is looked at too (its lease holds;
 * two store calls at most once a second), so this only spares the creates that answer at once.
 */
const STALLED_CREATE_MS = 250;

export class GoneSubmitters {
  private readonly lookedAt = new LruMap<string, number>(1_000);
  /** When the grace of each such job's lease ends (LeaseHolder.graceEndsAt), from its last look. */
  private readonly graceEndsAt = new LruMap<string, number>(1_000);
  /** The soonest grace end met in the current queue pass. */
  private soonest = Number.POSITIVE_INFINITY;
  /** How long until the soonest look due at a create under way this pass passed over (ms). */
  private nextLookMs = Number.POSITIVE_INFINITY;

  /**
   * `lookAt`: renderOfGoneSubmitter for a job (adopt-render.ts). `realNow`: epoch ms, the clock leases
   * and their graces are counted in.
   */
  constructor(
    private readonly lookAt: (jobId: string) => Promise<GoneSubmitterLook | undefined>,
    private readonly realNow: () => number = Date.now,
  ) {}

  /** A queue pass starts: grace ends met in earlier passes are not this one's to wait for. */
  beginPass(): void {
    this.soonest = Number.POSITIVE_INFINITY;
    this.nextLookMs = Number.POSITIVE_INFINITY;
  }

  /**
   * The queue's jobs whose create has been under way a while, and those of them due for a look now.
   * They are looked at whether or not the pass has room: each holds its slot already, and a render a
   * dead replica left is adopted (or, once the grace ends, made again in that slot) now, not when
   * another slot frees (with a full quota, a whole render later).
   */
  stalled(candidates: Job[], now: number): { stalled: Set<Job>; due: Job[] } {
    const stalled = new Set(
      candidates.filter(
        (job) => job.submitStartedAt !== null && now - job.submitStartedAt >= STALLED_CREATE_MS,
      ),
    );
    const due: Job[] = [];
    for (const job of stalled) {
      if (this.due(job.id)) due.push(job);
      else {
        // Passed over this time: the pass after comes when its look is due, or its grace ends.
        const lookedAt = this.lookedAt.peek(job.id) ?? 0;
        this.nextLookMs = Math.min(this.nextLookMs, LOOK_EVERY_MS - (this.realNow() - lookedAt));
        this.note(this.graceEndsAt.peek(job.id) ?? null);
      }
    }
    return { stalled, due };
  }

  /** Due for a look (one a second), or its holder's grace has ended and the create may go again. */
  private due(id: string): boolean {
    const now = this.realNow();
    const graceEndsAt = this.graceEndsAt.peek(id);
    if (graceEndsAt !== undefined && graceEndsAt <= now) {
      this.graceEndsAt.delete(id); // once: the lease is free now, and the next pass's look says more
      return true;
    }
    return now - (this.lookedAt.peek(id) ?? 0) >= LOOK_EVERY_MS;
  }

  /**
   * How long until the next pass should look again: the soonest grace end met in this pass (then a
   * new create may go), or the soonest look due at a create it passed over; null if none.
   */
  wakeMs(): number | null {
    const graceEnd =
      this.soonest === Number.POSITIVE_INFINITY ? null : untilGraceEnds(this.soonest, this.realNow());
    const look = this.nextLookMs === Number.POSITIVE_INFINITY ? null : Math.max(1, this.nextLookMs);
    if (graceEnd === null || look === null) return graceEnd ?? look;
    return Math.min(graceEnd, look);
  }

  /**
   * The render a gone submitter's create left at the provider, claimed for job `id`; undefined when
   * its holder is not gone, nothing landed yet, or the job was looked at less than a second ago.
   */
  async look(id: string): Promise<GoneSubmitterLook['render']> {
    const now = this.realNow();
    if (now - (this.lookedAt.peek(id) ?? 0) < LOOK_EVERY_MS) {
      this.note(this.graceEndsAt.peek(id) ?? null);
      return undefined;
    }
    this.lookedAt.set(id, now);
    const look = await this.lookAt(id);
    if (look?.render) {
      this.lookedAt.delete(id);
      this.graceEndsAt.delete(id);
      return look.render;
    }
    if (look?.graceEndsAt) this.graceEndsAt.set(id, look.graceEndsAt);
    else this.graceEndsAt.delete(id);
    this.note(look?.graceEndsAt ?? null);
    return undefined;
  }

  private note(graceEndsAt: number | null): void {
    if (graceEndsAt !== null && graceEndsAt > this.realNow())
      this.soonest = Math.min(this.soonest, graceEndsAt);
  }
}
