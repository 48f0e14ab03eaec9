/**
 * How the adapter gets its bot token, decided once at start:
 * - **one workspace** (SLACK_BOT_TOKEN, the default): that token for every call, nothing stored;
 * - **OAuth installs** (SLACK_CLIENT_ID): a token per workspace, from the installations kept encrypted
 *   in the store. Bolt authorizes each request with the request's workspace; each request and each
 *   core call runs in that workspace's scope (workspace-scope.ts), from which SlackApi and the file
 *   downloader take the token. `/slack/install` and `/slack/oauth_redirect` go on the bot's HTTP server.
 * Both work in Socket Mode (one app-level token carries the events of every workspace the app is in)
 * and in HTTP mode.
 */
import type { App, Authorize, webApi } from '@slack/bolt';
import type { Config } from '../../src/config.js';
import { decodeTokenKey } from '../../src/config.js';
import type { Logger } from '../../src/core/logger.js';
import type { ChatSurface } from '../../src/core/surface.js';
import type { HttpServer } from '../../src/http/http-server.js';
import type { KeyValues } from '../../src/store/key-values.js';
import { SlackInstallations } from './installation-store.js';
import { createOAuthInstall, SLACK_INSTALL_PATH, type SlackOAuth } from './oauth-install.js';
import { TokenCipher } from './token-cipher.js';
import { scopedBotToken, WorkspaceScope } from './workspace-scope.js';
import { WorkspaceScopedSurface } from './workspace-surface.js';

export interface SlackAuth {
  readonly mode: 'token' | 'oauth';
  /** What SlackApi and the file downloader send: the token, or how to find this call's. */
  readonly botToken: string | (() => Promise<string>);
  /** How Bolt authorizes requests. */
  readonly bolt: { token: string } | { authorize: Authorize<boolean> };
  /** OAuth mode: the stored installs. */
  readonly installations: SlackInstallations | undefined;
  /** The surface as the core should see it. */
  surface(inner: ChatSurface): ChatSurface;
  /** Scopes each request to its workspace and mounts the install routes (OAuth mode). */
  attach(app: App, http: HttpServer): void;
  /** Added to the start line. */
  readonly summary: string;
}

export interface SlackAuthInput {
  config: Config;
  /** The adapter's own records (installations, OAuth states). */
  values: KeyValues;
  retryConfig: webApi.RetryOptions;
  logger: Logger;
  now: () => number;
}

export function slackAuth(input: SlackAuthInput): SlackAuth {
  const { config } = input;
  if (config.SLACK_BOT_TOKEN) {
    const token = config.SLACK_BOT_TOKEN;
    return {
      mode: 'token',
      botToken: token,
      bolt: { token },
      installations: undefined,
      surface: (inner) => inner,
      attach: () => {},
      summary: '',
    };
  }
  const { SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET, SLACK_TOKEN_KEY } = config;
  const key = SLACK_TOKEN_KEY ? decodeTokenKey(SLACK_TOKEN_KEY) : undefined;
  // parseConfig checks these together; this is for a config built some other way.
  if (!SLACK_CLIENT_ID || !SLACK_CLIENT_SECRET || !SLACK_STATE_SECRET || !key)
    throw new Error(
      'Slack needs SLACK_BOT_TOKEN, or SLACK_CLIENT_ID with SLACK_CLIENT_SECRET, SLACK_STATE_SECRET and SLACK_TOKEN_KEY',
    );
  const installations = new SlackInstallations(input.values, new TokenCipher(key), input.now);
  const scope = new WorkspaceScope();
  const oauth: SlackOAuth = createOAuthInstall({
    clientId: SLACK_CLIENT_ID,
    clientSecret: SLACK_CLIENT_SECRET,
    stateSecret: SLACK_STATE_SECRET,
    installations,
    values: input.values,
    slackApiUrl: config.SLACK_API_URL,
    publicUrl: config.PUBLIC_URL,
    retryConfig: input.retryConfig,
    logger: input.logger,
  });
  return {
    mode: 'oauth',
    botToken: scopedBotToken(scope, installations),
    bolt: { authorize: oauth.authorize as Authorize<boolean> },
    installations,
    surface: (inner) => new WorkspaceScopedSurface(inner, scope),
    attach(app, http) {
      app.use(async ({ context, next }) => {
        const team = context.teamId;
        if (!team) return next();
        await scope.run({ team, botToken: context.botToken }, next);
      });
      oauth.mount(http);
    },
    summary: `; OAuth installs at ${config.PUBLIC_URL ?? 'https://YOUR-HOST'}${SLACK_INSTALL_PATH}`,
  };
}
