/**
 * The two modals: the new prompt for a remix, and the prompt (with length and model) for animating an
 * image. A modal must be the first answer to an interaction (it cannot follow a defer), so buttons and
 * context menus open it directly (docs/platforms.md, Discord > Slash commands and interactions).
 *
 * Prices: a Discord modal is sent once and cannot change while it is open (no event reaches the bot
 * until it is submitted), so the cost is written into it up front: the remix's in its title (a remix
 * keeps the original's length, size and model), and for "Animate with Sora" each length option says
 * what it costs and each model option its price per second, from the core's estimate.
 */
import {
  type APILabelComponent,
  type APIModalInteractionResponseCallbackData,
  type APISelectMenuOption,
  ComponentType,
  type ModalSubmitFields,
  TextInputStyle,
} from 'discord.js';
import type { UsageField, UsageProblem } from '../../src/core/intents.js';
import { formatUsd } from '../../src/core/pricing.js';
import type { ProviderCapabilities } from '../../src/sora/capabilities.js';
import { encodeComponentId, MODAL_FIELDS } from './custom-ids.js';

/** Discord caps a text input at 4000 characters. */
const PROMPT_INPUT_MAX = 4000;
/** Modal titles and labels: 45 characters; label descriptions and option labels: 100. */
const TITLE_MAX = 45;

/** What the modals need from the core to show prices (SoraCore has all three). */
export interface ModalPricing {
  capabilities: ProviderCapabilities;
  defaultModel: string;
  estimateCost(options: { model: string; size: string; seconds: string }): number;
}

/** A remix costs what a video of the original's length, size and model costs. */
export function remixCost(
  pricing: Pick<ModalPricing, 'estimateCost'>,
  job: { model: string; size: string; seconds: string } | undefined,
): number | null {
  return job ? pricing.estimateCost({ model: job.model, size: job.size, seconds: job.seconds }) : null;
}

export function remixModal(
  jobId: string,
  costMicros: number | null,
): APIModalInteractionResponseCallbackData {
  const title = `Remix ${jobId}`;
  const priced = costMicros === null ? title : `${title} · about ${formatUsd(costMicros)}`;
  return {
    custom_id: encodeComponentId({ kind: 'remix_modal', jobId }),
    title: priced.length <= TITLE_MAX ? priced : title,
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.TextInput,
            custom_id: MODAL_FIELDS.prompt,
            label: 'What should change?',
            style: TextInputStyle.Paragraph,
            placeholder: 'make it night time, with snow falling',
            required: true,
            min_length: 1,
            max_length: PROMPT_INPUT_MAX,
          },
        ],
      },
    ],
  };
}

/**
 * A problem with a modal's submission, naming the field at fault: a Discord modal cannot mark a field
 * (no inline errors, and it is closed once submitted), so the private answer says which one.
 */
export function modalProblemText(problem: UsageProblem): string {
  const label = MODAL_LABELS[problem.field];
  return label ? `**${label}**: ${problem.message}` : problem.message;
}

const MODAL_LABELS: Partial<Record<UsageField, string>> = {
  prompt: 'Prompt',
  seconds: 'Length',
  model: 'Model',
  image: 'Image',
};

/**
 * `size` is the frame the picture's shape will choose (720x1280 or 1280x720; the core decides it from
 * the downloaded bytes), for the prices shown.
 */
export function animateModal(
  key: string,
  size: string,
  pricing: ModalPricing,
): APIModalInteractionResponseCallbackData {
  const models = Object.values(pricing.capabilities.models).filter((m) => m !== undefined);
  const chosen = models.find((m) => m.model === pricing.defaultModel) ?? models[0];
  const components: APILabelComponent[] = [
    {
      type: ComponentType.Label,
      label: 'What should happen in the video?',
      component: {
        type: ComponentType.TextInput,
        custom_id: MODAL_FIELDS.prompt,
        style: TextInputStyle.Paragraph,
        placeholder: 'the camera slowly pushes in as leaves drift past',
        required: true,
        min_length: 1,
        max_length: PROMPT_INPUT_MAX,
      },
    },
  ];
  if (chosen) {
    const perSecond = (model: string) => formatUsd(pricing.estimateCost({ model, size, seconds: '1' }));
    components.push(
      select(
        'Length',
        `Prices for ${chosen.model} at ${size} (${perSecond(chosen.model)} a second)`,
        MODAL_FIELDS.seconds,
        chosen.seconds.map((seconds) => ({
          label: `${seconds} seconds · about ${formatUsd(pricing.estimateCost({ model: chosen.model, size, seconds }))}`,
          value: seconds,
          default: seconds === chosen.defaultSeconds,
        })),
      ),
    );
    if (models.length > 1)
      components.push(
        select(
          'Model',
          'The length prices above are for the default model; this form cannot update them.',
          MODAL_FIELDS.model,
          models.map((m) => ({
            label: `${m.model} · ${perSecond(m.model)} a second`,
            value: m.model,
            default: m === chosen,
          })),
        ),
      );
  }
  return {
    custom_id: encodeComponentId({ kind: 'animate_modal', key }),
    title: 'Animate this image with Sora',
    components,
  };
}

function select(
  label: string,
  description: string,
  customId: string,
  options: APISelectMenuOption[],
): APILabelComponent {
  return {
    type: ComponentType.Label,
    label,
    description: description.slice(0, 100),
    component: {
      type: ComponentType.StringSelect,
      custom_id: customId,
      options: options.slice(0, 25),
      min_values: 1,
      max_values: 1,
      required: false,
    },
  };
}

/**
 * The length and model chosen in an animate modal, as flags for the core's parser (which checks them
 * against the provider). A value that is not a plain number or model name is ignored, and a field the
 * submission lacks (a modal opened before this version) leaves the default.
 */
export function animateFlags(fields: ModalSubmitFields): string[] {
  const flags: string[] = [];
  const seconds = selected(fields, MODAL_FIELDS.seconds);
  const model = selected(fields, MODAL_FIELDS.model);
  if (seconds && /^\d{1,3}$/.test(seconds)) flags.push('--seconds', seconds);
  if (model && /^[a-z0-9][a-z0-9.-]{0,63}$/.test(model)) flags.push('--model', model);
  return flags;
}

/**
 * The prompt typed into a modal, or undefined when the submission has no such text input (a forged or
 * malformed one): discord.js's getTextInputValue would throw, and that is not the person's fault.
 */
export function promptField(fields: ModalSubmitFields): string | undefined {
  const field = fields.fields.get(MODAL_FIELDS.prompt);
  return field && field.type === ComponentType.TextInput && typeof field.value === 'string'
    ? field.value
    : undefined;
}

function selected(fields: ModalSubmitFields, customId: string): string | undefined {
  const field = fields.fields.get(customId);
  return field && field.type === ComponentType.StringSelect ? field.values[0] : undefined;
}
