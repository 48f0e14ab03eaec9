import type { FakeContext } from './context.js';
import { DiscordErrors, DiscordHttpError } from './http-io.js';
import type { RouteDefinition } from './router.js';
import { ChannelType, type GuildRecord } from './world.js';

/** Read-only guild routes, for `guild.fetch()`, `guild.members.fetch(id)` and `guild.channels.fetch()`. */
export function guildRoutes(ctx: FakeContext): RouteDefinition[] {
  const guildOf = (id: string | undefined): GuildRecord => {
    const guild = id ? ctx.world.guild(id) : undefined;
    if (!guild?.botMember) throw DiscordErrors.unknownGuild();
    return guild;
  };
  // Fields that only GUILD_CREATE carries; REST's guild object lacks them.
  const gatewayOnly = [
    'members',
    'channels',
    'threads',
    'presences',
    'voice_states',
    'joined_at',
    'large',
    'member_count',
    'stage_instances',
    'guild_scheduled_events',
    'soundboard_sounds',
    'unavailable',
  ];
  return [
    {
      method: 'GET',
      template: '/guilds/:guildId',
      auth: 'bot',
      handle: ({ params }) => {
        const payload = ctx.world.guildCreatePayload(guildOf(params['guildId']));
        for (const key of gatewayOnly) delete payload[key];
        return { status: 200, body: payload };
      },
    },
    {
      method: 'GET',
      template: '/guilds/:guildId/channels',
      auth: 'bot',
      handle: ({ params }) => {
        const guild = guildOf(params['guildId']);
        const channels = ctx.world.channelsOf(guild.id).filter((c) => c.type !== ChannelType.PublicThread);
        return { status: 200, body: channels.map((c) => ctx.world.channelPayload(c)) };
      },
    },
    {
      method: 'GET',
      template: '/guilds/:guildId/members/:userId',
      auth: 'bot',
      handle: ({ params }) => {
        const guild = guildOf(params['guildId']);
        const user = ctx.world.users.get(params['userId'] ?? '');
        if (!user) throw new DiscordHttpError(404, 10007, 'Unknown Member');
        return { status: 200, body: ctx.world.memberPayload(guild, user) };
      },
    },
  ];
}
