/**
 * The Slack adapter: /sora, the video modal, the "Animate with Sora" shortcut, @mentions with an
 * image, remix and delete by reaction and by button, and videos streamed into the job's thread.
 * Money: the cost is shown before anything is spent (status message, modal), admins approve or deny
 * expensive videos with buttons on the status message, and `/sora usage` answers privately with a
 * chart in the asker's DM with the bot.
 * Starts whenever SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID (OAuth installs into many,
 * workspace-auth.ts) is set (src/app.ts); Socket Mode with SLACK_APP_TOKEN, HTTP mode
 * with SLACK_SIGNING_SECRET. The README (Run it in Slack) walks through creating the app from manifest.yml.
 */
import type { webApi } from '@slack/bolt';
import type { AdapterContext, AdapterStarter, RunningAdapter } from '../../src/adapter-plugin.js';
import { DEFAULTS } from '../../src/defaults.js';
import { createBoltApp, SLACK_EVENTS_PATH } from './bolt-app.js';
import { registerButtons } from './buttons.js';
import { SLACK_PLATFORM } from './conversation.js';
import { registerDirectMessages } from './direct-messages.js';
import { type DownloadLimits, SlackFileDownloader } from './file-download.js';
import { FileHostPolicy } from './file-hosts.js';
import { AdminLookup, type SlackHandlerDeps, valuesDedupe } from './handler-context.js';
import { HomeLinks } from './home-links.js';
import { HomeRefreshingSurface } from './home-refresh.js';
import { HomePublisher, registerHomeTab } from './home-tab.js';
import { registerModalEstimate } from './modal-actions.js';
import { registerReactions } from './reactions.js';
import { registerMention, registerShortcut } from './shortcut-and-mention.js';
import { SlackApi } from './slack-api.js';
import { SlackSurface } from './slack-surface.js';
import { registerSlashCommand } from './slash-command.js';
import { guardSocketReconnects, type ReconnectGuard } from './socket-reconnect.js';
import { DEFAULT_STATUS_EDIT_BUDGET, StatusEditBudget } from './status-edit-budget.js';
import { registerUninstallEvents } from './uninstall-events.js';
import { registerViewSubmissions } from './view-submissions.js';
import { slackAuth } from './workspace-auth.js';

export { decodeConversation, encodeConversation } from './conversation.js';
export { SlackSurface } from './slack-surface.js';

export interface SlackAdapterOptions {
  /** Retries of network failures for every Web API client (tests: `{ retries: 0 }`). */
  retryConfig?: webApi.RetryOptions;
  /** Socket Mode ping timeout (ms); lower in tests so a dropped socket reconnects fast. */
  clientPingTimeoutMs?: number;
  /** chat.update budget per workspace. */
  statusEdits?: { perMinute: number; burst: number };
  /** How many 429s in a row one call waits out. */
  maxRateLimitWaits?: number;
  /** How long findDelivery gives a completed upload's share to show in files.info (tests: less). */
  shareSettleMs?: number;
  /** Timeouts and the byte cap of people's file downloads (tests: a short idle timeout). */
  downloads?: Partial<DownloadLimits>;
}

export interface RunningSlackAdapter extends RunningAdapter {
  readonly mode: 'socket' | 'http';
  readonly surface: SlackSurface;
  readonly slack: SlackApi;
}

const DEFAULT_RETRY: webApi.RetryOptions = { retries: 3, factor: 2, minTimeout: 1_000, maxTimeout: 10_000 };

export const startSlack: AdapterStarter = (ctx) => startSlackAdapter(ctx);

export async function startSlackAdapter(
  ctx: AdapterContext,
  options: SlackAdapterOptions = {},
): Promise<RunningSlackAdapter> {
  const { config, core, http } = ctx;
  const logger = ctx.logger.child({ adapter: SLACK_PLATFORM });
  const retryConfig = options.retryConfig ?? DEFAULT_RETRY;
  // One workspace's token, or OAuth installs into many (workspace-auth.ts).
  const auth = slackAuth({
    config,
    values: ctx.values(SLACK_PLATFORM),
    retryConfig,
    logger,
    now: () => ctx.clock.now(),
  });
  const botToken = auth.botToken;
  const slack = new SlackApi({
    botToken,
    slackApiUrl: config.SLACK_API_URL,
    retryConfig,
    logger,
    ...(options.maxRateLimitWaits !== undefined ? { maxRateLimitWaits: options.maxRateLimitWaits } : {}),
  });
  const budget = new StatusEditBudget({
    ...(options.statusEdits ?? DEFAULT_STATUS_EDIT_BUDGET),
    logger,
    onDeferred: () => ctx.metrics?.statusEditDeferred(SLACK_PLATFORM),
  });
  ctx.metrics?.watchStatusEdits(SLACK_PLATFORM, () => budget.waiting);
  const surface = new SlackSurface({
    slack,
    budget,
    logger,
    ...(options.shareSettleMs !== undefined ? { shareSettleMs: options.shareSettleMs } : {}),
    ...(ctx.dispatcher ? { dispatcher: ctx.dispatcher } : {}),
  });
  const bolt = createBoltApp({
    auth: auth.bolt,
    appToken: config.SLACK_APP_TOKEN,
    signingSecret: config.SLACK_SIGNING_SECRET,
    slackApiUrl: config.SLACK_API_URL,
    retryConfig,
    clientPingTimeoutMs: options.clientPingTimeoutMs,
    logger,
  });
  const files = new SlackFileDownloader({
    botToken,
    policy: new FileHostPolicy({ slackApiUrl: config.SLACK_API_URL }),
    limits: options.downloads,
    logger,
  });
  const deps: SlackHandlerDeps = {
    core,
    slack,
    logger,
    remixEmoji: config.SLACK_REMIX_EMOJI.replace(/:/g, ''),
    deleteEmoji: DEFAULTS.slackDeleteEmoji,
    firstDelivery: valuesDedupe(ctx.values(SLACK_PLATFORM)),
    admins: new AdminLookup(slack),
    files,
  };
  // The core sees the surface through the Home's refresher: a job's phase change republishes its
  // requester's App Home (home-refresh.ts).
  const home = new HomePublisher(deps, new HomeLinks(slack, logger));
  core.registerSurface(auth.surface(new HomeRefreshingSurface(surface, home, logger)));
  const { app } = bolt;
  app.error(async (error) => {
    logger.error(
      { err: { code: (error as { code?: unknown }).code, message: error.message } },
      'slack listener failed',
    );
  });
  registerSlashCommand(app, deps);
  registerViewSubmissions(app, deps);
  registerButtons(app, deps);
  registerModalEstimate(app, deps);
  registerShortcut(app, deps);
  registerMention(app, deps);
  registerReactions(app, deps);
  registerHomeTab(app, deps, home);
  registerDirectMessages(app, deps);
  registerUninstallEvents(app, { core, logger, installations: auth.installations });
  auth.attach(app, http);

  let summary: string;
  let reconnects: ReconnectGuard | undefined;
  if (bolt.mode === 'socket') {
    await app.start();
    // Socket Mode's own default ping timeout is 5 s: the first retry after an outage waits that long.
    reconnects = guardSocketReconnects(bolt.receiver, logger, options.clientPingTimeoutMs ?? 5_000);
    summary = `connected over Socket Mode${auth.summary}`;
  } else {
    const { receiver } = bolt;
    http.route('POST', SLACK_EVENTS_PATH, (req, res) => receiver.requestListener(req, res));
    summary = `HTTP mode: point the app's Request URLs at https://YOUR-HOST${SLACK_EVENTS_PATH}${auth.summary}`;
  }
  logger.info({ mode: bolt.mode }, 'slack adapter started');
  return {
    name: SLACK_PLATFORM,
    mode: bolt.mode,
    surface,
    slack,
    get summary() {
      return summary;
    },
    async close() {
      budget.close();
      reconnects?.stop();
      if (bolt.mode === 'socket') await app.stop();
      await files.close();
    },
  };
}
