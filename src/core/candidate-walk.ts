/**
 * Hands out one queue pass's candidates, in fair order, to its parallel submitters. Replicas walk
 * the same list at the same time, so one that trails another would spend a lease, a read and a
 * release on every job the other already sent. Once a submitter finds a job taken elsewhere (its
 * lease held, or no longer waiting), the stretch ahead is read again in one store call and what
 * other replicas took since the pass read the list is passed over. A lone replica never finds one,
 * and pays nothing for this.
 */
import type { Job } from './job.js';

/** How many candidates ahead one re-read covers. */
export const WALK_RECHECK_WINDOW = 32;

export class CandidateWalk {
  private next = 0;
  /** Candidates before this index were re-read after the last contention seen. */
  private recheckedUpTo = 0;
  private readonly taken = new Set<string>();
  private recheck: Promise<void> | null = null;

  constructor(
    private readonly candidates: readonly Job[],
    private readonly readNow: (ids: string[]) => Promise<Job[]>,
    private readonly window = WALK_RECHECK_WINDOW,
  ) {}

  /** The next candidate not known to be taken elsewhere; undefined at the end of the list. */
  async take(): Promise<Job | undefined> {
    while (this.recheck) await this.recheck;
    while (this.next < this.candidates.length && this.taken.has(this.candidates[this.next]!.id)) this.next++;
    return this.candidates[this.next++];
  }

  /** A submitter found a job taken by another replica: re-read the stretch ahead before going on. */
  contended(): void {
    if (this.recheck || this.next < this.recheckedUpTo) return;
    const ahead = this.candidates.slice(this.next, this.next + this.window);
    this.recheckedUpTo = this.next + this.window;
    this.recheck = this.readNow(ahead.map((job) => job.id))
      .then((now) => {
        const current = new Map(now.map((job) => [job.id, job]));
        for (const job of ahead) if (takenSince(job, current.get(job.id))) this.taken.add(job.id);
      })
      .finally(() => {
        this.recheck = null;
      });
  }
}

/**
 * Another replica has it: it is no longer waiting, or its create was started since the pass read it
 * (if that replica dies, the job is still waiting and a later pass adopts it).
 */
function takenSince(read: Job, now: Job | undefined): boolean {
  return now?.state !== 'waiting' || now.submitStartedAt !== read.submitStartedAt;
}
