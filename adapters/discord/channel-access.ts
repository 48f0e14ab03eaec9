/**
 * Turning the surface's addresses into Discord objects: a conversation string into its guild and
 * channel, a channel id into a channel the bot may post in (only within the conversation's guild, so a
 * forged reference cannot reach another server), and a posted message into its `CHANNEL:MESSAGE` ref.
 */
import type { Client, Message, SendableChannels } from 'discord.js';
import { SurfaceError } from '../../src/core/surface.js';
import { type DiscordConversation, decodeConversation, encodeMessageRef } from './conversation.js';
import { toSurfaceError } from './discord-errors.js';

/** The conversation's guild and channel; a string that is not one is the core's mistake, not Discord's. */
export function decode(conversation: string): DiscordConversation {
  const c = decodeConversation(conversation);
  if (!c) throw new SurfaceError('platform_error', `not a Discord conversation: ${conversation}`, false);
  return c;
}

export function refOf(message: Message): string {
  return encodeMessageRef({ channelId: message.channelId, messageId: message.id });
}

/** The channel, if the bot can post there and it belongs to the conversation's guild. */
export async function sendableChannel(
  client: Client,
  channelId: string,
  c: DiscordConversation,
): Promise<SendableChannels> {
  let channel: Awaited<ReturnType<Client['channels']['fetch']>>;
  try {
    channel = await client.channels.fetch(channelId);
  } catch (error) {
    throw toSurfaceError(error, channelId);
  }
  if (!channel?.isSendable() || !('guildId' in channel) || channel.guildId !== c.guildId)
    throw new SurfaceError('not_in_channel', `I can't post in <#${channelId}>.`, false);
  return channel;
}
