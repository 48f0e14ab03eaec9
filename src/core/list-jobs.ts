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
  const candidates = intent.all ? await ledger.byChannel(channel) : await ledger.byRequester(requester);
  const jobs = candidates.filter((j) => canSee(requester, j)).sort((a, b) => b.createdAt - a.createdAt);
  const pageCount = Math.max(1, Math.ceil(jobs.length / LIST_PAGE_SIZE));
  const page = Math.min(intent.page, pageCount);
  const actions: Action[] = [];
  if (page > 1) actions.push({ kind: 'list_page', page: page - 1, all: intent.all, label: 'Previous' });
  if (page < pageCount) actions.push({ kind: 'list_page', page: page + 1, all: intent.all, label: 'Next' });
  return {
    kind: 'list',
    scope: intent.all ? 'channel' : 'mine',
    jobs: jobs.slice((page - 1) * LIST_PAGE_SIZE, page * LIST_PAGE_SIZE).map(toJobView),
    page,
    pageCount,
    total: jobs.length,
    actions,
  };
}
