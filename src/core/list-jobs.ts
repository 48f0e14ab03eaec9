/**
 * `/sora list [--all] [--page N]`: the requester's own jobs in this workspace, or (`--all`) the
 * channel's, newest first, a page at a time. Never another workspace's.
 */
import type { ListIntent } from './intents.js';
import type { JobLedger } from './job-ledger.js';
import { type Action, type ListMessage, toJobView } from './messages.js';
import { canSee } from './policy.js';
import type { Requester } from './requester.js';

const LIST_PAGE_SIZE = 5;

export async function listJobs(
  ledger: JobLedger,
  requester: Requester,
  channel: string,
  intent: ListIntent,
): Promise<ListMessage> {
  // One page read from the index (newest first) and its kept size, so a page costs about the same
  // with 100 or 100,000 jobs (a deep page skips its offset in the index).
  const scope = intent.all ? { channel } : { requester };
  const total = await ledger.count(scope);
  const pageCount = Math.max(1, Math.ceil(total / LIST_PAGE_SIZE));
  const page = Math.min(intent.page, pageCount);
  const { jobs: candidates } = await ledger.page(scope, (page - 1) * LIST_PAGE_SIZE, LIST_PAGE_SIZE);
  // The indexes are scoped already (a channel or a person, within one workspace); this is the check.
  const jobs = candidates.filter((j) => canSee(requester, j));
  const actions: Action[] = [];
  if (page > 1) actions.push({ kind: 'list_page', page: page - 1, all: intent.all, label: 'Previous' });
  if (page < pageCount) actions.push({ kind: 'list_page', page: page + 1, all: intent.all, label: 'Next' });
  return {
    kind: 'list',
    scope: intent.all ? 'channel' : 'mine',
    jobs: jobs.map(toJobView),
    page,
    pageCount,
    total,
    actions,
  };
}
