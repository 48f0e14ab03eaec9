/**
 * The lists a job is in (`jobs:active`, one per live state, by channel, requester and workspace, the
 * cleanup, approval and stored work lists), derived from its record alone: the ledger commits their
 * changes in the same write as the record, so they never drift from it.
 */
import type { IndexEntry } from '../store/store.js';
import { isTerminal, JOB_STATES, type Job, type JobState } from './job.js';
import { type Requester, requesterKey, workspaceKey } from './requester.js';

/** The states before a terminal one; each has an index of its own (`jobs:state:STATE`). */
export type LiveJobState = Exclude<JobState, 'delivered' | 'failed' | 'deleted'>;

export const INDEX = {
  active: 'jobs:active',
  state: (state: JobState) => `jobs:state:${state}`,
  byChannel: (channel: string) => `jobs:channel:${channel}`,
  byRequester: (r: Requester) => `jobs:requester:${requesterKey(r)}`,
  byWorkspace: (r: Requester) => `jobs:workspace:${workspaceKey(r)}`,
  /** Deleted jobs whose provider copy, files or posted messages may still exist. */
  cleanup: 'jobs:cleanup',
  /** Jobs with files under DATA_DIR (the retention sweeper's work list). */
  stored: 'jobs:stored',
  /** Records that failed validation, moved aside so the loops go on. */
  quarantine: 'jobs:quarantine',
  /** Waiting for an admin's approval (expired after a day). */
  approval: 'jobs:approval',
} as const;

export const LIVE_STATES = JOB_STATES.filter((s) => !isTerminal(s)) as LiveJobState[];

export type ListScope = { requester: Requester } | { channel: string } | { workspaceOf: Requester };

export function scopeIndex(scope: ListScope): string {
  if ('requester' in scope) return INDEX.byRequester(scope.requester);
  if ('channel' in scope) return INDEX.byChannel(scope.channel);
  return INDEX.byWorkspace(scope.workspaceOf);
}

/** The index changes from `before` to `after`: a progress write changes none, a new state two. */
export function indexDifference(
  before: Job,
  after: Job,
): { indexAdd: IndexEntry[]; indexRemove: Omit<IndexEntry, 'score'>[] } {
  const was = new Map(indexChanges(before).indexAdd.map((e) => [e.index, e.score]));
  const now = indexChanges(after).indexAdd;
  const stays = new Set(now.map((e) => e.index));
  return {
    indexAdd: now.filter((e) => was.get(e.index) !== e.score),
    indexRemove: [...was.keys()]
      .filter((index) => !stays.has(index))
      .map((index) => ({ index, member: after.id })),
  };
}

/** Every index a job belongs in, derived from the record alone (added or removed in the same write). */
export function indexChanges(job: Job): { indexAdd: IndexEntry[]; indexRemove: Omit<IndexEntry, 'score'>[] } {
  const score = job.createdAt;
  const add: IndexEntry[] = [];
  const remove: Omit<IndexEntry, 'score'>[] = [];
  const put = (index: string, member: boolean) =>
    member ? add.push({ index, member: job.id, score }) : remove.push({ index, member: job.id });
  const live = !isTerminal(job.state);
  put(INDEX.active, live);
  for (const state of LIVE_STATES) put(INDEX.state(state), live && job.state === state);
  const listed = job.state !== 'deleted';
  put(INDEX.byChannel(job.channel), listed);
  put(INDEX.byRequester(job.requester), listed);
  put(INDEX.byWorkspace(job.requester), listed);
  put(INDEX.cleanup, job.state === 'deleted' && job.cleanupDoneAt === null);
  put(INDEX.approval, live && job.approval?.state === 'pending');
  put(INDEX.stored, Boolean(job.files.video || job.files.thumbnail) && job.filesRemovedAt === null);
  return { indexAdd: add, indexRemove: remove };
}
