import type { FakeContext } from './context.js';
import { DiscordErrors, type UploadedFile } from './http-io.js';
import { MessageFlag, parseMessageBody, type StoredMessage } from './messages.js';
import type { MessageWriteKind } from './recorder.js';
import type { ChannelRecord } from './world.js';

/**
 * Creating and editing messages, shared by channel routes (bot token) and interaction routes (interaction
 * token), with the checks Discord makes: body shape, non-empty, per-attachment size limit of the guild.
 */
export interface WriteInput {
  body: unknown;
  files: UploadedFile[];
  kind: MessageWriteKind;
  callIndex: number;
}

/** 413 / 40005 when a file exceeds the guild's limit (https://discord.com/developers/docs/reference#uploading-files). */
export function checkAttachmentSizes(ctx: FakeContext, guildId: string, files: UploadedFile[]): void {
  const limit = ctx.world.guild(guildId)?.attachmentSizeLimit ?? Number.POSITIVE_INFINITY;
  if (files.some((f) => f.size > limit)) throw DiscordErrors.entityTooLarge();
}

export function createMessage(
  ctx: FakeContext,
  channel: ChannelRecord,
  input: WriteInput & {
    authorId: string;
    type?: number;
    extraFlags?: number;
    webhookId?: string | null;
    interactionMetadata?: Record<string, unknown> | null;
    allowEmpty?: boolean;
    /** A deferred reply writes no content, so it is not a message write worth recording. */
    silentRecord?: boolean;
  },
): StoredMessage {
  const body = parseMessageBody(input.body);
  const hasContent =
    Boolean(body.content) ||
    Boolean(body.embeds?.length) ||
    Boolean(body.components?.length) ||
    input.files.length > 0 ||
    body['sticker_ids'] !== undefined ||
    body['poll'] !== undefined;
  if (!hasContent && !input.allowEmpty) throw DiscordErrors.emptyMessage();
  checkAttachmentSizes(ctx, channel.guildId, input.files);
  const flags = ((body.flags ?? 0) & MessageFlag.Ephemeral) | (input.extraFlags ?? 0);
  const reference = body.message_reference?.message_id ?? null;
  const message = ctx.messages.add({
    id: ctx.nextId(),
    channelId: channel.id,
    guildId: channel.guildId,
    authorId: input.authorId,
    content: '',
    embeds: [],
    components: [],
    attachments: [],
    flags,
    type: input.type ?? (reference ? 19 : 0),
    timestamp: ctx.nowIso(),
    editedTimestamp: null,
    reactions: new Map(),
    messageReferenceId: reference,
    webhookId: input.webhookId ?? null,
    interactionMetadata: input.interactionMetadata ?? null,
    deleted: false,
    allowedMentions: undefined,
  });
  ctx.messages.applyBody(message, body, input.files, false);
  if (!input.silentRecord) recordWrite(ctx, message, input, body.content ?? undefined, body.allowed_mentions);
  return message;
}

export function editMessage(ctx: FakeContext, message: StoredMessage, input: WriteInput): StoredMessage {
  const body = parseMessageBody(input.body);
  checkAttachmentSizes(ctx, message.guildId, input.files);
  ctx.messages.applyBody(message, body, input.files, true);
  message.flags &= ~MessageFlag.Loading;
  if (body.flags !== undefined && body.flags !== null) {
    // Only SUPPRESS_EMBEDS (4) may change on edit; ephemeral stays as it was.
    message.flags = (message.flags & ~4) | (body.flags & 4);
  }
  message.editedTimestamp = ctx.nowIso();
  recordWrite(ctx, message, input, body.content ?? undefined, body.allowed_mentions);
  return message;
}

function recordWrite(
  ctx: FakeContext,
  message: StoredMessage,
  input: WriteInput,
  content: string | undefined,
  allowedMentions: unknown,
): void {
  ctx.recorder.recordMessageWrite({
    callIndex: input.callIndex,
    kind: input.kind,
    channelId: message.channelId,
    messageId: message.id,
    content,
    allowedMentions,
  });
}
