/**
 * The one global interactionCreate listener: remembers the guild's upload limit from every
 * interaction, then routes autocomplete, slash commands, context menus, buttons and modals. Handlers answer within
 * 3 s themselves; a handler that fails unexpectedly still gets a private "something went wrong".
 */
import type { Interaction } from 'discord.js';
import type { Logger } from '../../src/core/logger.js';
import { notice } from '../../src/core/replies.js';
import type { SoraCore } from '../../src/core/sora-core.js';
import type { KeyValues } from '../../src/store/key-values.js';
import type { AttachmentSource } from './attachment-download.js';
import { handleAutocomplete } from './autocomplete.js';
import { COMMAND_NAME } from './command-definitions.js';
import { handleButton, handleContextMenu, handleModalSubmit } from './component-handlers.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { loggableError } from './discord-errors.js';
import { answeredElsewhere, answerPrivately, replyPrivately } from './interaction-answers.js';
import { placeOf } from './interaction-context.js';
import type { InteractionTokens } from './interaction-tokens.js';
import { handleSlashCommand } from './slash-commands.js';
import type { UploadLimits } from './upload-limits.js';

export interface InteractionRouterDeps {
  core: SoraCore;
  /** The adapter's own records (the image an "Animate with Sora" modal waits for). */
  values: KeyValues;
  uploadLimits: UploadLimits;
  /** Attachment bytes, from Discord's CDN only (attachment-download.ts). */
  attachments: AttachmentSource;
  /** Tokens of interactions that answer for the bot where it is not a member (interaction-tokens.ts). */
  tokens: InteractionTokens;
  logger: Logger;
}

const UNKNOWN_ACTION = "That isn't something I can do here; `/sora help` lists what I can.";

/** Job starts at once per process; the rest wait (their interactions are already deferred). */
const CONCURRENT_JOB_STARTS = 8;

export class InteractionRouter {
  private readonly jobStarts = new ConcurrencyLimit(CONCURRENT_JOB_STARTS);

  constructor(private readonly deps: InteractionRouterDeps) {}

  /** Never rejects: errors are logged (without tokens) and answered privately when still possible. */
  async handle(interaction: Interaction): Promise<void> {
    try {
      await this.route(interaction);
      // Whatever no handler answered (a command, button or form this bot does not make, or one used
      // where it cannot work, such as a server form in a DM) still gets one private sentence rather
      // than Discord's "This interaction failed"; one another session answered gets nothing more.
      if (
        interaction.isRepliable() &&
        !interaction.deferred &&
        !interaction.replied &&
        !answeredElsewhere(interaction)
      )
        await replyPrivately(interaction, notice(UNKNOWN_ACTION, 'warning'));
    } catch (error) {
      this.deps.logger.warn({ err: loggableError(error), interaction: interaction.id }, 'interaction failed');
      if (!interaction.isRepliable()) return;
      await answerPrivately(
        interaction,
        notice('Something went wrong on my side; please try again.', 'error'),
      ).catch(() => undefined);
    } finally {
      // Per server, or per user-install scope where the bot answers through the interaction.
      const limitKey = placeOf(interaction)?.limitKey;
      if (limitKey)
        await this.deps.uploadLimits
          .remember(limitKey, interaction.attachmentSizeLimit)
          .catch((error: unknown) =>
            this.deps.logger.warn({ err: loggableError(error) }, 'could not store the upload limit'),
          );
    }
  }

  private async route(interaction: Interaction): Promise<void> {
    const deps = {
      core: this.deps.core,
      values: this.deps.values,
      jobStarts: this.jobStarts,
      attachments: this.deps.attachments,
      tokens: this.deps.tokens,
    };
    if (interaction.isAutocomplete())
      await handleAutocomplete({ core: this.deps.core, logger: this.deps.logger }, interaction);
    else if (interaction.isChatInputCommand()) {
      if (interaction.commandName === COMMAND_NAME) await handleSlashCommand(deps, interaction);
    } else if (interaction.isMessageContextMenuCommand()) await handleContextMenu(deps, interaction);
    else if (interaction.isButton()) await handleButton(deps, interaction);
    else if (interaction.isModalSubmit()) await handleModalSubmit(deps, interaction);
  }
}
