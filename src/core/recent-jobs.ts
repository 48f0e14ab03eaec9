/**
 * A person's recent videos matching what they typed, for pickers that suggest a video id while it is
 * typed (Discord's autocomplete, which must answer within 3 s, once per keystroke). Only the
 * requester's own jobs in their workspace (the per-person index, never a channel's or another
 * workspace's), newest first.
 *
 * Efficient over a long history: the per-person index is read a keyset page at a time (ids only),
 * and a job's prompt, which never changes, is remembered per id in a bounded cache, so a keystroke
 * matches against ids and cached prompts without reading job records; only prompts not yet cached
 * (one batched read per page) and the matches themselves (at most `limit`, to check their state and
 * build the views) are read. A filter that matches nothing stops after `scanLimit` ids.
 */
import type { JobState } from './job.js';
import type { JobLedger } from './job-ledger.js';
import { LruMap } from './lru-map.js';
import { type JobView, toJobView } from './messages.js';
import { canSee } from './policy.js';
import type { Requester } from './requester.js';

/** Ids read per index page. */
const PAGE = 250;
/** Prompts remembered (lowercased, by job id): about 20,000 people's recent videos, a few MB. */
const PROMPT_CACHE_SIZE = 20_000;

export interface RecentJobsQuery {
  /** What was typed so far: matched against the id and the prompt, ignoring case; '' matches all. */
  text: string;
  /** At most this many (Discord shows 25). */
  limit: number;
  /** Only jobs in these states (e.g. delivered ones for a remix); all listed ones when absent. */
  states?: readonly JobState[] | undefined;
  /** Stop after this many ids (bounds a filter that matches nothing). Default 1,000. */
  scanLimit?: number | undefined;
}

export class RecentJobs {
  private readonly prompts = new LruMap<string, string>(PROMPT_CACHE_SIZE);

  constructor(private readonly ledger: JobLedger) {}

  async find(requester: Requester, query: RecentJobsQuery): Promise<JobView[]> {
    const needle = query.text.trim().toLowerCase();
    const scanLimit = query.scanLimit ?? 1_000;
    const found: JobView[] = [];
    let scanned = 0;
    let after: { score: number; member: string } | undefined;
    while (scanned < scanLimit && found.length < query.limit) {
      const page = await this.ledger.scopeIds({ requester }, Math.min(PAGE, scanLimit - scanned), after);
      if (page.length === 0) break;
      scanned += page.length;
      after = page[page.length - 1];
      const ids = page.map((e) => e.member);
      if (needle) await this.learnPrompts(ids);
      const matching = needle
        ? ids.filter((id) => id.includes(needle) || (this.prompts.peek(id)?.includes(needle) ?? false))
        : ids;
      // The matches are read to check them (the index is the person's own already; this is the check)
      // and to show them, a few at a time until enough are found.
      for (let i = 0; i < matching.length && found.length < query.limit; i += query.limit) {
        for (const job of await this.ledger.getMany(matching.slice(i, i + query.limit))) {
          if (found.length >= query.limit) break;
          if (!canSee(requester, job) || job.requester.user !== requester.user) continue;
          if (query.states && !query.states.includes(job.state)) continue;
          this.prompts.set(job.id, job.request.prompt.toLowerCase());
          found.push(toJobView(job));
        }
      }
      if (page.length < PAGE) break;
    }
    return found;
  }

  /** Reads the prompts of the ids not cached yet, in one batch. */
  private async learnPrompts(ids: readonly string[]): Promise<void> {
    const unknown = ids.filter((id) => this.prompts.get(id) === undefined);
    if (unknown.length === 0) return;
    for (const job of await this.ledger.getMany(unknown))
      this.prompts.set(job.id, job.request.prompt.toLowerCase());
  }
}
