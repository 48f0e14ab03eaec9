/**
 * How the Slack surface reads Slack's answers while removing a deleted video's parts: already gone
 * counts as removed, and some refusals will not change on a retry. Kept apart so delete and the
 * delivery lookup (files.info on a file deleted meanwhile) agree on what "gone" means.
 */
import type { Logger } from '../../src/core/logger.js';
import { SurfaceError } from '../../src/core/surface.js';
import { slackErrorCode } from './slack-api.js';

/** Answers that mean the thing to remove is already gone. */
const ALREADY_GONE = new Set(['file_not_found', 'file_deleted', 'message_not_found']);
/** Answers that will not change on a retry: the bot may not remove that (someone else's, too old). */
const NOT_OURS_TO_REMOVE = new Set([
  'cant_update_message',
  'cant_delete_message',
  'cant_delete_file',
  'edit_window_closed',
  'access_denied',
]);

/** Slack answered that the file or message is not there (any more). */
export function isAlreadyGone(error: unknown): boolean {
  const code = slackErrorCode(error);
  return Boolean(code && ALREADY_GONE.has(code));
}

/**
 * One removal step of a delete: already gone counts as done; what a retry cannot change is logged;
 * anything else is thrown so the core's cleanup tries again.
 */
export async function removing(logger: Logger, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    const code = slackErrorCode(error);
    if (code && ALREADY_GONE.has(code)) return;
    const permanent =
      (code && NOT_OURS_TO_REMOVE.has(code)) || !(error instanceof SurfaceError && error.retryable);
    if (!permanent) throw error;
    logger.warn({ err: error }, 'could not remove part of a deleted video from Slack');
  }
}
