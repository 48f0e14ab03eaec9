/**
 * What every interaction handler derives from an interaction: who asked (admin: Manage Server at the
 * guild level, guild-admin.ts), where (conversation and channel scope, or, where the bot is not a
 * member, the interaction itself: app-conversation.ts), whether the bot may post there (interaction
 * replies work without channel permissions but the later bot-token posts do not, so this is checked
 * from `app_permissions` before a job is created), and attachments as lazily fetched bytes.
 */
import type { Attachment as DiscordAttachment, Interaction, PermissionsBitField } from 'discord.js';
import { z } from 'zod';
import type { Attachment } from '../../src/core/intents.js';
import type { RequesterInput } from '../../src/core/requester.js';
import {
  type AppConversation,
  appChannelScope,
  encodeAppConversation,
  userInstallScope,
} from './app-conversation.js';
import type { AttachmentSource } from './attachment-download.js';
import {
  channelScope,
  conversationOf,
  type DiscordConversation,
  discordRequester,
  encodeConversation,
} from './conversation.js';
import { interactionIsAdmin } from './guild-admin.js';
import { BOT_PERMISSIONS } from './invite.js';

export function requesterOf(interaction: Interaction): RequesterInput {
  return discordRequester({
    guildId: workspaceOf(interaction),
    userId: interaction.user.id,
    displayName: interaction.user.displayName,
    isGuildAdmin: interactionIsAdmin(interaction),
  });
}

/** The workspace of whoever acts here: the server, or outside servers their own user-install scope. */
export function workspaceOf(interaction: Interaction): string {
  return interaction.guildId ?? userInstallScope(interaction.user.id);
}

export interface InteractionPlace {
  /** The server channel the bot posts in; null when it answers through the interaction (`app`). */
  conversation: DiscordConversation | null;
  /** Set where the bot is not a member: everything goes through the interaction (app-delivery.ts). */
  app: AppConversation | null;
  /** Encoded conversation (where the job's messages go). */
  encoded: string;
  /** Channel-level scope (list all). */
  scope: string;
  /** Under which key the upload limit the interaction reported is kept (upload-limits.ts). */
  limitKey: string;
}

export function placeOf(interaction: Interaction): InteractionPlace | undefined {
  if (!interaction.channelId) return undefined;
  if (answersThroughInteraction(interaction)) {
    const app: AppConversation = {
      scope: workspaceOf(interaction),
      channelId: interaction.channelId,
      interactionId: interaction.id,
      userId: interaction.user.id,
    };
    return {
      conversation: null,
      app,
      encoded: encodeAppConversation(app),
      scope: appChannelScope(app),
      limitKey: app.scope,
    };
  }
  if (!interaction.guildId) return undefined;
  const channel = interaction.channel;
  const parentId = channel?.isThread() ? channel.parentId : null;
  const conversation = conversationOf(interaction.guildId, interaction.channelId, parentId);
  return {
    conversation,
    app: null,
    encoded: encodeConversation(conversation),
    scope: channelScope(conversation),
    limitKey: interaction.guildId,
  };
}

/**
 * Whether the bot is not a member where the interaction happened, so that it can answer only through
 * the interaction: outside servers (a DM, a group DM, its own DM: `context` 1 or 2, no guild), in a
 * server it is not in (discord.js caches every guild the bot is in through the Guilds intent; a
 * user-installed command there has only the user in `authorizing_integration_owners`), or in a
 * channel where it may not post while the person has the app installed to their account.
 */
export function answersThroughInteraction(interaction: Interaction): boolean {
  if (!interaction.guildId) return true;
  if (!interaction.client.guilds.cache.has(interaction.guildId)) return true;
  const userInstalled = Boolean(interaction.authorizingIntegrationOwners?.userId);
  return userInstalled && missingPermissions(interaction).length > 0;
}

// From the invite's list (invite.ts), so the check never asks for a permission the invite lacks.
const NEEDED_TO_DELIVER = [
  BOT_PERMISSIONS.ViewChannel,
  BOT_PERMISSIONS.AttachFiles,
  BOT_PERMISSIONS.ReadMessageHistory,
] as const;

/** The permissions the bot lacks in this channel to post the finished video there (names), or []. */
export function missingPermissions(interaction: Interaction): string[] {
  return missingToDeliver(interaction.appPermissions, interaction.channel?.isThread() ?? false);
}

/** The same, from the bot's permissions in a channel (`inThread`: it posts with Send Messages in Threads). */
export function missingToDeliver(has: Readonly<PermissionsBitField>, inThread: boolean): string[] {
  const send = inThread ? BOT_PERMISSIONS.SendMessagesInThreads : BOT_PERMISSIONS.SendMessages;
  return [...NEEDED_TO_DELIVER, send].filter(({ bit }) => !has.has(bit)).map(({ name }) => name);
}

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
 * and the core fetches (then sniffs the real bytes) as soon as it starts preparing the job. The
 * download itself (allowed hosts, timeouts, byte cap, no credentials) is attachment-download.ts.
 */
export function coreAttachment(a: StoredAttachment, source: AttachmentSource): Attachment {
  return {
    filename: a.filename,
    contentType: a.contentType,
    bytes: a.bytes,
    fetch: () => source.download(a.url),
  };
}
