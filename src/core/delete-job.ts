/**
 * `/sora delete ID`: for the requester or an admin. `deleted` is written first, so the loops skip the
 * job even if the provider call is slow or fails; then the provider's copy, our files and the
 * delivered message go.
 */
import { rm } from 'node:fs/promises';
import { isSoraError } from '../sora/errors.js';
import type { CoreContext } from './core-context.js';
import { isTerminal, type Job } from './job.js';
import type { NoticeMessage } from './messages.js';
import { canDelete } from './policy.js';
import { notice } from './replies.js';
import type { Requester } from './requester.js';
import { removeJobFiles } from './retention-sweeper.js';

export async function deleteJob(
  ctx: CoreContext,
  requester: Requester,
  job: Job,
  /** Updates the status message once the job is marked deleted. */
  reportDeleted: (job: Job) => Promise<void>,
): Promise<NoticeMessage> {
  const { ledger, clock, provider, logger } = ctx;
  if (!canDelete(requester, job))
    return notice(`Only the person who made \`${job.id}\` or an admin can delete it.`, 'warning');
  const wasActive = !isTerminal(job.state);
  const deleted = await ledger.save({ ...job, state: 'deleted' }, clock.now());
  if (job.providerVideoId) {
    try {
      await provider.delete(job.providerVideoId);
    } catch (error) {
      if (!(isSoraError(error) && error.code === 'not_found'))
        logger.warn(
          { jobId: job.id, err: error },
          'provider delete failed; the local copy is deleted anyway',
        );
    }
  }
  await removeJobFiles(job.files);
  if (job.request.imagePath) await rm(job.request.imagePath, { force: true });
  const surface = ctx.surfaces.forConversation(job.conversation);
  if (surface?.markDeleted && job.deliveredRef) {
    const note = notice(
      `Video \`${job.id}\` was deleted by ${requester.displayName ?? requester.user}.`,
      'info',
    );
    try {
      await surface.markDeleted(job.conversation, job.deliveredRef, note);
    } catch (error) {
      logger.warn({ jobId: job.id, err: error }, 'could not mark the delivered message as deleted');
    }
  }
  if (wasActive || job.statusRef) await reportDeleted(deleted);
  logger.info({ jobId: job.id }, 'job deleted');
  return notice(`Deleted \`${job.id}\`.`, 'success');
}
