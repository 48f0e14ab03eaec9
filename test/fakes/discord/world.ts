import {
  channelPermissions,
  DEFAULT_BOT_PERMISSIONS,
  DEFAULT_EVERYONE_PERMISSIONS,
  type Overwrite,
  Permission,
} from './permissions.js';
import type { SnowflakeSource } from './snowflake.js';

/** Discord channel types the fake knows. https://discord.com/developers/docs/resources/channel#channel-object-channel-types */
export const ChannelType = {
  GuildText: 0,
  DM: 1,
  GroupDM: 3,
  GuildAnnouncement: 5,
  PublicThread: 11,
} as const;

export interface FakeUserInput {
  id?: string;
  username: string;
  globalName?: string;
  /**
   * The person accepts no DMs from the bot ("Allow direct messages from server members" off, or the
   * bot blocked): opening the DM works, sending into it answers 403 / 50007.
   */
  dmsClosed?: boolean;
}

export interface FakeChannelInput {
  id?: string;
  name?: string;
  type?: 0 | 5;
  /** Channel overwrite for the bot member, e.g. `{ deny: Permission.AttachFiles }`. */
  botOverwrite?: { allow?: bigint; deny?: bigint };
  /** Overwrites for people or roles, e.g. a member allowed Manage Messages in this channel only. */
  overwrites?: Overwrite[];
}

/** A role given to some of the configured people (their guild-level permissions come from roles). */
export interface FakeRoleInput {
  id?: string;
  name: string;
  permissions: bigint;
  /** User ids holding the role. */
  members: string[];
}

export interface FakeGuildInput {
  id?: string;
  name?: string;
  /** Bytes per attachment; also sent as `attachment_size_limit` in interactions. Default 10 MiB. */
  attachmentSizeLimit?: number;
  /** Permissions of the bot's managed role. */
  botPermissions?: bigint;
  everyonePermissions?: bigint;
  preferredLocale?: string;
  /** Default: one text channel named `general`. */
  channels?: FakeChannelInput[];
  /** Roles besides @everyone and the bot's managed role. */
  roles?: FakeRoleInput[];
  /**
   * False: the bot was never added to this server (the people there use the app through a user
   * install): no GUILD_CREATE for it, no permission in its channels, its REST routes say Unknown Guild.
   */
  botMember?: boolean;
}

export interface UserRecord {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
  dmsClosed: boolean;
}

export interface RoleRecord {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  managed: boolean;
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  attachmentSizeLimit: number;
  preferredLocale: string;
  roles: Map<string, RoleRecord>;
  botRoleId: string;
  /** Role ids per member (people only; the bot has `botRoleId`). */
  memberRoles: Map<string, string[]>;
  joinedAt: string;
  /** Whether the bot is in this server (see FakeGuildInput.botMember). */
  botMember: boolean;
}

export interface ChannelRecord {
  id: string;
  guildId: string;
  name: string;
  type: number;
  position: number;
  parentId: string | null;
  overwrites: Overwrite[];
  /** Threads only. */
  ownerId?: string;
  /** DM channels only: the person the bot talks to (`guildId` is ''). */
  recipientId?: string;
  /** Group DMs only: the people in it (the bot is never one: it is there only through interactions). */
  recipientIds?: string[];
  createdAt: string;
}

export const DEFAULT_ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

/** What anyone may do in a DM (Discord computes no overwrites there). */
const DM_PERMISSIONS =
  Permission.AddReactions |
  Permission.ViewChannel |
  Permission.SendMessages |
  Permission.EmbedLinks |
  Permission.AttachFiles |
  Permission.ReadMessageHistory |
  Permission.UseApplicationCommands;

/** The guilds, channels, roles and users the fake serves; builds their wire payloads. */
export class World {
  readonly users = new Map<string, UserRecord>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly bot: UserRecord;
  /** The first configured human; the default author of interactions and reactions. */
  readonly defaultUser: UserRecord;

  constructor(
    private readonly nextId: SnowflakeSource,
    input: {
      botUser?: FakeUserInput;
      users?: FakeUserInput[];
      guilds?: FakeGuildInput[];
      nowIso: () => string;
    },
  ) {
    this.bot = this.addUser(input.botUser ?? { username: 'Sora' }, true);
    const humans = input.users?.length ? input.users : [{ username: 'alice', globalName: 'Alice' }];
    const people = humans.map((u) => this.addUser(u, false));
    this.defaultUser = people[0]!;
    for (const g of input.guilds?.length ? input.guilds : [{}]) this.addGuild(g, input.nowIso());
  }

  private addUser(input: FakeUserInput, bot: boolean): UserRecord {
    const user: UserRecord = {
      id: input.id ?? this.nextId(),
      username: input.username,
      globalName: input.globalName ?? null,
      bot,
      dmsClosed: input.dmsClosed ?? false,
    };
    this.users.set(user.id, user);
    return user;
  }

  private addGuild(input: FakeGuildInput, nowIso: string): void {
    const id = input.id ?? this.nextId();
    const botRoleId = this.nextId();
    const roles = new Map<string, RoleRecord>([
      [
        id,
        {
          id,
          name: '@everyone',
          permissions: input.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS,
          position: 0,
          managed: false,
        },
      ],
      [
        botRoleId,
        {
          id: botRoleId,
          name: this.bot.username,
          permissions: input.botPermissions ?? DEFAULT_BOT_PERMISSIONS,
          position: 1,
          managed: true,
        },
      ],
    ]);
    const memberRoles = new Map<string, string[]>();
    input.roles?.forEach((r, position) => {
      const roleId = r.id ?? this.nextId();
      roles.set(roleId, {
        id: roleId,
        name: r.name,
        permissions: r.permissions,
        position: position + 2,
        managed: false,
      });
      for (const userId of r.members) memberRoles.set(userId, [...(memberRoles.get(userId) ?? []), roleId]);
    });
    this.guilds.set(id, {
      id,
      name: input.name ?? 'Sora Test Guild',
      // The owner is someone else, so the configured users get ordinary @everyone permissions.
      ownerId: this.nextId(),
      attachmentSizeLimit: input.attachmentSizeLimit ?? DEFAULT_ATTACHMENT_SIZE_LIMIT,
      preferredLocale: input.preferredLocale ?? 'en-US',
      roles,
      botRoleId,
      memberRoles,
      joinedAt: nowIso,
      botMember: input.botMember ?? true,
    });
    const channels = input.channels?.length ? input.channels : [{ name: 'general' }];
    channels.forEach((c, position) => {
      const channelId = c.id ?? this.nextId();
      const overwrites: Overwrite[] = [
        ...(c.botOverwrite
          ? [
              {
                id: this.bot.id,
                type: 1 as const,
                allow: c.botOverwrite.allow ?? 0n,
                deny: c.botOverwrite.deny ?? 0n,
              },
            ]
          : []),
        ...(c.overwrites ?? []),
      ];
      this.channels.set(channelId, {
        id: channelId,
        guildId: id,
        name: c.name ?? `channel-${position}`,
        type: c.type ?? ChannelType.GuildText,
        position,
        parentId: null,
        overwrites,
        createdAt: nowIso,
      });
    });
  }

  guild(id: string): GuildRecord | undefined {
    return this.guilds.get(id);
  }

  get defaultGuild(): GuildRecord {
    return this.guilds.values().next().value!;
  }

  channelsOf(guildId: string): ChannelRecord[] {
    return [...this.channels.values()].filter((c) => c.guildId === guildId);
  }

  /** First text channel of the guild. */
  defaultChannelOf(guildId: string): ChannelRecord {
    const channel = this.channelsOf(guildId).find((c) => c.type === ChannelType.GuildText);
    if (!channel) throw new Error(`fake discord: guild ${guildId} has no text channel`);
    return channel;
  }

  addThread(input: { id: string; parent: ChannelRecord; name: string; ownerId: string; nowIso: string }) {
    const thread: ChannelRecord = {
      id: input.id,
      guildId: input.parent.guildId,
      name: input.name,
      type: ChannelType.PublicThread,
      position: 0,
      parentId: input.parent.id,
      overwrites: [],
      ownerId: input.ownerId,
      createdAt: input.nowIso,
    };
    this.channels.set(thread.id, thread);
    return thread;
  }

  /** Effective permissions of a member in a channel (threads inherit their parent's). */
  permissionsIn(channelId: string, userId: string): bigint {
    const channel = this.channels.get(channelId);
    if (!channel) return 0n;
    if (channel.type === ChannelType.DM) return DM_PERMISSIONS;
    // A group DM: its people may do what anyone may in a DM; the bot is no member (user installs).
    if (channel.type === ChannelType.GroupDM)
      return channel.recipientIds?.includes(userId) ? DM_PERMISSIONS : 0n;
    const permissionChannel = channel.parentId ? (this.channels.get(channel.parentId) ?? channel) : channel;
    const guild = this.guilds.get(channel.guildId)!;
    if (userId === this.bot.id && !guild.botMember) return 0n;
    if (guild.ownerId === userId) return ~0n & ((1n << 53n) - 1n);
    const rolePermissions = new Map([...guild.roles.values()].map((r) => [r.id, r.permissions]));
    return channelPermissions({
      guildId: guild.id,
      rolePermissions,
      memberRoleIds: this.roleIdsOf(guild, userId),
      memberId: userId,
      overwrites: permissionChannel.overwrites,
    });
  }

  roleIdsOf(guild: GuildRecord, userId: string): string[] {
    return userId === this.bot.id ? [guild.botRoleId] : (guild.memberRoles.get(userId) ?? []);
  }

  /** The bot's DM channel with a person, made on first use (POST /users/@me/channels). */
  dmChannelWith(userId: string, nowIso: string): ChannelRecord {
    const existing = [...this.channels.values()].find(
      (c) => c.type === ChannelType.DM && c.recipientId === userId,
    );
    if (existing) return existing;
    const channel: ChannelRecord = {
      id: this.nextId(),
      guildId: '',
      name: '',
      type: ChannelType.DM,
      position: 0,
      parentId: null,
      overwrites: [],
      recipientId: userId,
      createdAt: nowIso,
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /**
   * A group DM between people, without the bot: a user-installed command there is answered only
   * through its interaction (the bot's token gets Unknown Channel).
   */
  addGroupDm(input: { recipientIds: string[]; name?: string; nowIso: string }): ChannelRecord {
    const channel: ChannelRecord = {
      id: this.nextId(),
      guildId: '',
      name: input.name ?? '',
      type: ChannelType.GroupDM,
      position: 0,
      parentId: null,
      overwrites: [],
      recipientIds: [...input.recipientIds],
      ownerId: input.recipientIds[0],
      createdAt: input.nowIso,
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  userPayload(user: UserRecord): Record<string, unknown> {
    return {
      id: user.id,
      username: user.username,
      global_name: user.globalName,
      discriminator: '0',
      avatar: null,
      bot: user.bot || undefined,
      public_flags: 0,
      flags: 0,
      banner: null,
      accent_color: null,
      avatar_decoration_data: null,
      collectibles: null,
      primary_guild: null,
    };
  }

  memberPayload(guild: GuildRecord, user: UserRecord): Record<string, unknown> {
    return {
      user: this.userPayload(user),
      nick: null,
      avatar: null,
      banner: null,
      roles: this.roleIdsOf(guild, user.id),
      joined_at: guild.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
    };
  }

  channelPayload(channel: ChannelRecord): Record<string, unknown> {
    if (channel.type === ChannelType.GroupDM)
      return {
        id: channel.id,
        type: ChannelType.GroupDM,
        name: channel.name || null,
        icon: null,
        owner_id: channel.ownerId,
        last_message_id: null,
        flags: 0,
        recipients: (channel.recipientIds ?? [])
          .map((id) => this.users.get(id))
          .filter((u): u is UserRecord => u !== undefined)
          .map((u) => this.userPayload(u)),
      };
    if (channel.type === ChannelType.DM) {
      const recipient = this.users.get(channel.recipientId ?? '');
      return {
        id: channel.id,
        type: ChannelType.DM,
        last_message_id: null,
        flags: 0,
        recipients: recipient ? [this.userPayload(recipient)] : [],
      };
    }
    const base: Record<string, unknown> = {
      id: channel.id,
      type: channel.type,
      guild_id: channel.guildId,
      name: channel.name,
      position: channel.position,
      parent_id: channel.parentId,
      permission_overwrites: channel.overwrites.map((o) => ({
        id: o.id,
        type: o.type,
        allow: o.allow.toString(),
        deny: o.deny.toString(),
      })),
      nsfw: false,
      topic: null,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
    };
    if (channel.type !== ChannelType.PublicThread) return base;
    return {
      ...base,
      owner_id: channel.ownerId,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: 1440,
        archive_timestamp: channel.createdAt,
        locked: false,
        create_timestamp: channel.createdAt,
      },
    };
  }

  rolePayload(role: RoleRecord): Record<string, unknown> {
    return {
      id: role.id,
      name: role.name,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: role.position,
      permissions: role.permissions.toString(),
      managed: role.managed,
      mentionable: false,
      flags: 0,
      ...(role.managed ? { tags: { bot_id: this.bot.id } } : {}),
    };
  }

  /** GUILD_CREATE `d`: everything discord.js needs to resolve the bot's permissions. */
  guildCreatePayload(guild: GuildRecord): Record<string, unknown> {
    const channels = this.channelsOf(guild.id);
    const members = [this.bot, ...[...this.users.values()].filter((u) => !u.bot)];
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      preferred_locale: guild.preferredLocale,
      features: [],
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      application_id: null,
      max_members: 500000,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      hub_type: null,
      incidents_data: null,
      roles: [...guild.roles.values()].map((r) => this.rolePayload(r)),
      emojis: [],
      stickers: [],
      joined_at: guild.joinedAt,
      large: false,
      unavailable: false,
      member_count: members.length,
      members: members.map((u) => this.memberPayload(guild, u)),
      channels: channels
        .filter((c) => c.type !== ChannelType.PublicThread)
        .map((c) => this.channelPayload(c)),
      threads: channels.filter((c) => c.type === ChannelType.PublicThread).map((c) => this.channelPayload(c)),
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }
}
