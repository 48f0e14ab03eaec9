/**
 * Which workspace a Slack call is for, in OAuth mode (many workspaces, a bot token each). Every Web
 * API call of the adapter goes through one SlackApi; rather than thread a team id through every
 * listener and helper, the two entry points say it once: Bolt's middleware for each incoming request
 * (the team Bolt authorized, with the token it found) and the surface for each core call (the team in
 * the conversation). SlackApi and the file downloader then ask `botToken()` for that workspace's token.
 * A call outside any workspace fails loudly (`platform_error`), never with another workspace's token.
 * With SLACK_BOT_TOKEN (one workspace) none of this is used.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { SurfaceError } from '../../src/core/surface.js';
import type { SlackInstallations } from './installation-store.js';

export interface WorkspaceCall {
  team: string;
  /** The token Bolt's authorize found for this request; looked up in the installations otherwise. */
  botToken?: string | undefined;
}

export class WorkspaceScope {
  private readonly storage = new AsyncLocalStorage<WorkspaceCall>();

  /** Runs `work` (and everything it starts) as calls for `call.team`. */
  run<T>(call: WorkspaceCall, work: () => T): T {
    return this.storage.run(call, work);
  }

  current(): WorkspaceCall | undefined {
    return this.storage.getStore();
  }
}

/** The bot token of the workspace the current call is for (OAuth mode). */
export function scopedBotToken(
  scope: WorkspaceScope,
  installations: SlackInstallations,
): () => Promise<string> {
  return async () => {
    const call = scope.current();
    if (call?.botToken) return call.botToken;
    if (!call) throw new SurfaceError('platform_error', 'A Slack call was made for no workspace.', false);
    const installed = await installations.workspace(call.team);
    if (!installed)
      throw new SurfaceError(
        'platform_error',
        `The app is no longer installed in this Slack workspace (${call.team}).`,
        false,
      );
    return installed.botToken;
  };
}
