/**
 * What every interaction handler derives from an interaction: who asked (with Manage Messages as the
 * moderator bit), where (conversation and channel scope), whether the bot may post there (interaction
 * replies work without channel permissions but the later bot-token posts do not, so this is checked
 * from `app_permissions` before a job is created), and attachments as lazily fetched bytes.
 */
import {
  type Attachment as DiscordAttachment,
  type Interaction,
  PermissionFlagsBits,
  type PermissionsBitField,
} from 'discord.js';
import { z } from 'zod';
import type { Attachment } from '../../src/core/intents.js';
import type { RequesterInput } from '../../src/core/requester.js';
import {
  channelScope,
  conversationOf,
  type DiscordConversation,
  discordRequester,
  encodeConversation,
} from './conversation.js';

export function requesterOf(interaction: Interaction): RequesterInput {
  return discordRequester({
    guildId: interaction.guildId ?? '0',
    userId: interaction.user.id,
    displayName: interaction.user.displayName,
    canManageMessages: interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages) ?? false,
  });
}

export interface InteractionPlace {
  conversation: DiscordConversation;
  /** Encoded conversation (where the job's messages go). */
  encoded: string;
  /** Channel-level scope (list all). */
  scope: string;
}

export function placeOf(interaction: Interaction): InteractionPlace | undefined {
  if (!interaction.guildId || !interaction.channelId) return undefined;
  const channel = interaction.channel;
  const parentId = channel?.isThread() ? channel.parentId : null;
  const conversation = conversationOf(interaction.guildId, interaction.channelId, parentId);
  return { conversation, encoded: encodeConversation(conversation), scope: channelScope(conversation) };
}

const NEEDED_TO_DELIVER = [
  ['View Channel', PermissionFlagsBits.ViewChannel],
  ['Attach Files', PermissionFlagsBits.AttachFiles],
  ['Read Message History', PermissionFlagsBits.ReadMessageHistory],
] as const;

/** The permissions the bot lacks in this channel to post the finished video there (names), or []. */
export function missingPermissions(interaction: Interaction): string[] {
  const has: PermissionsBitField = interaction.appPermissions;
  const inThread = interaction.channel?.isThread() ?? false;
  const send = inThread
    ? (['Send Messages in Threads', PermissionFlagsBits.SendMessagesInThreads] as const)
    : (['Send Messages', PermissionFlagsBits.SendMessages] as const);
  return [...NEEDED_TO_DELIVER, send].filter(([, bit]) => !has.has(bit)).map(([name]) => name);
}

/** Images larger than this are refused before download (the core's own cap is 20 MB). */
const MAX_DOWNLOAD_BYTES = 25 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 30_000;

/** The attachment fields kept between a context menu and its modal (in the store, as JSON). */
export const StoredAttachmentSchema = z.object({
  url: z.string().url(),
  filename: z.string().min(1),
  contentType: z.string().nullable(),
  bytes: z.number().int().nonnegative().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
});
export type StoredAttachment = z.infer<typeof StoredAttachmentSchema>;

export function storedAttachmentOf(a: DiscordAttachment): StoredAttachment {
  return {
    url: a.url,
    filename: a.name,
    contentType: a.contentType ?? null,
    bytes: a.size ?? null,
    width: a.width ?? null,
    height: a.height ?? null,
  };
}

export function isImageAttachment(a: DiscordAttachment): boolean {
  return a.contentType ? a.contentType.startsWith('image/') : /\.(jpe?g|png|webp)$/i.test(a.name);
}

/**
 * The core's Attachment: metadata now, bytes on `fetch()`. Discord CDN links are signed and expire,
 * and the core fetches (then sniffs the real bytes) as soon as it starts preparing the job.
 */
export function coreAttachment(a: StoredAttachment): Attachment {
  return {
    filename: a.filename,
    contentType: a.contentType,
    bytes: a.bytes,
    fetch: async () => {
      const response = await fetch(a.url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`the attachment download answered ${response.status}`);
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > MAX_DOWNLOAD_BYTES) throw new Error('the attachment is too large');
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.byteLength > MAX_DOWNLOAD_BYTES) throw new Error('the attachment is too large');
      return bytes;
    },
  };
}
