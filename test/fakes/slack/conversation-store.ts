import type { ChannelConfig, ChannelRecord, UserConfig, UserRecord } from './options.js';
import { channelConfigSchema, userConfigSchema } from './options.js';
import { SlackApiFailure } from './slack-api-failure.js';
import { compareTs, type SlackIdFactory } from './slack-ids.js';

export interface ReactionRecord {
  name: string;
  users: string[];
  count: number;
}

/** A message as Slack returns it from conversations.history / replies (the fields bots read). */
export interface StoredMessage {
  type: 'message';
  ts: string;
  channel: string;
  team: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  subtype?: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  files?: Record<string, unknown>[];
  upload?: boolean;
  thread_ts?: string;
  parent_user_id?: string;
  reply_count?: number;
  reply_users?: string[];
  reply_users_count?: number;
  latest_reply?: string;
  reactions?: ReactionRecord[];
  edited?: { user: string; ts: string };
  metadata?: unknown;
}

export interface EphemeralMessage {
  message_ts: string;
  channel: string;
  user: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
}

export interface SeedMessageInput {
  channel: string;
  user: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  files?: Record<string, unknown>[];
  blocks?: unknown[];
}

/**
 * Channels, users and messages of the fake workspace, with the access rules Slack applies to a bot:
 * a private channel or DM the bot is not in is invisible (`channel_not_found`), a public channel it has not
 * joined refuses posts and history (`not_in_channel`).
 */
export class ConversationStore {
  private readonly channels = new Map<string, ChannelRecord>();
  private readonly users = new Map<string, UserRecord>();
  private readonly messagesByChannel = new Map<string, StoredMessage[]>();
  private readonly ephemeralLog: EphemeralMessage[] = [];

  constructor(
    private readonly ids: SlackIdFactory,
    private readonly identity: { teamId: string; botUserId: string; botId: string; appId: string },
    channels: ChannelRecord[],
    users: UserRecord[],
  ) {
    for (const channel of channels) this.channels.set(channel.id, channel);
    for (const user of users) this.users.set(user.id, user);
  }

  addChannel(config: ChannelConfig): ChannelRecord {
    const channel = channelConfigSchema.parse(config);
    this.channels.set(channel.id, channel);
    return channel;
  }

  setBotMembership(channelId: string, botIsMember: boolean): void {
    const channel = this.channels.get(channelId);
    if (channel === undefined) throw new Error(`Unknown fake channel ${channelId}`);
    channel.botIsMember = botIsMember;
  }

  addUser(config: UserConfig): UserRecord {
    const user = userConfigSchema.parse(config);
    this.users.set(user.id, user);
    return user;
  }

  user(id: string): UserRecord | undefined {
    return this.users.get(id);
  }

  channel(id: string): ChannelRecord | undefined {
    return this.channels.get(id);
  }

  /** A user by their handle (what a person types after `@`). */
  userByName(name: string): UserRecord | undefined {
    return [...this.users.values()].find((u) => u.name === name);
  }

  /** A channel by its name (what a person types after `#`). */
  channelByName(name: string): ChannelRecord | undefined {
    return [...this.channels.values()].find((c) => c.kind !== 'im' && c.name === name);
  }

  /**
   * Resolves the `channel` argument of a write. A user ID opens (or reuses) the bot's DM with that user, as
   * chat.postMessage does on Slack.
   */
  requireWritable(channelId: string, options: { publicWithoutMembership?: boolean } = {}): ChannelRecord {
    if (this.users.has(channelId)) return this.dmWith(channelId);
    const channel = this.channels.get(channelId);
    if (channel === undefined) throw new SlackApiFailure('channel_not_found');
    if (channel.botIsMember) return channel;
    if (channel.kind === 'public' && options.publicWithoutMembership === true) return channel;
    if (channel.kind === 'public') throw new SlackApiFailure('not_in_channel');
    throw new SlackApiFailure('channel_not_found');
  }

  /** conversations.info: public channels are visible without membership. */
  requireVisible(channelId: string): ChannelRecord {
    const channel = this.channels.get(channelId);
    if (channel === undefined) throw new SlackApiFailure('channel_not_found');
    if (!channel.botIsMember && channel.kind !== 'public') throw new SlackApiFailure('channel_not_found');
    return channel;
  }

  /** conversations.history / replies: reading needs membership. */
  requireReadable(channelId: string): ChannelRecord {
    return this.requireWritable(channelId);
  }

  private dmWith(userId: string): ChannelRecord {
    const existing = [...this.channels.values()].find((c) => c.kind === 'im' && c.imUser === userId);
    if (existing !== undefined) return existing;
    return this.addChannel({
      id: `D${userId.slice(1)}`,
      name: userId,
      kind: 'im',
      botIsMember: true,
      imUser: userId,
    });
  }

  /** Appends a message (from the bot when `fromBot`), maintaining thread metadata on the parent. */
  insert(message: Omit<StoredMessage, 'type' | 'team'>): StoredMessage {
    const stored: StoredMessage = { type: 'message', team: this.identity.teamId, ...message };
    const list = this.messagesByChannel.get(stored.channel) ?? [];
    this.messagesByChannel.set(stored.channel, list);
    if (stored.thread_ts !== undefined && stored.thread_ts !== stored.ts) {
      const parent = list.find((m) => m.ts === stored.thread_ts);
      if (parent !== undefined) {
        stored.parent_user_id = parent.user;
        parent.thread_ts = parent.ts;
        parent.reply_count = (parent.reply_count ?? 0) + 1;
        const replyUser = stored.user ?? '';
        parent.reply_users = [...new Set([...(parent.reply_users ?? []), replyUser])];
        parent.reply_users_count = parent.reply_users.length;
        parent.latest_reply = stored.ts;
      }
    }
    const index = list.findIndex((m) => compareTs(m.ts, stored.ts) > 0);
    if (index === -1) list.push(stored);
    else list.splice(index, 0, stored);
    return stored;
  }

  /** A message the bot posts: user = bot user, bot_id and app_id set, as Slack stamps them. */
  insertFromBot(
    message: Omit<StoredMessage, 'type' | 'team' | 'user' | 'bot_id' | 'app_id' | 'ts'>,
  ): StoredMessage {
    return this.insert({
      ...message,
      ts: this.ids.nextTs(),
      user: this.identity.botUserId,
      bot_id: this.identity.botId,
      app_id: this.identity.appId,
    });
  }

  /** A message from a person, for a test to react to, mention the bot in, or read back. */
  seed(input: SeedMessageInput): StoredMessage {
    if (!this.channels.has(input.channel) && !this.users.has(input.channel)) {
      throw new Error(`Seeding a message into unknown fake channel ${input.channel}`);
    }
    return this.insert({
      channel: input.channel,
      ts: input.ts ?? this.ids.nextTs(),
      user: input.user,
      text: input.text ?? '',
      ...(input.thread_ts === undefined ? {} : { thread_ts: input.thread_ts }),
      ...(input.files === undefined ? {} : { files: input.files, upload: true }),
      ...(input.blocks === undefined ? {} : { blocks: input.blocks }),
    });
  }

  find(channelId: string, ts: string): StoredMessage | undefined {
    return this.messagesByChannel.get(channelId)?.find((m) => m.ts === ts);
  }

  remove(channelId: string, ts: string): void {
    const list = this.messagesByChannel.get(channelId);
    if (list === undefined) return;
    const index = list.findIndex((m) => m.ts === ts);
    if (index !== -1) list.splice(index, 1);
  }

  /** Every message of a channel, oldest first, thread replies included. */
  all(channelId: string): StoredMessage[] {
    return [...(this.messagesByChannel.get(channelId) ?? [])];
  }

  /** Top-level messages (what conversations.history returns), newest first. */
  history(channelId: string): StoredMessage[] {
    return this.all(channelId)
      .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts)
      .reverse();
  }

  /** Parent first, then replies oldest first (what conversations.replies returns for a parent ts). */
  thread(channelId: string, threadTs: string): StoredMessage[] {
    return this.all(channelId).filter((m) => m.ts === threadTs || m.thread_ts === threadTs);
  }

  addReaction(channelId: string, ts: string, name: string, userId: string): void {
    const message = this.find(channelId, ts);
    if (message === undefined) return;
    const reactions = message.reactions ?? [];
    message.reactions = reactions;
    const existing = reactions.find((r) => r.name === name);
    if (existing === undefined) reactions.push({ name, users: [userId], count: 1 });
    else if (!existing.users.includes(userId)) {
      existing.users.push(userId);
      existing.count += 1;
    }
  }

  recordEphemeral(message: EphemeralMessage): void {
    this.ephemeralLog.push(message);
  }

  ephemerals(channelId?: string): EphemeralMessage[] {
    return this.ephemeralLog.filter((m) => channelId === undefined || m.channel === channelId);
  }

  channelObject(channel: ChannelRecord, created: number): Record<string, unknown> {
    const isIm = channel.kind === 'im';
    return {
      id: channel.id,
      name: isIm ? undefined : channel.name,
      is_channel: channel.kind === 'public',
      is_group: channel.kind === 'private',
      is_im: isIm,
      is_mpim: channel.kind === 'mpim',
      is_private: channel.kind !== 'public',
      is_archived: false,
      is_general: channel.name === 'general',
      is_member: channel.botIsMember,
      is_shared: false,
      is_ext_shared: false,
      is_org_shared: false,
      context_team_id: this.identity.teamId,
      created,
      creator: 'U0ADMIN0001',
      ...(isIm ? { user: channel.imUser } : {}),
    };
  }

  userObject(user: UserRecord): Record<string, unknown> {
    const realName = user.realName ?? user.name;
    return {
      id: user.id,
      team_id: this.identity.teamId,
      name: user.name,
      deleted: user.deleted,
      real_name: realName,
      tz: 'Europe/Paris',
      tz_offset: 3600,
      is_admin: user.isAdmin,
      is_owner: user.isOwner,
      is_primary_owner: user.isPrimaryOwner,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: user.isBot,
      is_app_user: false,
      updated: 1_700_000_000,
      profile: {
        real_name: realName,
        display_name: user.name,
        image_72: `https://avatars.invalid/${user.id}_72.png`,
        team: this.identity.teamId,
      },
    };
  }
}
