import { randomBytes } from 'node:crypto';
import type { StoredAttachment } from './cdn.js';
import type { FakeContext } from './context.js';
import type { InteractionRecord } from './interaction-registry.js';
import type { StoredMessage } from './messages.js';
import type { CallbackRecord } from './recorder.js';
import {
  type ChannelRecord,
  ChannelType,
  DEFAULT_ATTACHMENT_SIZE_LIMIT,
  type GuildRecord,
  type UserRecord,
} from './world.js';

/** An attachment stored on the fake CDN; pass it as a slash option value or a modal upload. */
export interface SeededAttachment {
  kind: 'attachment';
  stored: StoredAttachment;
  /** Wire object as in `resolved.attachments` (url signed, expiring). */
  payload: Record<string, unknown>;
}

/**
 * Where an interaction happens and who triggers it; defaults: first guild, its first text channel, first
 * user. A DM channel's id (from the bot's DMs) makes a DM interaction: no guild, `user` instead of `member`.
 */
export interface InteractionTarget {
  guildId?: string;
  channelId?: string;
  userId?: string;
  locale?: string;
  /**
   * Which installation authorises the interaction (`authorizing_integration_owners`): `guild` (the
   * default: the server's install, or in the bot's DM the bot itself) or `user` (the person installed
   * the app to their account: `{"1": USER}`; in a group DM or a server without the bot that is all
   * the app has).
   */
  install?: 'guild' | 'user';
}

/** Discord's interaction contexts. https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-interaction-context-types */
export const InteractionContext = { Guild: 0, BotDm: 1, PrivateChannel: 2 } as const;

/**
 * What `app_permissions` holds where the bot is not in the channel (a user install): only what an
 * interaction response can use (Embed Links, Attach Files, Mention Everyone, Use External Emojis).
 */
const USER_INSTALL_APP_PERMISSIONS = (1n << 14n) | (1n << 15n) | (1n << 17n) | (1n << 18n);

/** A USER option's value: a member of the guild (sent with `resolved.users` and `resolved.members`). */
export interface UserOptionValue {
  kind: 'user';
  userId: string;
}

export type SlashOptionValue = string | number | boolean | SeededAttachment | UserOptionValue;

export interface SlashCommandInput extends InteractionTarget {
  /** Default 'sora'. */
  name?: string;
  /** Default 'generate'; null for a command without subcommands. */
  subcommand?: string | null;
  /**
   * Option values; the wire type is inferred: string 3, integer 4, other number 10, boolean 5,
   * UserOptionValue 6 (and put into `resolved.users` / `resolved.members`), SeededAttachment 11 (and
   * put into `resolved.attachments`).
   */
  options?: Record<string, SlashOptionValue>;
}

export interface AutocompleteInput extends SlashCommandInput {
  /** The option being typed (sent with `focused: true`); its value is what was typed so far. */
  focused: string;
}

export interface MessageCommandInput extends InteractionTarget {
  name: string;
  messageId: string;
}

export interface ButtonInput extends InteractionTarget {
  customId: string;
  /** Message carrying the button; default: a fresh bot message with that button in the channel. */
  messageId?: string;
}

export interface ModalSubmitInput extends InteractionTarget {
  customId: string;
  /** Text inputs, as action rows with one text input each. */
  fields?: Record<string, string>;
  /** File uploads, as Label (18) components wrapping a File Upload (19), with `resolved.attachments`. */
  files?: Record<string, SeededAttachment[]>;
  /** String selects, as Label (18) components wrapping a String Select (3) with the chosen values. */
  selects?: Record<string, string[]>;
  /** Set when the modal was opened from a component on a message. */
  messageId?: string;
}

export interface InteractionHandle {
  id: string;
  token: string;
  payload: Record<string, unknown>;
  /** Gateway sequence numbers of the INTERACTION_CREATE (one per live session). */
  seq: number[];
  dispatchedAtMs: number;
  /** Resolves with the first accepted callback (type, data, msSinceDispatch). Never rejects. */
  callback: Promise<CallbackRecord>;
  /** Same, but rejects after `timeoutMs` (default 5000). */
  waitForCallback(timeoutMs?: number): Promise<CallbackRecord>;
  record: InteractionRecord;
}

const OptionType = {
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Attachment: 11,
  Number: 10,
  Subcommand: 1,
} as const;

/** Builds realistic INTERACTION_CREATE payloads and dispatches them through the gateway. */
export class InteractionDriver {
  constructor(private readonly ctx: FakeContext) {}

  seedAttachment(input: {
    filename: string;
    bytes: Buffer;
    contentType?: string;
    width?: number;
    height?: number;
    channelId?: string;
  }): SeededAttachment {
    const channelId = input.channelId ?? this.ctx.world.defaultChannelOf(this.ctx.world.defaultGuild.id).id;
    const stored = this.ctx.cdn.store({ ...input, channelId, ephemeral: true });
    return { kind: 'attachment', stored, payload: this.ctx.cdn.payload(stored) };
  }

  slashCommand(input: SlashCommandInput = {}): InteractionHandle {
    const place = this.resolveTarget(input);
    return this.dispatch(2, place, this.commandData(input, place, null), null);
  }

  /**
   * An APPLICATION_COMMAND_AUTOCOMPLETE (type 4) while `focused` is typed; the bot answers with a
   * type 8 callback whose `data.choices` the handle's callback holds.
   */
  autocomplete(input: AutocompleteInput): InteractionHandle {
    const place = this.resolveTarget(input);
    return this.dispatch(4, place, this.commandData(input, place, input.focused), null);
  }

  private commandData(
    input: SlashCommandInput,
    place: ReturnType<InteractionDriver['resolveTarget']>,
    focused: string | null,
  ): Record<string, unknown> {
    const name = input.name ?? 'sora';
    const attachments: Record<string, unknown> = {};
    const users: Record<string, unknown> = {};
    const members: Record<string, unknown> = {};
    const leafOptions = Object.entries(input.options ?? {}).map(([optionName, value]) => {
      if (typeof value === 'object' && value.kind === 'user') {
        const user = this.ctx.world.users.get(value.userId);
        if (!user) throw new Error(`fake discord: unknown user ${value.userId}`);
        if (!place.guild) throw new Error('fake discord: USER options need a guild channel');
        users[user.id] = this.ctx.world.userPayload(user);
        // Resolved members come without their user (it is in `resolved.users`), with permissions.
        const { user: _user, ...member } = this.ctx.world.memberPayload(place.guild, user);
        members[user.id] = {
          ...member,
          permissions: this.ctx.world.permissionsIn(place.channel.id, user.id).toString(),
        };
        return { name: optionName, type: OptionType.User, value: user.id };
      }
      if (typeof value === 'object') {
        attachments[value.stored.id] = value.payload;
        return { name: optionName, type: OptionType.Attachment, value: value.stored.id };
      }
      const type =
        typeof value === 'string'
          ? OptionType.String
          : typeof value === 'boolean'
            ? OptionType.Boolean
            : Number.isInteger(value)
              ? OptionType.Integer
              : OptionType.Number;
      // While typing, the focused option's value is the partial text, whatever the option's type.
      if (optionName === focused) return { name: optionName, type, value: String(value), focused: true };
      return { name: optionName, type, value };
    });
    const subcommand = input.subcommand === undefined ? 'generate' : input.subcommand;
    const options = subcommand
      ? [{ type: OptionType.Subcommand, name: subcommand, options: leafOptions }]
      : leafOptions;
    const registered = this.ctx.commands.find(name, 1, place.guild?.id ?? '');
    const data: Record<string, unknown> = {
      id: registered?.id ?? this.ctx.nextId(),
      name,
      type: 1,
      options,
      ...(registered?.['guild_id'] ? { guild_id: registered['guild_id'] } : {}),
    };
    const resolved = {
      ...(Object.keys(attachments).length ? { attachments } : {}),
      ...(Object.keys(users).length ? { users, members } : {}),
    };
    if (Object.keys(resolved).length) data['resolved'] = resolved;
    return data;
  }

  messageCommand(input: MessageCommandInput): InteractionHandle {
    const place = this.resolveTarget(input);
    const target = this.requireMessage(input.messageId);
    const registered = this.ctx.commands.find(input.name, 3, place.guild?.id ?? '');
    const data = {
      id: registered?.id ?? this.ctx.nextId(),
      name: input.name,
      type: 3,
      target_id: target.id,
      resolved: { messages: { [target.id]: this.ctx.messages.payload(target) } },
      ...(registered?.['guild_id'] ? { guild_id: registered['guild_id'] } : {}),
    };
    return this.dispatch(2, place, data, null);
  }

  button(input: ButtonInput): InteractionHandle {
    const place = this.resolveTarget(input);
    const message = input.messageId
      ? this.requireMessage(input.messageId)
      : this.seedMessage({
          channelId: place.channel.id,
          authorId: this.ctx.world.bot.id,
          content: 'Your video is ready.',
          components: [
            { type: 1, components: [{ type: 2, style: 1, label: 'Remix', custom_id: input.customId }] },
          ],
        });
    return this.dispatch(3, place, { custom_id: input.customId, component_type: 2 }, message);
  }

  modalSubmit(input: ModalSubmitInput): InteractionHandle {
    const place = this.resolveTarget(input);
    const components: unknown[] = Object.entries(input.fields ?? {}).map(([customId, value]) => ({
      type: 1,
      components: [{ type: 4, custom_id: customId, value }],
    }));
    const attachments: Record<string, unknown> = {};
    for (const [customId, files] of Object.entries(input.files ?? {})) {
      for (const file of files) attachments[file.stored.id] = file.payload;
      components.push({
        type: 18,
        component: { type: 19, custom_id: customId, values: files.map((f) => f.stored.id) },
      });
    }
    for (const [customId, values] of Object.entries(input.selects ?? {}))
      components.push({ type: 18, component: { type: 3, custom_id: customId, values } });
    const data = {
      custom_id: input.customId,
      components,
      ...(Object.keys(attachments).length ? { resolved: { attachments } } : {}),
    };
    const message = input.messageId ? this.requireMessage(input.messageId) : null;
    return this.dispatch(5, place, data, message);
  }

  /** Stores a message the client has never seen (no gateway event), e.g. a user's image post. */
  seedMessage(input: {
    channelId?: string;
    authorId?: string;
    content?: string;
    attachments?: SeededAttachment[];
    components?: unknown[];
  }): StoredMessage {
    const channel = this.channelOr(input.channelId);
    return this.ctx.messages.add({
      id: this.ctx.nextId(),
      channelId: channel.id,
      guildId: channel.guildId,
      authorId: input.authorId ?? this.ctx.world.defaultUser.id,
      content: input.content ?? '',
      embeds: [],
      components: input.components ?? [],
      attachments: (input.attachments ?? []).map((a) => a.stored),
      flags: 0,
      type: 0,
      timestamp: this.ctx.nowIso(),
      editedTimestamp: null,
      reactions: new Map(),
      messageReferenceId: null,
      webhookId: null,
      interactionMetadata: null,
      deleted: false,
      allowedMentions: undefined,
    });
  }

  private dispatch(
    type: number,
    place: {
      guild: GuildRecord | undefined;
      channel: ChannelRecord;
      user: UserRecord;
      locale: string;
      install: 'guild' | 'user';
    },
    data: Record<string, unknown>,
    message: StoredMessage | null,
  ): InteractionHandle {
    const { world } = this.ctx;
    const id = this.ctx.nextId();
    // Real tokens are long opaque strings; keep it URL-safe as it travels in paths.
    const token = `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`;
    const userInstall = place.install === 'user';
    const where: Record<string, unknown> = place.guild
      ? {
          guild_id: place.guild.id,
          guild: { id: place.guild.id, locale: place.guild.preferredLocale, features: [] },
          guild_locale: place.guild.preferredLocale,
          member: {
            ...world.memberPayload(place.guild, place.user),
            permissions: world.permissionsIn(place.channel.id, place.user.id).toString(),
          },
          authorizing_integration_owners: userInstall ? { '1': place.user.id } : { '0': place.guild.id },
          context: InteractionContext.Guild,
        }
      : // Outside servers the person is `user`, there is no member and no guild: the bot's own DM
        // (context 1), or a DM or group DM between people (context 2, user installs only).
        {
          user: world.userPayload(place.user),
          authorizing_integration_owners: userInstall
            ? { '1': place.user.id }
            : { '0': world.defaultGuild.id },
          context:
            place.channel.type === ChannelType.DM
              ? InteractionContext.BotDm
              : InteractionContext.PrivateChannel,
        };
    const botPermissions = world.permissionsIn(place.channel.id, world.bot.id);
    const payload: Record<string, unknown> = {
      id,
      application_id: this.ctx.applicationId,
      type,
      token,
      version: 1,
      data,
      ...where,
      channel_id: place.channel.id,
      channel: world.channelPayload(place.channel),
      app_permissions: (botPermissions === 0n && userInstall
        ? USER_INSTALL_APP_PERMISSIONS
        : botPermissions
      ).toString(),
      locale: place.locale,
      entitlements: [],
      attachment_size_limit: place.guild?.attachmentSizeLimit ?? DEFAULT_ATTACHMENT_SIZE_LIMIT,
      ...(message ? { message: this.ctx.messages.payload(message) } : {}),
    };
    const dispatchedAtMs = this.ctx.now();
    const record = this.ctx.interactions.add({
      id,
      token,
      type,
      channelId: place.channel.id,
      guildId: place.guild?.id ?? '',
      payload,
      dispatchedAtMs,
      sourceMessageId: message?.id ?? null,
      firstCallback: null,
      originalMessageId: null,
    });
    const seq = this.ctx.gateway.dispatch('INTERACTION_CREATE', payload);
    return {
      id,
      token,
      payload,
      seq,
      dispatchedAtMs,
      callback: record.callback,
      waitForCallback: (timeoutMs?: number) =>
        this.ctx.signal.waitFor(() => record.firstCallback, timeoutMs, `a callback for interaction ${id}`),
      record,
    };
  }

  private resolveTarget(input: InteractionTarget) {
    const channel = this.channelOr(input.channelId, input.guildId);
    // Undefined for a DM channel.
    const guild = this.ctx.world.guild(channel.guildId);
    const user = this.ctx.world.users.get(input.userId ?? this.ctx.world.defaultUser.id);
    if (!user) throw new Error(`fake discord: unknown user ${input.userId}`);
    return { guild, channel, user, locale: input.locale ?? 'en-US', install: input.install ?? 'guild' };
  }

  private channelOr(channelId?: string, guildId?: string): ChannelRecord {
    if (channelId) {
      const channel = this.ctx.world.channels.get(channelId);
      if (!channel) throw new Error(`fake discord: unknown channel ${channelId}`);
      return channel;
    }
    return this.ctx.world.defaultChannelOf(guildId ?? this.ctx.world.defaultGuild.id);
  }

  private requireMessage(messageId: string): StoredMessage {
    const message = this.ctx.messages.get(messageId);
    if (!message) throw new Error(`fake discord: unknown message ${messageId}`);
    return message;
  }
}
