/**
 * Autocomplete of the `video` option (remix, status, delete): the person's own recent videos in this
 * workspace (the server, or their user-install scope outside servers) whose id or prompt contains
 * what they typed, newest first, each labelled by its prompt with the id as the value. Discord shows
 * at most 25 choices of at most 100 characters, and drops an answer that takes longer than 3 s; the
 * core reads a bounded number of records (recent-jobs.ts), and anything that fails answers no choices
 * rather than nothing. https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-autocomplete
 */
import type { AutocompleteInteraction } from 'discord.js';
import type { Logger } from '../../src/core/logger.js';
import type { JobView } from '../../src/core/messages.js';
import { truncate } from '../../src/core/render-text.js';
import type { SoraCore } from '../../src/core/sora-core.js';
import { COMMAND_NAME } from './command-definitions.js';
import { isAlreadyAnswered, loggableError } from './discord-errors.js';
import { requesterOf } from './interaction-context.js';

/** Discord's limits on an autocomplete answer. */
export const MAX_CHOICES = 25;
export const MAX_CHOICE_NAME = 100;
/** What is read at most for one keystroke (the person's newest videos): well inside the 3 s. */
const SCAN_LIMIT = 1_000;
/** A typed value longer than any id or useful prompt fragment is cut (Discord sends up to 6000). */
const MAX_NEEDLE = 100;

export interface AutocompleteDeps {
  core: SoraCore;
  logger: Logger;
}

export async function handleAutocomplete(
  { core, logger }: AutocompleteDeps,
  interaction: AutocompleteInteraction,
): Promise<void> {
  let choices: { name: string; value: string }[] = [];
  try {
    const focused = interaction.options.getFocused(true);
    if (interaction.commandName === COMMAND_NAME && focused.name === 'video') {
      const sub = interaction.options.getSubcommand(false);
      const videos = await core.recentVideos(requesterOf(interaction), {
        text: String(focused.value).slice(0, MAX_NEEDLE),
        limit: MAX_CHOICES,
        // Only a delivered video can be remixed; status and delete take any.
        states: sub === 'remix' ? ['delivered'] : undefined,
        scanLimit: SCAN_LIMIT,
      });
      choices = videos.map((v) => ({ name: choiceName(v), value: v.id }));
    }
  } catch (error) {
    logger.warn({ err: loggableError(error), interaction: interaction.id }, 'autocomplete failed');
  }
  try {
    await interaction.respond(choices);
  } catch (error) {
    // Another replica answered, or Discord gave up waiting: the person just sees no suggestions.
    if (!isAlreadyAnswered(error)) throw error;
  }
}

/** `a paper boat on a rainy street · k3f9qz (delivered)`: the prompt cut so the id always shows. */
export function choiceName(video: JobView): string {
  const suffix = ` · ${video.id}${video.state === 'delivered' ? '' : ` (${video.state})`}`;
  const prompt = video.prompt.replace(/\s+/g, ' ').trim();
  return `${truncate(prompt, MAX_CHOICE_NAME - suffix.length)}${suffix}`;
}
