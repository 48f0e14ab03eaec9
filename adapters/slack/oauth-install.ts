/**
 * OAuth installs into many workspaces (SLACK_CLIENT_ID): @slack/oauth's InstallProvider, with the
 * installation store and the single-use state on the bot's own store, serves two routes on the bot's
 * shared HTTP server, in Socket Mode and in HTTP mode alike:
 * - `GET /slack/install` sets the state cookie and sends the browser straight to Slack's authorize
 *   page (`directInstall`), asking for exactly the scopes in app-requirements.ts;
 * - `GET /slack/oauth_redirect` checks the state (this browser's cookie, then the single-use claim),
 *   exchanges the code with `oauth.v2.access`, stores the installation (tokens encrypted) and answers
 *   with a short page in plain words, also when it refuses.
 * The same InstallProvider authorizes every incoming request (Bolt's `authorize`: the installation of
 * the request's team).
 * Why the InstallProvider itself rather than Bolt's receiver options: Bolt 5 does not re-export the
 * class, and its SocketModeReceiver would serve these routes on a second HTTP server of its own
 * (installerOptions.port), beside the bot's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Installation, InstallURLOptions, Logger as SlackLogger } from '@slack/bolt';
import { LogLevel, type webApi } from '@slack/bolt';
import { InstallProvider } from '@slack/oauth';
import type { Logger } from '../../src/core/logger.js';
import type { HttpServer } from '../../src/http/http-server.js';
import type { KeyValues } from '../../src/store/key-values.js';
import { SLACK_APP_REQUIREMENTS } from './app-requirements.js';
import type { SlackInstallations } from './installation-store.js';
import { OAuthStateStore } from './oauth-state-store.js';

export const SLACK_INSTALL_PATH = '/slack/install';
export const SLACK_OAUTH_REDIRECT_PATH = '/slack/oauth_redirect';

export interface OAuthInstallOptions {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  installations: SlackInstallations;
  /** The adapter's records: the issued states live here. */
  values: KeyValues;
  /** SLACK_API_URL: oauth.v2.access goes there, and the authorize page is on the same origin. */
  slackApiUrl?: string | undefined;
  /** PUBLIC_URL: sent as the redirect_uri (one of the app's Redirect URLs) when set. */
  publicUrl?: string | undefined;
  retryConfig: webApi.RetryOptions;
  logger: Logger;
}

export interface SlackOAuth {
  /** Bolt's authorize: the bot token of the request's workspace, from its installation. */
  authorize: InstallProvider['authorize'];
  mount(http: HttpServer): void;
}

export function createOAuthInstall(options: OAuthInstallOptions): SlackOAuth {
  const { logger } = options;
  const installUrlOptions: InstallURLOptions = {
    scopes: [...SLACK_APP_REQUIREMENTS.scopes],
    ...(options.publicUrl ? { redirectUri: `${options.publicUrl}${SLACK_OAUTH_REDIRECT_PATH}` } : {}),
  };
  const installer = new InstallProvider({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    installationStore: options.installations,
    stateStore: new OAuthStateStore(options.values, options.stateSecret),
    directInstall: true,
    installUrlOptions,
    ...(options.slackApiUrl ? { authorizationUrl: authorizeUrlBeside(options.slackApiUrl) } : {}),
    logger: quietLogger(logger),
    clientOptions: {
      ...(options.slackApiUrl ? { slackApiUrl: withSlash(options.slackApiUrl) } : {}),
      retryConfig: options.retryConfig,
    },
  });
  const callbackOptions = {
    success: (installation: Installation, _o: unknown, _req: IncomingMessage, res: ServerResponse) => {
      logger.info({ team: installation.team?.id }, 'slack workspace installed the app');
      page(res, 200, 'Sora is installed', [
        `Sora is now installed in ${installation.team?.name ?? 'your workspace'}.`,
        'Type /sora and a prompt in any channel to make a video.',
      ]);
    },
    failure: (
      error: { code?: string; reason?: unknown },
      _o: unknown,
      _req: IncomingMessage,
      res: ServerResponse,
    ) => {
      logger.warn({ code: error.code, reason: error.reason }, 'slack install refused');
      const { status, title, lines } = failurePage(error);
      page(res, status, title, lines);
    },
  };
  return {
    authorize: (source) => installer.authorize(source),
    mount(http) {
      http.route('GET', SLACK_INSTALL_PATH, (req, res) => installer.handleInstallPath(req, res));
      http.route('GET', SLACK_OAUTH_REDIRECT_PATH, (req, res) =>
        installer.handleCallback(req, res, callbackOptions as never),
      );
    },
  };
}

/** What the person reads when an install is refused, by the error's stable code. */
export function failurePage(error: { code?: string; reason?: unknown }): {
  status: number;
  title: string;
  lines: string[];
} {
  const again = `Start again from ${SLACK_INSTALL_PATH} on this site.`;
  switch (error.code) {
    case 'slack_oauth_invalid_state':
      return {
        status: 400,
        title: 'Install link not valid',
        lines: [
          error.reason === 'replayed'
            ? 'This install link was already used, so it cannot install the app again.'
            : 'This install link is not valid: it has expired, or it was not started in this browser.',
          'Nothing was installed.',
          again,
        ],
      };
    case 'slack_oauth_missing_state':
    case 'slack_oauth_missing_code':
      return {
        status: 400,
        title: 'Install link incomplete',
        lines: ['This install link is incomplete.', again],
      };
    case 'slack_oauth_authorization_error':
      return {
        status: 400,
        title: 'Install cancelled',
        lines: ['The install was cancelled in Slack.', again],
      };
    case 'enterprise_install_unsupported':
      return {
        status: 400,
        title: 'Install into each workspace',
        lines: ['Org-wide installs are not supported: install Sora into each workspace instead.', again],
      };
    default:
      return {
        status: 500,
        title: 'Install failed',
        lines: [`Slack did not finish the install (${error.code ?? 'unknown error'}).`, again],
      };
  }
}

function page(res: ServerResponse, status: number, title: string, lines: string[]): void {
  const body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'",
  });
  res.end(body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Slack's authorize page lives beside its Web API: https://slack.com/api/ -> https://slack.com/oauth/v2/authorize. */
function authorizeUrlBeside(slackApiUrl: string): string {
  return new URL('/oauth/v2/authorize', slackApiUrl).toString();
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** @slack/oauth's logger over ours, warn and error only (its debug lines name URLs and options). */
function quietLogger(logger: Logger): SlackLogger {
  const line = (msgs: unknown[]) => msgs.map((m) => (m instanceof Error ? m.message : String(m))).join(' ');
  return {
    debug: () => {},
    info: () => {},
    warn: (...msgs: unknown[]) => logger.warn({ source: 'slack-oauth' }, line(msgs)),
    error: (...msgs: unknown[]) => logger.error({ source: 'slack-oauth' }, line(msgs)),
    setLevel: () => {},
    getLevel: () => LogLevel.WARN,
    setName: () => {},
  };
}
