/**
 * Who may do what. Seeing (status, remix) needs the same workspace; deleting needs the requester or
 * an admin. Lists never cross workspaces, although one provider key serves them all.
 */
import type { Job } from './job.js';
import type { JobLedger } from './job-ledger.js';
import { type Requester, sameWorkspace } from './requester.js';

/**
 * SORA_ADMINS entries are `platform:user` or `platform:workspace:user`, never a bare id: a bare id
 * would match on every platform (a playground name equal to a Discord admin's id would be an admin).
 * The config schema refuses bare ids at start.
 */
export function isConfiguredAdmin(admins: readonly string[], r: Requester): boolean {
  return admins.some(
    (entry) => entry === `${r.platform}:${r.user}` || entry === `${r.platform}:${r.workspace}:${r.user}`,
  );
}

export function canSee(r: Requester, job: Job): boolean {
  return sameWorkspace(r, job.requester) && job.state !== 'deleted';
}

export function canDelete(r: Requester, job: Job): boolean {
  return canSee(r, job) && (job.requester.user === r.user || r.isAdmin);
}

/** The job as `r` may see it: same workspace and not deleted, else undefined (no hint it exists). */
export async function findVisibleJob(
  ledger: JobLedger,
  r: Requester,
  jobId: string,
): Promise<Job | undefined> {
  const job = await ledger.get(jobId);
  return job && canSee(r, job) ? job : undefined;
}
