/**
 * A person's recent videos matching what they typed, for pickers that suggest a video id while it is
 * typed (Discord's autocomplete, which must answer within 3 s). Only the requester's own jobs in their
 * workspace (the per-person index, never a channel's or another workspace's), newest first.
 *
 * The index is read a page at a time and records in batches (one store round trip per page), and the
 * scan stops as soon as enough match, so an empty filter costs one page whatever the history; a filter
 * that matches nothing reads at most `scanLimit` records.
 */
import type { JobState } from './job.js';
import type { JobLedger } from './job-ledger.js';
import { type JobView, toJobView } from './messages.js';
import { canSee } from './policy.js';
import type { Requester } from './requester.js';

/** Records read per store round trip. */
const PAGE = 100;

export interface RecentJobsQuery {
  /** What was typed so far: matched against the id and the prompt, ignoring case; '' matches all. */
  text: string;
  /** At most this many (Discord shows 25). */
  limit: number;
  /** Only jobs in these states (e.g. delivered ones for a remix); all when absent. */
  states?: readonly JobState[] | undefined;
  /** Stop after reading this many records (bounds the time of a filter that matches nothing). */
  scanLimit?: number | undefined;
}

export async function recentJobs(
  ledger: JobLedger,
  requester: Requester,
  query: RecentJobsQuery,
): Promise<JobView[]> {
  const needle = query.text.trim().toLowerCase();
  const scanLimit = query.scanLimit ?? 1_000;
  const found: JobView[] = [];
  for (let offset = 0; offset < scanLimit && found.length < query.limit; offset += PAGE) {
    const { jobs, total } = await ledger.page({ requester }, offset, Math.min(PAGE, scanLimit - offset));
    for (const job of jobs) {
      if (found.length >= query.limit) break;
      // The index is the person's own already; this is the check.
      if (!canSee(requester, job) || job.requester.user !== requester.user) continue;
      if (query.states && !query.states.includes(job.state)) continue;
      if (needle && !job.id.includes(needle) && !job.request.prompt.toLowerCase().includes(needle)) continue;
      found.push(toJobView(job));
    }
    if (offset + PAGE >= total) break;
  }
  return found;
}
