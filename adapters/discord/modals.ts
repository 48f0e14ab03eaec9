/**
 * The two modals: the new prompt for a remix, and the prompt for animating an image. A modal must be
 * the first answer to an interaction (it cannot follow a defer), so buttons and context menus open it
 * directly (docs/platforms.md, Discord > Slash commands and interactions).
 */
import { type APIModalInteractionResponseCallbackData, ComponentType, TextInputStyle } from 'discord.js';
import { encodeComponentId, MODAL_FIELDS } from './custom-ids.js';

/** Discord caps a text input at 4000 characters. */
const PROMPT_INPUT_MAX = 4000;

function promptModal(
  customId: string,
  title: string,
  label: string,
  placeholder: string,
): APIModalInteractionResponseCallbackData {
  return {
    custom_id: customId,
    title,
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.TextInput,
            custom_id: MODAL_FIELDS.prompt,
            label,
            style: TextInputStyle.Paragraph,
            placeholder,
            required: true,
            min_length: 1,
            max_length: PROMPT_INPUT_MAX,
          },
        ],
      },
    ],
  };
}

export function remixModal(jobId: string): APIModalInteractionResponseCallbackData {
  return promptModal(
    encodeComponentId({ kind: 'remix_modal', jobId }),
    `Remix ${jobId}`,
    'What should change?',
    'make it night time, with snow falling',
  );
}

export function animateModal(key: string): APIModalInteractionResponseCallbackData {
  return promptModal(
    encodeComponentId({ kind: 'animate_modal', key }),
    'Animate this image with Sora',
    'What should happen in the video?',
    'the camera slowly pushes in as leaves drift past',
  );
}
