/**
 * Remix and delete by reaction. A reaction has no interaction token, so it cannot open a modal: the
 * bot answers a 🔁 (DISCORD_REMIX_EMOJI) on a delivered video with a reply carrying a "Remix…" button,
 * whose click opens the modal; a ❌ by the requester or a moderator gets a "Delete" button the same
 * way. Reactions on messages from before a restart arrive as partials (ids only): the job is found by
 * the message's ids, so nothing needs fetching (docs/platforms.md, Discord > Reactions).
 */
import {
  ButtonStyle,
  type Client,
  ComponentType,
  Events,
  type MessageReaction,
  type PartialMessageReaction,
  type PartialUser,
  PermissionFlagsBits,
  type User,
} from 'discord.js';
import type { Logger } from '../../src/core/logger.js';
import type { SoraCore } from '../../src/core/sora-core.js';
import { DISCORD_PLATFORM, discordRequester, encodeMessageRef } from './conversation.js';
import { encodeComponentId } from './custom-ids.js';
import { loggableError } from './discord-errors.js';
import { NO_MENTIONS } from './render-message.js';

export interface ReactionDeps {
  client: Client;
  core: SoraCore;
  remixEmoji: string;
  deleteEmoji: string;
  logger: Logger;
}

export function listenForReactions(deps: ReactionDeps): void {
  deps.client.on(Events.MessageReactionAdd, (reaction, user) => {
    handleReaction(deps, reaction, user).catch((error: unknown) =>
      deps.logger.warn({ err: loggableError(error) }, 'reaction handling failed'),
    );
  });
}

export async function handleReaction(
  deps: ReactionDeps,
  reaction: MessageReaction | PartialMessageReaction,
  user: User | PartialUser,
): Promise<void> {
  const { client, core } = deps;
  if (user.id === client.user?.id || user.bot) return;
  const emoji = reaction.emoji.name;
  const wantsRemix = emoji === deps.remixEmoji;
  const wantsDelete = emoji === deps.deleteEmoji;
  if (!wantsRemix && !wantsDelete) return;
  let message = reaction.message;
  if (!message.guildId) message = await message.fetch();
  const guildId = message.guildId;
  if (!guildId) return;
  const job = await core.jobForMessage(
    DISCORD_PLATFORM,
    encodeMessageRef({ channelId: message.channelId, messageId: message.id }),
  );
  if (!job) return;
  if (wantsRemix && job.state !== 'delivered') return;
  if (wantsDelete) {
    const member = message.guild?.members.cache.get(user.id);
    const requester = discordRequester({
      guildId,
      userId: user.id,
      displayName: member?.displayName ?? user.username ?? null,
      canManageMessages:
        member?.permissionsIn(message.channelId).has(PermissionFlagsBits.ManageMessages) ?? false,
    });
    // Only the requester or a moderator is offered deletion; anyone else's ❌ is just a reaction.
    if (!(await core.mayDelete(requester, job.id))) return;
  }
  const channel = await client.channels.fetch(message.channelId);
  if (!channel?.isSendable()) return;
  await channel.send({
    content: wantsRemix
      ? `<@${user.id}>: remix \`${job.id}\`? Press the button and write what should change.`
      : `<@${user.id}>: delete \`${job.id}\`? This removes the video for everyone.`,
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.Button,
            style: wantsRemix ? ButtonStyle.Primary : ButtonStyle.Danger,
            label: wantsRemix ? 'Remix…' : 'Delete',
            custom_id: encodeComponentId({ kind: wantsRemix ? 'remix' : 'delete', jobId: job.id }),
          },
        ],
      },
    ],
    reply: { messageReference: message.id, failIfNotExists: false },
    allowedMentions: NO_MENTIONS,
  });
}
