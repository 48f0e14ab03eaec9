/**
 * Remix and delete by reaction. A reaction has no interaction token, so it can neither open a modal nor
 * be answered ephemerally: the bot answers a 🔁 (DISCORD_REMIX_EMOJI) on a delivered video, or a ❌ by
 * the requester or an admin, in a **DM** to the person who reacted, with a "Remix…" or "Delete" button
 * (dm-actions.ts handles the click there). Only when that person accepts no DMs from the bot does a
 * short public reply go to the channel instead, mentioning no one.
 *
 * A reaction costs nothing to toggle, so each person gets one answer per message and action a minute
 * (a once-only mark in the adapter's store, so replicas agree): toggling 🔁 ten times is one DM.
 *
 * Reactions on messages from before a restart arrive as partials (ids only): the job is found by the
 * message's ids, so nothing needs fetching (docs/platforms.md, Discord > Reactions).
 */
import {
  ButtonStyle,
  type Client,
  ComponentType,
  Events,
  type MessageCreateOptions,
  type MessageReaction,
  type PartialMessageReaction,
  type PartialUser,
  type User,
} from 'discord.js';
import type { Logger } from '../../src/core/logger.js';
import type { JobView } from '../../src/core/messages.js';
import type { SoraCore } from '../../src/core/sora-core.js';
import type { KeyValues } from '../../src/store/key-values.js';
import { DISCORD_PLATFORM, discordRequester, encodeMessageRef } from './conversation.js';
import { encodeComponentId } from './custom-ids.js';
import { isCannotDm, loggableError } from './discord-errors.js';
import { isGuildAdmin, memberOf } from './guild-admin.js';
import { NO_MENTIONS } from './render-message.js';

export interface ReactionDeps {
  client: Client;
  core: SoraCore;
  /** The adapter's records: the once-a-minute marks. */
  values: KeyValues;
  remixEmoji: string;
  deleteEmoji: string;
  logger: Logger;
}

/** Repeated reactions by one person on one message, for one action, within this window answer once. */
export const REACTION_REPEAT_WINDOW_MS = 60_000;
/** Under the adapter's namespace: `discord:once:reaction:MESSAGE:USER:ACTION`. */
const repeatKey = (messageId: string, userId: string, action: Action) =>
  `reaction:${messageId}:${userId}:${action}`;

type Action = 'remix' | 'delete';

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
  const action: Action | null =
    emoji === deps.remixEmoji ? 'remix' : emoji === deps.deleteEmoji ? 'delete' : null;
  if (!action) return;
  let message = reaction.message;
  if (!message.guildId) message = await message.fetch();
  const guildId = message.guildId;
  if (!guildId) return;
  const job = await core.jobForMessage(
    DISCORD_PLATFORM,
    encodeMessageRef({ channelId: message.channelId, messageId: message.id }),
  );
  if (!job) return;
  if (action === 'remix' && job.state !== 'delivered') return;
  if (action === 'delete') {
    const member = await memberOf(message.guild, user.id);
    const requester = discordRequester({
      guildId,
      userId: user.id,
      displayName: member?.displayName ?? user.username ?? null,
      isGuildAdmin: isGuildAdmin(member),
    });
    // Only the requester or an admin is offered deletion; anyone else's ❌ is just a reaction.
    if (!(await core.mayDelete(requester, job.id))) return;
  }
  if (!(await deps.values.markOnce(repeatKey(message.id, user.id, action), REACTION_REPEAT_WINDOW_MS)))
    return;
  try {
    const dm = await client.users.createDM(user.id);
    await dm.send(privateOffer(action, job, message.channelId));
  } catch (error) {
    if (!isCannotDm(error)) throw error;
    // DMs closed: one short reply under the video, which names and pings no one.
    const channel = await client.channels.fetch(message.channelId);
    if (!channel?.isSendable()) return;
    await channel.send({
      ...publicOffer(action, job),
      reply: { messageReference: message.id, failIfNotExists: false },
    });
  }
}

function privateOffer(action: Action, job: JobView, channelId: string): MessageCreateOptions {
  // <#id> names the channel (a link into it, never a ping).
  const text =
    action === 'remix'
      ? `You reacted to video \`${job.id}\` in <#${channelId}>. Remix it? Press **Remix…** and write what should change, or **Again** for a new render of the same prompt; the new video is posted in that channel.`
      : `You reacted ❌ to video \`${job.id}\` in <#${channelId}>. Delete it? This removes the video for everyone.`;
  return { content: text, components: [buttonRow(action, job.id)], allowedMentions: NO_MENTIONS };
}

function publicOffer(action: Action, job: JobView): MessageCreateOptions {
  const text =
    action === 'remix'
      ? `Remix \`${job.id}\`? Press the button and write what should change.`
      : `Delete \`${job.id}\`? Only its owner or an admin can.`;
  return { content: text, components: [buttonRow(action, job.id)], allowedMentions: NO_MENTIONS };
}

/** 🔁 offers Remix… and Again (the same prompt, a new render), as under the video; ❌ offers Delete. */
function buttonRow(action: Action, jobId: string) {
  const button = (kind: 'remix' | 'again' | 'delete', label: string, style: ButtonStyle) => ({
    type: ComponentType.Button,
    style,
    label,
    custom_id: encodeComponentId({ kind, jobId }),
  });
  return {
    type: ComponentType.ActionRow,
    components:
      action === 'remix'
        ? [button('remix', 'Remix…', ButtonStyle.Primary), button('again', 'Again', ButtonStyle.Secondary)]
        : [button('delete', 'Delete', ButtonStyle.Danger)],
  } as const;
}
