import type { FakeContext } from './context.js';
import { DiscordErrors } from './http-io.js';
import type { RouteDefinition } from './router.js';

/** Gateway discovery, identity and command registration routes. */
export function applicationRoutes(ctx: FakeContext): RouteDefinition[] {
  const checkApp = (applicationId: string | undefined): void => {
    if (applicationId !== ctx.applicationId) throw DiscordErrors.notFound();
  };
  const checkGuild = (guildId: string | undefined): string => {
    if (!guildId || !ctx.world.guild(guildId)) throw DiscordErrors.unknownGuild();
    return guildId;
  };
  return [
    {
      method: 'GET',
      template: '/gateway/bot',
      auth: 'bot',
      // @discordjs/ws caches this for `reset_after` ms and connects to `${url}?v=10&encoding=json`.
      handle: () => ({
        status: 200,
        body: {
          url: ctx.gatewayUrl(),
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
        },
      }),
    },
    {
      method: 'GET',
      template: '/gateway',
      auth: 'none',
      handle: () => ({ status: 200, body: { url: ctx.gatewayUrl() } }),
    },
    {
      method: 'GET',
      template: '/users/@me',
      auth: 'bot',
      handle: () => ({
        status: 200,
        body: { ...ctx.world.userPayload(ctx.world.bot), verified: true, mfa_enabled: false },
      }),
    },
    {
      // Opens (or returns) the bot's DM channel with a person; whether a message may go there is
      // decided when one is sent (403 / 50007 when the person accepts no DMs).
      method: 'POST',
      template: '/users/@me/channels',
      auth: 'bot',
      handle: ({ body }) => {
        const recipientId = (body.json as { recipient_id?: unknown } | undefined)?.recipient_id;
        const user = typeof recipientId === 'string' ? ctx.world.users.get(recipientId) : undefined;
        if (!user || user.bot)
          throw DiscordErrors.invalidFormBody({ recipient_id: { _errors: [{ code: 'USER_NOT_FOUND' }] } });
        return {
          status: 200,
          body: ctx.world.channelPayload(ctx.world.dmChannelWith(user.id, ctx.nowIso())),
        };
      },
    },
    {
      method: 'GET',
      template: '/applications/@me',
      auth: 'bot',
      handle: () => ({
        status: 200,
        body: {
          id: ctx.applicationId,
          name: ctx.world.bot.username,
          icon: null,
          description: '',
          summary: '',
          type: null,
          bot_public: true,
          bot_require_code_grant: false,
          verify_key: '0'.repeat(64),
          flags: 0,
          owner: ctx.world.userPayload(ctx.world.defaultUser),
          team: null,
          bot: ctx.world.userPayload(ctx.world.bot),
          approximate_guild_count: ctx.world.guilds.size,
          integration_types_config: { '0': {} },
          install_params: { scopes: ['bot', 'applications.commands'], permissions: '0' },
        },
      }),
    },
    {
      method: 'PUT',
      template: '/applications/:applicationId/commands',
      auth: 'bot',
      handle: ({ params, body }) => {
        checkApp(params['applicationId']);
        return { status: 200, body: ctx.commands.overwrite('global', body.json) };
      },
    },
    {
      method: 'GET',
      template: '/applications/:applicationId/commands',
      auth: 'bot',
      handle: ({ params }) => {
        checkApp(params['applicationId']);
        return { status: 200, body: ctx.commands.list('global') };
      },
    },
    {
      method: 'POST',
      template: '/applications/:applicationId/commands',
      auth: 'bot',
      handle: ({ params, body }) => {
        checkApp(params['applicationId']);
        return { status: 201, body: ctx.commands.upsert('global', body.json) };
      },
    },
    {
      method: 'PUT',
      template: '/applications/:applicationId/guilds/:guildId/commands',
      auth: 'bot',
      handle: ({ params, body }) => {
        checkApp(params['applicationId']);
        return { status: 200, body: ctx.commands.overwrite(checkGuild(params['guildId']), body.json) };
      },
    },
    {
      method: 'GET',
      template: '/applications/:applicationId/guilds/:guildId/commands',
      auth: 'bot',
      handle: ({ params }) => {
        checkApp(params['applicationId']);
        return { status: 200, body: ctx.commands.list(checkGuild(params['guildId'])) };
      },
    },
    {
      method: 'POST',
      template: '/applications/:applicationId/guilds/:guildId/commands',
      auth: 'bot',
      handle: ({ params, body }) => {
        checkApp(params['applicationId']);
        return { status: 201, body: ctx.commands.upsert(checkGuild(params['guildId']), body.json) };
      },
    },
  ];
}
