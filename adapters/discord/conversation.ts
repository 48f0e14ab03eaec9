/**
 * Discord identities. A conversation is `discord:GUILD:CHANNEL` (a text channel) or
 * `discord:GUILD:CHANNEL:THREAD` (a thread under that channel); the bot posts into the innermost one.
 * A message reference is `CHANNEL:MESSAGE` (the channel or thread that holds it): with it every later
 * edit goes through the bot token (`PATCH /channels/{c}/messages/{m}`), never through the interaction
 * token, which dies 15 minutes after the command (docs/platforms.md, Discord).
 */
import type { RequesterInput } from '../../src/core/requester.js';

export const DISCORD_PLATFORM = 'discord';

export interface DiscordConversation {
  guildId: string;
  channelId: string;
  threadId: string | null;
}

export interface DiscordMessageRef {
  channelId: string;
  messageId: string;
}

const SNOWFLAKE = '\\d{1,20}';
const CONVERSATION_PATTERN = new RegExp(`^discord:(${SNOWFLAKE}):(${SNOWFLAKE})(?::(${SNOWFLAKE}))?$`);
const MESSAGE_REF_PATTERN = new RegExp(`^(${SNOWFLAKE}):(${SNOWFLAKE})$`);

export function encodeConversation(c: DiscordConversation): string {
  return c.threadId
    ? `discord:${c.guildId}:${c.channelId}:${c.threadId}`
    : `discord:${c.guildId}:${c.channelId}`;
}

/** The Discord conversation, or undefined for anything that is not one. */
export function decodeConversation(conversation: string): DiscordConversation | undefined {
  const match = CONVERSATION_PATTERN.exec(conversation);
  if (!match) return undefined;
  return { guildId: match[1]!, channelId: match[2]!, threadId: match[3] ?? null };
}

/** Where messages of the conversation go: the thread if there is one, else the channel. */
export function postingChannel(c: DiscordConversation): string {
  return c.threadId ?? c.channelId;
}

/** The channel-level scope (what `/sora list all:true` lists): threads count as their parent channel. */
export function channelScope(c: DiscordConversation): string {
  return encodeConversation({ ...c, threadId: null });
}

/**
 * The conversation of an interaction or message in `channelId`; `parentId` is set when that channel
 * is a thread.
 */
export function conversationOf(
  guildId: string,
  channelId: string,
  parentId: string | null,
): DiscordConversation {
  return parentId
    ? { guildId, channelId: parentId, threadId: channelId }
    : { guildId, channelId, threadId: null };
}

export function encodeMessageRef(ref: DiscordMessageRef): string {
  return `${ref.channelId}:${ref.messageId}`;
}

export function decodeMessageRef(ref: string): DiscordMessageRef | undefined {
  const match = MESSAGE_REF_PATTERN.exec(ref);
  return match ? { channelId: match[1]!, messageId: match[2]! } : undefined;
}

export function discordRequester(input: {
  guildId: string;
  userId: string;
  displayName: string | null;
  /** Manage Server in the guild, from roles (guild-admin.ts); SORA_ADMINS is added by the core. */
  isGuildAdmin: boolean;
}): RequesterInput {
  return {
    platform: DISCORD_PLATFORM,
    workspace: input.guildId,
    user: input.userId,
    ...(input.displayName ? { displayName: input.displayName } : {}),
    isAdmin: input.isGuildAdmin,
  };
}
