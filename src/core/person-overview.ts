/**
 * One person at a glance: their newest videos and what their budget leaves, for an app's Home (Slack's
 * App Home tab). A read port: the newest jobs are one page of the per-person index (newest first, so
 * the cost is the page, not the history: 10 or 100,000 jobs read the same `limit` records), the budget
 * is the book's counters. Neutral data; the adapter renders it and escapes every string in it.
 */
import type { BudgetBook, BudgetName } from './budget-book.js';
import type { JobLedger } from './job-ledger.js';
import { type JobView, toJobView } from './messages.js';
import { canSee } from './policy.js';
import type { Requester } from './requester.js';

/** The most jobs one overview reads (a Home has room for a few dozen at most). */
export const OVERVIEW_MAX_JOBS = 50;

export interface OverviewJob {
  job: JobView;
  /** Where the job's messages live (the adapter's conversation string). */
  conversation: string;
  /** The adapter's reference to the status message, and to the message carrying the video. */
  statusRef: string | null;
  deliveredRef: string | null;
}

/** A money limit that applies to the person now (limits that are off are left out). */
export interface BudgetLeft {
  name: Exclude<BudgetName, 'pending'>;
  limit: number;
  used: number;
  /** What is left, never below zero (micro-dollars). */
  left: number;
  resetsAt: number | null;
}

export interface PersonOverview {
  /** Newest first, at most the `limit` asked for. */
  jobs: OverviewJob[];
  /** All the person's listed (not deleted) jobs in this workspace. */
  total: number;
  budgets: BudgetLeft[];
  /** Unfinished jobs, and how many may be at once (null: no cap). */
  pending: { count: number; max: number | null };
  /** When this was read (for "resets in 4 h"). */
  at: number;
}

export async function personOverview(
  ledger: JobLedger,
  book: BudgetBook,
  requester: Requester,
  now: number,
  limit: number,
): Promise<PersonOverview> {
  const size = Math.max(0, Math.min(OVERVIEW_MAX_JOBS, Math.floor(limit)));
  const [page, lines] = await Promise.all([ledger.page({ requester }, 0, size), book.lines(requester, now)]);
  // The index is the person's own within one workspace already; this is the check.
  const jobs = page.jobs
    .filter((j) => canSee(requester, j))
    .map((j) => ({
      job: toJobView(j),
      conversation: j.conversation,
      statusRef: j.statusRef,
      deliveredRef: j.deliveredRef,
    }));
  const budgets: BudgetLeft[] = [];
  let pending: PersonOverview['pending'] = { count: 0, max: null };
  for (const line of lines) {
    if (line.name === 'pending') {
      // The default is "no cap" as MAX_SAFE_INTEGER: nothing a person should read as a limit.
      const max = line.limit !== null && line.limit < Number.MAX_SAFE_INTEGER ? line.limit : null;
      pending = { count: line.used, max };
    } else if (line.limit !== null)
      budgets.push({
        name: line.name,
        limit: line.limit,
        used: line.used,
        left: Math.max(0, line.limit - line.used),
        resetsAt: line.resetsAt,
      });
  }
  return { jobs, total: page.total, budgets, pending, at: now };
}
