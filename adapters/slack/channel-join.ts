/**
 * chat:write.public lets the bot post its parent message in a public channel it has not joined, but
 * edits and file shares there need membership. These join the channel when Slack says the bot is not
 * in it (public ones only; a private channel needs an invite).
 */
import type { Logger } from '../../src/core/logger.js';
import { SurfaceError } from '../../src/core/surface.js';
import type { SlackApi } from './slack-api.js';

export interface ChannelJoinDeps {
  slack: SlackApi;
  logger: Logger;
}

/** Runs `call`; when the bot is not in the channel, joins it (public only) and retries once. */
export async function joiningIfNeeded(
  deps: ChannelJoinDeps,
  channel: string,
  call: () => Promise<unknown>,
): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!(error instanceof SurfaceError && error.code === 'not_in_channel')) throw error;
    if (!(await joinPublicChannel(deps, channel))) throw error;
    await call();
  }
}

/** Joins a public channel; false when Slack refuses (a private channel, or no scope). */
export async function joinPublicChannel(deps: ChannelJoinDeps, channel: string): Promise<boolean> {
  try {
    await deps.slack.call('conversations.join', { channel });
    deps.logger.info({ channel }, 'joined the public channel to post the video there');
    return true;
  } catch (error) {
    deps.logger.debug({ channel, err: error }, 'could not join the channel');
    return false;
  }
}
