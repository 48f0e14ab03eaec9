/**
 * Slack's side of an OAuth install, for the fake: several workspaces behind one fake (the default one
 * plus any `addTeam`), the authorize page a person would click through, and `oauth.v2.access`, which
 * exchanges the code for that workspace's bot token. Once issued, the token is accepted by every Web
 * API method and scopes it to its workspace (its channels, users, messages, files and views): the
 * web-api server asks `stateForToken` which workspace a call is for. `revoke` kills a workspace's
 * tokens (an uninstall), after which they answer `invalid_auth`, as Slack's do.
 * https://docs.slack.dev/authentication/installing-with-oauth
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { ConversationStore, type StoredMessage } from './conversation-store.js';
import { type FileRecord, FileStore } from './file-store.js';
import type { UserRecord } from './options.js';
import { PayloadBuilders } from './payload-builders.js';
import type { ResponseUrlStore } from './response-url-store.js';
import { SlackApiFailure } from './slack-api-failure.js';
import { ViewStore } from './view-store.js';
import type { WorkspaceState } from './workspace-state.js';

export const fakeOAuthOptionsSchema = z.object({
  clientId: z.string().min(1).default('1111111111.2222222222'),
  clientSecret: z.string().min(1).default('fake-client-secret-0123456789abcdef'),
  /** The app's Redirect URLs (OAuth & Permissions); a test sets them once the bot listens. */
  redirectUrls: z.array(z.string().url()).default([]),
});
export type FakeOAuthOptions = z.input<typeof fakeOAuthOptionsSchema>;

export interface FakeTeamConfig {
  teamId: string;
  teamName?: string;
  teamDomain?: string;
  botUserId?: string;
  botId?: string;
}

/** One workspace of the fake, as a test sees it. */
export interface FakeTeam {
  teamId: string;
  state: WorkspaceState;
  /** Payloads from this workspace (its team id, its users, its response_urls). */
  payloads: PayloadBuilders;
  messages(channelId: string): StoredMessage[];
}

interface IssuedCode {
  teamId: string;
  user: string;
  scopes: string[];
  redirectUri: string | undefined;
  used: boolean;
}

export interface OAuthExchange {
  code: string;
  ok: boolean;
  error?: string;
  teamId?: string;
}

export class FakeOAuth {
  readonly clientId: string;
  readonly clientSecret: string;
  private redirectUrls: string[];
  private readonly teams = new Map<string, FakeTeam>();
  private readonly codes = new Map<string, IssuedCode>();
  /** Live bot tokens -> workspace. */
  private readonly tokens = new Map<string, string>();
  private readonly exchangeLog: OAuthExchange[] = [];

  constructor(
    private readonly base: WorkspaceState,
    private readonly responseUrls: ResponseUrlStore,
    options: FakeOAuthOptions = {},
  ) {
    const parsed = fakeOAuthOptionsSchema.parse(options);
    this.clientId = parsed.clientId;
    this.clientSecret = parsed.clientSecret;
    this.redirectUrls = parsed.redirectUrls;
    this.teams.set(base.options.teamId, this.teamOf(base));
  }

  /** The app's configured Redirect URLs (Slack refuses any other redirect_uri). */
  setRedirectUrls(urls: string[]): void {
    this.redirectUrls = [...urls];
  }

  /** A workspace (the default one is there from the start). */
  team(teamId: string): FakeTeam {
    const team = this.teams.get(teamId);
    if (!team) throw new Error(`no fake workspace ${teamId}`);
    return team;
  }

  /** Another workspace that may install the app: the default's channels and people, its own ids. */
  addTeam(config: FakeTeamConfig): FakeTeam {
    const { base } = this;
    const n = this.teams.size + 1;
    const options = {
      ...base.options,
      teamId: config.teamId,
      teamName: config.teamName ?? `Workspace ${n}`,
      teamDomain: config.teamDomain ?? `workspace-${n}`,
      botUserId: config.botUserId ?? `U0BOT${String(n).padStart(6, '0')}`,
      botId: config.botId ?? `B0BOT${String(n).padStart(6, '0')}`,
      // Never accepted for this workspace: its token comes from an install.
      botToken: `xoxb-not-installed-${config.teamId}`,
      channels: base.options.channels.map((c) => ({ ...c })),
      users: base.options.users.map((u) => ({ ...u })),
    };
    const identity = {
      teamId: options.teamId,
      botUserId: options.botUserId,
      botId: options.botId,
      appId: options.appId,
    };
    const botUser: UserRecord = {
      id: options.botUserId,
      name: options.botName,
      isAdmin: false,
      isOwner: false,
      isPrimaryOwner: false,
      isBot: true,
      deleted: false,
    };
    const state: WorkspaceState = {
      options,
      ids: base.ids,
      now: base.now,
      conversations: new ConversationStore(base.ids, identity, options.channels, [...options.users, botUser]),
      files: new FileStore(base.ids, base.now, options.teamId),
      views: new ViewStore(base.ids, base.now, identity, options.triggerTtlMs),
      scopes: [],
      uploads: { ...base.uploads },
      get rootUrl() {
        return base.rootUrl;
      },
      issueSocketUrl: () => base.issueSocketUrl(),
      schedule: (delayMs, task) => base.schedule(delayMs, task),
    };
    const team = this.teamOf(state);
    this.teams.set(config.teamId, team);
    return team;
  }

  /** The workspace a bot token belongs to, while it is live. */
  stateForToken(token: string | undefined): WorkspaceState | undefined {
    const teamId = token === undefined ? undefined : this.tokens.get(token);
    return teamId === undefined ? undefined : this.teams.get(teamId)?.state;
  }

  /** The workspace's live bot tokens (tests look for them at rest). */
  tokensOf(teamId: string): string[] {
    return [...this.tokens].filter(([, team]) => team === teamId).map(([token]) => token);
  }

  /** The app removed from the workspace: its tokens stop working at once. */
  revoke(teamId: string): void {
    for (const token of this.tokensOf(teamId)) this.tokens.delete(token);
  }

  /** A file being uploaded in any workspace (upload URLs carry no token, only the file id). */
  uploadedFile(fileId: string): FileRecord | undefined {
    for (const team of this.teams.values()) {
      const file = team.state.files.get(fileId);
      if (file) return file;
    }
    return undefined;
  }

  exchanges(): OAuthExchange[] {
    return [...this.exchangeLog];
  }

  /**
   * `GET /oauth/v2/authorize?client_id&scope&state[&redirect_uri]&team=T…[&user=U…][&deny=1]`: the person
   * signed in to `team` and pressed Allow (or Cancel with `deny`). Answers the redirect Slack's page
   * would send the browser on to: the app's redirect URL with `code` and `state`.
   */
  handleAuthorize(url: URL, response: ServerResponse): void {
    const q = url.searchParams;
    const refuse = (error: string) => {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(error);
    };
    if (q.get('client_id') !== this.clientId) {
      refuse('invalid_client_id');
      return;
    }
    const scopes = (q.get('scope') ?? '').split(',').filter(Boolean);
    if (scopes.length === 0) {
      refuse('invalid_scope');
      return;
    }
    const asked = q.get('redirect_uri') ?? undefined;
    if (asked !== undefined && !this.redirectUrls.includes(asked)) {
      refuse('bad_redirect_uri');
      return;
    }
    const target = asked ?? this.redirectUrls[0];
    if (target === undefined) {
      refuse('no_redirect_url');
      return;
    }
    const teamId = q.get('team') ?? this.base.options.teamId;
    const team = this.teams.get(teamId);
    if (!team) {
      refuse('invalid_team');
      return;
    }
    const back = new URL(target);
    const state = q.get('state');
    if (state !== null) back.searchParams.set('state', state);
    if (q.get('deny') === '1') back.searchParams.set('error', 'access_denied');
    else {
      const code = `${teamId}.${randomBytes(12).toString('hex')}`;
      const user = q.get('user') ?? team.state.options.users.find((u) => !u.isBot)?.id ?? 'U0INSTALLER';
      this.codes.set(code, { teamId, user, scopes, redirectUri: asked, used: false });
      back.searchParams.set('code', code);
    }
    response.writeHead(302, { location: back.toString() });
    response.end();
  }

  /** `oauth.v2.access`: client credentials (form fields or HTTP Basic) and a code, once. */
  exchange(args: Record<string, unknown>, authorization: string | undefined): Record<string, unknown> {
    const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
    const [basicId, basicSecret] = basic
      ? Buffer.from(basic[1] ?? '', 'base64')
          .toString('utf8')
          .split(':')
      : [undefined, undefined];
    const clientId = typeof args.client_id === 'string' ? args.client_id : basicId;
    const clientSecret = typeof args.client_secret === 'string' ? args.client_secret : basicSecret;
    const code = typeof args.code === 'string' ? args.code : '';
    const fail = (error: string): never => {
      this.exchangeLog.push({ code, ok: false, error });
      throw new SlackApiFailure(error);
    };
    if (clientId !== this.clientId) fail('invalid_client_id');
    if (clientSecret !== this.clientSecret) fail('bad_client_secret');
    const issued = this.codes.get(code);
    if (!issued || issued.used) return fail('invalid_code');
    issued.used = true;
    const redirectUri = typeof args.redirect_uri === 'string' ? args.redirect_uri : undefined;
    if (issued.redirectUri !== undefined && redirectUri !== issued.redirectUri) fail('bad_redirect_uri');
    const team = this.team(issued.teamId);
    // Reinstalling keeps the workspace's bot token, as Slack does for granular bot permissions.
    const token =
      this.tokensOf(issued.teamId)[0] ?? `xoxb-${issued.teamId}-${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, issued.teamId);
    team.state.scopes = [...issued.scopes];
    this.exchangeLog.push({ code, ok: true, teamId: issued.teamId });
    const { options } = team.state;
    return {
      ok: true,
      app_id: options.appId,
      authed_user: { id: issued.user },
      scope: issued.scopes.join(','),
      token_type: 'bot',
      access_token: token,
      bot_user_id: options.botUserId,
      team: { id: options.teamId, name: options.teamName },
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  /** The `app_uninstalled` event Slack sends once the app is removed (revoke the tokens first). */
  uninstalledEvent(teamId: string): Record<string, unknown> {
    return this.eventEnvelope(teamId, { type: 'app_uninstalled' });
  }

  /** `tokens_revoked` for the workspace's bot user. */
  tokensRevokedEvent(teamId: string): Record<string, unknown> {
    const { options } = this.team(teamId).state;
    return this.eventEnvelope(teamId, { type: 'tokens_revoked', tokens: { bot: [options.botUserId] } });
  }

  private eventEnvelope(teamId: string, event: Record<string, unknown>): Record<string, unknown> {
    const { options, ids, now } = this.team(teamId).state;
    return {
      token: 'fake-verification-token',
      team_id: options.teamId,
      api_app_id: options.appId,
      type: 'event_callback',
      event_id: ids.next('Ev'),
      event_time: Math.floor(now() / 1000),
      event: { ...event, event_ts: ids.nextTs() },
    };
  }

  private teamOf(state: WorkspaceState): FakeTeam {
    return {
      teamId: state.options.teamId,
      state,
      payloads: new PayloadBuilders(state, this.responseUrls),
      messages: (channelId) => state.conversations.all(channelId),
    };
  }
}
