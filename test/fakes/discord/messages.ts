import { z } from 'zod';
import type { AttachmentCdn, StoredAttachment } from './cdn.js';
import type { UploadedFile } from './http-io.js';
import { DiscordErrors } from './http-io.js';
import type { World } from './world.js';

/** Message flags the fake cares about. https://discord.com/developers/docs/resources/message#message-object-message-flags */
export const MessageFlag = { Ephemeral: 1 << 6, Loading: 1 << 7 } as const;

/**
 * The message fields Discord validates that matter to a bot: content <= 2000 chars, <= 10 embeds,
 * <= 10 attachments. Unknown fields pass through, as Discord ignores them.
 */
export const MessageBodySchema = z.looseObject({
  content: z.string().max(2000).nullish(),
  embeds: z.array(z.unknown()).max(10).nullish(),
  components: z.array(z.unknown()).max(40).nullish(),
  attachments: z
    .array(
      z.looseObject({ id: z.union([z.string(), z.number()]), description: z.string().max(1024).nullish() }),
    )
    .max(10)
    .nullish(),
  allowed_mentions: z
    .looseObject({
      parse: z.array(z.enum(['roles', 'users', 'everyone'])).optional(),
      roles: z.array(z.string()).optional(),
      users: z.array(z.string()).optional(),
      replied_user: z.boolean().optional(),
    })
    .nullish(),
  flags: z.number().int().nullish(),
  message_reference: z.looseObject({ message_id: z.string().optional() }).nullish(),
  /** At most 25 characters (a string) or an integer; Discord echoes it in the create answer. */
  nonce: z.union([z.string().max(25), z.number().int()]).nullish(),
  enforce_nonce: z.boolean().nullish(),
});
export type MessageBody = z.infer<typeof MessageBodySchema>;

export interface ReactionRecord {
  emoji: { id: string | null; name: string };
  userIds: Set<string>;
}

export interface StoredMessage {
  id: string;
  channelId: string;
  guildId: string;
  authorId: string;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: StoredAttachment[];
  flags: number;
  /** 0 default, 19 reply, 20 chat input command, 23 context menu command */
  type: number;
  timestamp: string;
  editedTimestamp: string | null;
  reactions: Map<string, ReactionRecord>;
  messageReferenceId: string | null;
  webhookId: string | null;
  interactionMetadata: Record<string, unknown> | null;
  deleted: boolean;
  /** Last allowed_mentions sent for this message. */
  allowedMentions: unknown;
  /** The nonce it was created with (only echoed in the create answer, as on Discord). */
  nonce?: string;
  /** When it was created, in the fake's clock (for the nonce window). */
  createdAtMs?: number;
}

/** How long `enforce_nonce` finds an earlier message by the same author and nonce ("a few minutes"). */
export const NONCE_WINDOW_MS = 5 * 60_000;

/** Parses a create/edit body into Discord's form-error shape on failure. */
export function parseMessageBody(json: unknown): MessageBody {
  const parsed = MessageBodySchema.safeParse(json ?? {});
  if (parsed.success) return parsed.data;
  const errors: Record<string, unknown> = {};
  for (const issue of parsed.error.issues) {
    errors[issue.path.join('.') || '_root'] = {
      _errors: [{ code: 'BASE_TYPE_INVALID', message: issue.message }],
    };
  }
  throw DiscordErrors.invalidFormBody(errors);
}

export function emojiKey(emoji: { id: string | null; name: string }): string {
  return emoji.id ?? emoji.name;
}

/** Parses the `{emoji}` path segment: a unicode emoji or `name:id`. */
export function parseEmojiSegment(segment: string): { id: string | null; name: string } {
  const custom = /^(.+):(\d+)$/.exec(segment);
  return custom ? { name: custom[1]!, id: custom[2]! } : { id: null, name: segment };
}

function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export class MessageStore {
  private readonly byId = new Map<string, StoredMessage>();

  constructor(
    private readonly world: World,
    private readonly cdn: AttachmentCdn,
  ) {}

  get(id: string): StoredMessage | undefined {
    const message = this.byId.get(id);
    return message && !message.deleted ? message : undefined;
  }

  /** Non-deleted, non-ephemeral messages of a channel, oldest first. */
  inChannel(channelId: string): StoredMessage[] {
    return [...this.byId.values()].filter(
      (m) => m.channelId === channelId && !m.deleted && !(m.flags & MessageFlag.Ephemeral),
    );
  }

  add(message: StoredMessage): StoredMessage {
    this.byId.set(message.id, message);
    return message;
  }

  /** The author's live message created with this nonce within the window, if any. */
  byNonce(authorId: string, nonce: string, nowMs: number): StoredMessage | undefined {
    for (const message of this.byId.values())
      if (
        !message.deleted &&
        message.authorId === authorId &&
        message.nonce === nonce &&
        nowMs - (message.createdAtMs ?? 0) <= NONCE_WINDOW_MS
      )
        return message;
    return undefined;
  }

  /**
   * A page of a channel's messages, newest first, like GET /channels/{id}/messages: the newest
   * `limit`, or those just before `before`, or the oldest `limit` after `after`.
   */
  page(channelId: string, query: { limit: number; before?: string | null; after?: string | null }) {
    const all = this.inChannel(channelId).sort((a, b) => compareSnowflakes(a.id, b.id));
    if (query.after) {
      const after = query.after;
      return all
        .filter((m) => compareSnowflakes(m.id, after) > 0)
        .slice(0, query.limit)
        .reverse();
    }
    const before = query.before;
    const older = before ? all.filter((m) => compareSnowflakes(m.id, before) < 0) : all;
    return older.reverse().slice(0, query.limit);
  }

  /**
   * Applies a create/edit body. On edit, a present `attachments` array lists the existing attachments to
   * keep (by id) besides the new uploads, as on Discord; an absent one keeps them all.
   */
  applyBody(message: StoredMessage, body: MessageBody, files: UploadedFile[], isEdit: boolean): void {
    if (body.content !== undefined) message.content = body.content ?? '';
    if (body.embeds !== undefined) message.embeds = body.embeds ?? [];
    if (body.components !== undefined) message.components = body.components ?? [];
    if (isEdit && body.attachments) {
      const keep = new Set(body.attachments.map((a) => String(a.id)));
      message.attachments = message.attachments.filter((a) => keep.has(a.id));
    }
    files.forEach((file, index) => {
      const meta = body.attachments?.find((a) => String(a.id) === String(index));
      message.attachments.push(
        this.cdn.store({
          channelId: message.channelId,
          filename: typeof meta?.['filename'] === 'string' ? meta['filename'] : file.filename,
          contentType: file.contentType,
          bytes: file.bytes,
          description: meta?.description ?? null,
          upload: true,
        }),
      );
    });
    if (body.allowed_mentions !== undefined) message.allowedMentions = body.allowed_mentions;
  }

  payload(message: StoredMessage): Record<string, unknown> {
    const author = this.world.users.get(message.authorId);
    const reactions = [...message.reactions.values()]
      .filter((r) => r.userIds.size > 0)
      .map((r) => ({
        emoji: r.emoji,
        count: r.userIds.size,
        count_details: { burst: 0, normal: r.userIds.size },
        burst_colors: [],
        me_burst: false,
        burst_me: false,
        me: r.userIds.has(this.world.bot.id),
        burst_count: 0,
      }));
    return {
      id: message.id,
      type: message.type,
      channel_id: message.channelId,
      // DM messages have no guild.
      guild_id: message.guildId || undefined,
      author: author
        ? this.world.userPayload(author)
        : { id: message.authorId, username: 'unknown', discriminator: '0', avatar: null },
      content: message.content,
      timestamp: message.timestamp,
      edited_timestamp: message.editedTimestamp,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      mention_channels: [],
      attachments: message.attachments.map((a) => this.cdn.payload(a)),
      embeds: message.embeds,
      components: message.components,
      reactions: reactions.length ? reactions : undefined,
      pinned: false,
      flags: message.flags,
      webhook_id: message.webhookId ?? undefined,
      application_id: message.webhookId ?? undefined,
      interaction_metadata: message.interactionMetadata ?? undefined,
      message_reference: message.messageReferenceId
        ? {
            type: 0,
            message_id: message.messageReferenceId,
            channel_id: message.channelId,
            guild_id: message.guildId || undefined,
          }
        : undefined,
    };
  }
}
