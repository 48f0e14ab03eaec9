/**
 * The few ways the bot answers an interaction, all within Discord's 3 s acknowledgement window: a
 * direct (ephemeral) reply, or a defer followed by edits. A defer refused with 40060 / 10062 means
 * another session already took this interaction (two clients, or a replayed dispatch): stop quietly.
 * https://discord.com/developers/docs/interactions/receiving-and-responding
 */
import { type ButtonInteraction, MessageFlags, type RepliableInteraction } from 'discord.js';
import type { BotMessage } from '../../src/core/messages.js';
import { notice } from '../../src/core/replies.js';
import { isAlreadyAnswered } from './discord-errors.js';
import { renderMessage } from './render-message.js';

/** Interactions another session answered first: nothing more is sent for them. */
const takenElsewhere = new WeakSet<object>();

/** Whether Discord refused an answer because another session (or a replay) already gave one. */
export function answeredElsewhere(interaction: RepliableInteraction): boolean {
  return takenElsewhere.has(interaction);
}

/** Defers publicly (the reply becomes the job's status message) or privately. False: someone else has it. */
export async function defer(
  interaction: RepliableInteraction,
  visibility: 'public' | 'private',
): Promise<boolean> {
  try {
    await interaction.deferReply(visibility === 'private' ? { flags: MessageFlags.Ephemeral } : {});
    return true;
  } catch (error) {
    if (!isAlreadyAnswered(error)) throw error;
    takenElsewhere.add(interaction);
    return false;
  }
}

/** Acknowledges a button by editing its own message later (paging a list). False: someone else has it. */
export async function deferUpdate(interaction: ButtonInteraction): Promise<boolean> {
  try {
    await interaction.deferUpdate();
    return true;
  } catch (error) {
    if (!isAlreadyAnswered(error)) throw error;
    takenElsewhere.add(interaction);
    return false;
  }
}

/** A first answer only the person sees. */
export async function replyPrivately(interaction: RepliableInteraction, message: BotMessage): Promise<void> {
  try {
    await interaction.reply({ ...renderMessage(message), flags: MessageFlags.Ephemeral });
  } catch (error) {
    if (!isAlreadyAnswered(error)) throw error;
    takenElsewhere.add(interaction);
  }
}

export function usageNotice(text: string): BotMessage {
  return notice(text, 'warning');
}

/** Fills a deferred private reply. */
export async function finishPrivately(interaction: RepliableInteraction, message: BotMessage): Promise<void> {
  await interaction.editReply(renderMessage(message));
}

/**
 * A public defer whose command ended in a message for the asker only (a bad image, an unknown video):
 * the public "thinking…" message goes away and an ephemeral follow-up takes its place.
 */
export async function replaceWithPrivate(
  interaction: RepliableInteraction,
  message: BotMessage,
): Promise<void> {
  try {
    await interaction.deleteReply();
    await interaction.followUp({ ...renderMessage(message), flags: MessageFlags.Ephemeral });
  } catch {
    await interaction.editReply(renderMessage(message));
  }
}

/** Answers however the interaction stands now (not answered, deferred, replied). */
export async function answerPrivately(interaction: RepliableInteraction, message: BotMessage): Promise<void> {
  if (!interaction.deferred && !interaction.replied) return replyPrivately(interaction, message);
  if (interaction.ephemeral) return finishPrivately(interaction, message);
  return replaceWithPrivate(interaction, message);
}
