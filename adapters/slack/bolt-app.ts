/**
 * Builds the Bolt app. Socket Mode (SLACK_APP_TOKEN) needs no public URL; HTTP mode
 * (SLACK_SIGNING_SECRET without an app token) verifies each request's signature and its 5-minute
 * timestamp window, and is mounted on the bot's own HTTP server at POST /slack/events.
 * Notes from proving Bolt 5 against the fake (test/fakes/slack):
 * - the Socket Mode receiver is built by hand: `new App({socketMode:true})` cannot set its ping
 *   timeout, and the receiver needs `slackApiUrl` in installerOptions.clientOptions or
 *   apps.connections.open goes to slack.com whatever App's own clientOptions say;
 * - an explicit `retryConfig` everywhere: the default retries for about thirty minutes and leaks
 *   into the per-event listener clients.
 */
import {
  App,
  type Authorize,
  type Logger as BoltLogger,
  HTTPReceiver,
  LogLevel,
  SocketModeReceiver,
  type webApi,
} from '@slack/bolt';
import type { Logger } from '../../src/core/logger.js';

export interface BoltAppOptions {
  /** One workspace's bot token, or Bolt's authorize for OAuth installs (workspace-auth.ts). */
  auth: { token: string } | { authorize: Authorize<boolean> };
  appToken?: string | undefined;
  signingSecret?: string | undefined;
  slackApiUrl?: string | undefined;
  retryConfig: webApi.RetryOptions;
  /** Socket Mode: how long to wait for a pong before reconnecting (ms). */
  clientPingTimeoutMs?: number | undefined;
  logger: Logger;
}

export type BoltApp =
  | { mode: 'socket'; app: App; receiver: SocketModeReceiver }
  | { mode: 'http'; app: App; receiver: HTTPReceiver };

export const SLACK_EVENTS_PATH = '/slack/events';

export function createBoltApp(options: BoltAppOptions): BoltApp {
  const logger = boltLogger(options.logger);
  const clientOptions = {
    ...(options.slackApiUrl ? { slackApiUrl: withSlash(options.slackApiUrl) } : {}),
    retryConfig: options.retryConfig,
    logger,
    logLevel: LogLevel.WARN,
  };
  if (options.appToken) {
    const receiver = new SocketModeReceiver({
      appToken: options.appToken,
      logger,
      logLevel: LogLevel.WARN,
      ...(options.clientPingTimeoutMs ? { clientPingTimeout: options.clientPingTimeoutMs } : {}),
      installerOptions: { clientOptions },
    });
    const app = new App({
      ...options.auth,
      receiver,
      clientOptions,
      logger,
      logLevel: LogLevel.WARN,
    });
    ackWhatNoListenerTook(app);
    return { mode: 'socket', app, receiver };
  }
  if (!options.signingSecret)
    throw new Error('Slack needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET');
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    logger,
    logLevel: LogLevel.WARN,
  });
  const app = new App({ ...options.auth, receiver, clientOptions, logger, logLevel: LogLevel.WARN });
  ackWhatNoListenerTook(app);
  return { mode: 'http', app, receiver };
}

/**
 * An interaction no listener takes (a forged or stale button, an empty actions list, a view the bot
 * never opened, a payload Bolt cannot read) is acked after the listeners ran, so Slack neither retries it nor shows the person an
 * error. Bolt refuses a second ack of the same envelope, which is what happens when a listener took it.
 */
function ackWhatNoListenerTook(app: App): void {
  // A payload Bolt cannot even read (a field of the wrong type) throws before any middleware runs:
  // ack it anyway, then let the error be logged as before.
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event) => {
    try {
      await processEvent(event);
    } catch (error) {
      await Promise.resolve()
        .then(() => event.ack())
        .catch(() => undefined);
      throw error;
    }
  };
  app.use(async (args) => {
    const ack = (args as { ack?: () => Promise<void> }).ack;
    try {
      await args.next();
    } finally {
      if (ack)
        await Promise.resolve()
          .then(ack)
          .catch(() => undefined);
    }
  });
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Bolt's logger interface over ours; info and debug are dropped (socket-mode is chatty, and debug shows bodies). */
function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.WARN;
  const line = (msgs: unknown[]) =>
    msgs
      .map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m)))
      .join(' ');
  return {
    debug: () => {},
    info: () => {},
    warn: (...msgs: unknown[]) => logger.warn({ source: 'bolt' }, line(msgs)),
    error: (...msgs: unknown[]) => logger.error({ source: 'bolt' }, line(msgs)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
