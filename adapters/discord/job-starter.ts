/**
 * Starts a generate or remix job from a deferred (public) interaction. The core's `announce` hook
 * turns the deferred reply into the job's status message: it is edited once through the interaction
 * token (seconds after the command), and its `CHANNEL:MESSAGE` reference is what the core stores, so
 * every later edit and the delivery go through the bot token. The interaction id is the idempotency
 * key: a replayed interaction or a second process creates no second job.
 */
import type { RepliableInteraction } from 'discord.js';
import type { Attachment, Intent } from '../../src/core/intents.js';
import { notice } from '../../src/core/replies.js';
import type { SoraCore } from '../../src/core/sora-core.js';
import type { AttachmentSource } from './attachment-download.js';
import type { ConcurrencyLimit } from './concurrency-limit.js';
import { encodeMessageRef } from './conversation.js';
import { toSurfaceError } from './discord-errors.js';
import { answerPrivately, replaceWithPrivate } from './interaction-answers.js';
import { type InteractionPlace, requesterOf } from './interaction-context.js';
import type { InteractionTokens } from './interaction-tokens.js';
import { renderMessage } from './render-message.js';

export function idempotencyKeyOf(interaction: RepliableInteraction): string {
  return `discord:interaction:${interaction.id}`;
}

export interface JobStartDeps {
  core: SoraCore;
  /** Bounds how many job starts (image download and fit, ledger writes) run at once. */
  jobStarts: ConcurrencyLimit;
  /** Attachment bytes, from Discord's CDN only (attachment-download.ts). */
  attachments: AttachmentSource;
  /** Tokens of interactions that answer for the bot where it is not a member. */
  tokens: InteractionTokens;
}

export async function startJob(
  { core, jobStarts, tokens }: JobStartDeps,
  interaction: RepliableInteraction,
  place: InteractionPlace,
  intent: Intent,
  attachment: Attachment | null,
): Promise<void> {
  // Where the bot is not a member, every later edit and the video go through this interaction, so
  // its token is kept (for its 15 minutes only) where the surface of any replica finds it.
  if (place.app)
    await tokens.remember({
      id: interaction.id,
      token: interaction.token,
      applicationId: interaction.applicationId,
    });
  const outcome = await jobStarts.run(() =>
    core.run({
      requester: requesterOf(interaction),
      channel: place.scope,
      conversation: place.encoded,
      intent,
      attachment,
      idempotencyKey: idempotencyKeyOf(interaction),
      announce: async (message) => {
        let sent: Awaited<ReturnType<RepliableInteraction['editReply']>>;
        try {
          sent = await interaction.editReply(renderMessage(message));
        } catch (error) {
          // The core logs this error: never let the interaction token (in the URL) reach the log.
          throw toSurfaceError(error, interaction.channelId ?? place.conversation?.channelId ?? '0');
        }
        return {
          conversation: place.encoded,
          statusRef: encodeMessageRef({ channelId: sent.channelId, messageId: sent.id }),
        };
      },
    }),
  );
  if (outcome.kind === 'reply') {
    await replaceWithPrivate(interaction, outcome.message);
    return;
  }
  if (outcome.duplicate)
    await answerPrivately(
      interaction,
      notice(`Already working on that: video \`${outcome.job.id}\`.`, 'info'),
    );
}
