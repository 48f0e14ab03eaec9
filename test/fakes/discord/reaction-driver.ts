import type { FakeContext } from './context.js';
import { emojiKey } from './messages.js';

export interface ReactionAddInput {
  messageId: string;
  /** Default: the message's channel if the fake knows the message, else the first channel. */
  channelId?: string;
  /** Default: the first configured user. */
  userId?: string;
  /** A unicode emoji ('🎬') or a custom one `{ id, name }`. */
  emoji: string | { id: string; name: string };
}

/**
 * MESSAGE_REACTION_ADD as Discord sends it: ids only plus `member`, never the message, so a client that
 * never saw the message gets a partial (needs partials Message, Channel, Reaction, then `reaction.fetch()`).
 * https://discord.com/developers/docs/events/gateway-events#message-reaction-add
 */
export function dispatchReactionAdd(ctx: FakeContext, input: ReactionAddInput): number[] {
  const known = ctx.messages.get(input.messageId);
  const channelId =
    input.channelId ?? known?.channelId ?? ctx.world.defaultChannelOf(ctx.world.defaultGuild.id).id;
  const channel = ctx.world.channels.get(channelId);
  if (!channel) throw new Error(`fake discord: unknown channel ${channelId}`);
  const guild = ctx.world.guild(channel.guildId)!;
  const user = ctx.world.users.get(input.userId ?? ctx.world.defaultUser.id);
  if (!user) throw new Error(`fake discord: unknown user ${input.userId}`);
  const emoji = typeof input.emoji === 'string' ? { id: null, name: input.emoji } : input.emoji;
  if (known) {
    const key = emojiKey(emoji);
    const reaction = known.reactions.get(key) ?? { emoji, userIds: new Set<string>() };
    reaction.userIds.add(user.id);
    known.reactions.set(key, reaction);
  }
  return ctx.gateway.dispatch('MESSAGE_REACTION_ADD', {
    type: 0,
    user_id: user.id,
    channel_id: channel.id,
    message_id: input.messageId,
    guild_id: guild.id,
    member: ctx.world.memberPayload(guild, user),
    emoji:
      typeof input.emoji === 'string' ? { id: null, name: input.emoji } : { ...input.emoji, animated: false },
    message_author_id: known?.authorId,
    burst: false,
    burst_colors: [],
  });
}
