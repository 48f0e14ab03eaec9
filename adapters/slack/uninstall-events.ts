/**
 * A workspace that removes the app (`app_uninstalled`) or revokes its bot token (`tokens_revoked`)
 * can no longer be posted to: its installation (OAuth mode) is deleted, so no call carries the dead
 * token, and its unfinished jobs are cancelled through the core's `control` intent, as an admin of
 * that workspace would with the Cancel button. The core's cancel makes a queued job never sent and
 * refunds its reservation; a render already at Sora is deleted there. Other workspaces are not
 * touched: jobs are matched on the requester's workspace. Bolt delivers both events without
 * authorizing them (there is no token left to find), and each is safe to handle twice.
 */
import type { App } from '@slack/bolt';
import type { Logger } from '../../src/core/logger.js';
import type { SoraCore } from '../../src/core/sora-core.js';
import { SLACK_PLATFORM, slackRequester } from './conversation.js';
import type { SlackInstallations } from './installation-store.js';

export interface UninstallDeps {
  core: SoraCore;
  logger: Logger;
  /** OAuth mode only: the stored installs. */
  installations?: SlackInstallations | undefined;
}

/** Who the cancelled jobs' status says cancelled them (the core records `deletedBy`). */
export const UNINSTALL_ACTOR = 'Slack (the app was removed from this workspace)';

export function registerUninstallEvents(app: App, deps: UninstallDeps): void {
  app.event('app_uninstalled', async ({ body }) => {
    await workspaceGone(deps, body.team_id, 'app_uninstalled');
  });
  app.event('tokens_revoked', async ({ body, event }) => {
    // Only the bot token matters: the bot asks for no user tokens.
    if ((event.tokens.bot ?? []).length === 0) return;
    await workspaceGone(deps, body.team_id, 'tokens_revoked');
  });
}

/** Deletes the workspace's install and cancels its unfinished jobs; returns how many were cancelled. */
export async function workspaceGone(deps: UninstallDeps, team: string, why: string): Promise<number> {
  const { core, logger } = deps;
  await deps.installations?.remove(team);
  const jobs = (await core.activeJobs()).filter(
    (job) => job.requester.platform === SLACK_PLATFORM && job.requester.workspace === team,
  );
  let cancelled = 0;
  for (const job of jobs) {
    try {
      await core.run({
        requester: {
          ...slackRequester({ team, user: 'USLACKBOT', isAdmin: true }),
          displayName: UNINSTALL_ACTOR,
        },
        channel: job.channel,
        conversation: job.conversation,
        intent: { kind: 'control', action: 'cancel', jobId: job.id },
      });
      // The status edit that follows fails quietly (no token any more); the ledger says what happened.
      if ((await core.jobRecord(job.id))?.cancelledAt != null) cancelled++;
    } catch (error) {
      logger.warn({ jobId: job.id, err: error }, 'could not cancel a job of a removed workspace');
    }
  }
  logger.info({ team, why, cancelled, unfinished: jobs.length }, 'slack workspace removed the app');
  return cancelled;
}
