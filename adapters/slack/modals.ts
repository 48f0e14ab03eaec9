/**
 * The two modals: "Make a video" (from `/sora` with no text, or the "Animate with Sora" shortcut) and
 * "Remix" (from a Remix button). Modal limits (docs/platforms.md, "Modals"): title, submit and
 * close at most 24 characters; the conversation, file and job travel in `private_metadata` (3000
 * characters). Submissions are validated with the core's own rules, and problems are shown next to
 * the field (`response_action: errors`): https://api.slack.com/surfaces/modals#displaying_errors
 */
import { z } from 'zod';
import { resolveGenerate } from '../../src/core/generate-check.js';
import type { AttachmentMeta, GenerateIntent, ImageFit, UsageField } from '../../src/core/intents.js';
import type { JobView } from '../../src/core/messages.js';
import { formatUsd } from '../../src/core/pricing.js';
import { modelFamily, type ProviderCapabilities } from '../../src/sora/capabilities.js';
import { VIEW_IDS } from './action-ids.js';
import type { Block } from './blocks.js';
import { ESTIMATE_BLOCK_ID, type Estimator, estimateBlock, type ModalChoice } from './modal-estimate.js';
import { escapeSlackText, safeText } from './mrkdwn.js';
import { firstImageFile, type SlackFile } from './slack-files.js';

export const ModalMetadataSchema = z.object({
  /** Where the job goes: a channel (`slack:T:C`) or a thread (`slack:T:C:TS`). */
  c: z.string().min(1).max(200),
  /** The image a shortcut brought along: id (looked up with files.info after submit), name, type. */
  f: z.string().max(40).optional(),
  n: z.string().max(300).optional(),
  m: z.string().max(100).optional(),
  /** The job a remix starts from. */
  j: z.string().max(20).optional(),
});
export type ModalMetadata = z.infer<typeof ModalMetadataSchema>;

export function readMetadata(raw: string): ModalMetadata | undefined {
  try {
    const parsed = ModalMetadataSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const BLOCK = {
  prompt: 'prompt',
  seconds: 'seconds',
  size: 'size',
  model: 'model',
  fit: 'fit',
  image: 'image',
} as const;
/** The shape choice that lets an attached picture decide (the model's default shape without one). */
export const AUTO_SIZE = 'auto';
/** The file field: a submission's problem with the uploaded picture is shown there. */
export const IMAGE_BLOCK_ID = BLOCK.image;
const ACTION = { value: 'value', files: 'files' } as const;

function plain(text: string) {
  return { type: 'plain_text', text, emoji: true };
}

function option(value: string, label: string) {
  return { text: plain(label), value };
}

function shapeLabel(size: string): string {
  const [w = 0, h = 0] = size.split('x').map(Number);
  return `${size} · ${w > h ? 'landscape' : w < h ? 'portrait' : 'square'}`;
}

/** A select whose every change is sent at once (`dispatch_action`), so the cost line can follow it. */
function select(
  blockId: string,
  label: string,
  options: { value: string; label: string }[],
  initial: string,
): Block {
  const opts = options.map((o) => option(o.value, o.label));
  const initialOption = opts.find((o) => o.value === initial) ?? opts[0];
  return {
    type: 'input',
    block_id: blockId,
    dispatch_action: true,
    label: plain(label),
    element: {
      type: 'static_select',
      action_id: ACTION.value,
      options: opts,
      ...(initialOption ? { initial_option: initialOption } : {}),
    },
  };
}

export interface GenerateModalInput {
  capabilities: ProviderCapabilities;
  defaultModel: string;
  metadata: ModalMetadata;
  /** The image a message shortcut brought (shown by name; no file field then). */
  image?: { name: string } | undefined;
  prompt?: string;
  /** What a choice costs (SoraCore.estimateCost), shown under the options before anything is spent. */
  estimate: Estimator;
  /** The options picked so far, when the modal is re-rendered to refresh the cost line. */
  picked?: Partial<ModalChoice>;
  pickedFit?: ImageFit | undefined;
}

export function generateModal(input: GenerateModalInput): Record<string, unknown> {
  const models = Object.values(input.capabilities.models).filter((m) => m !== undefined);
  const family = modelFamily(input.defaultModel) ?? models[0]?.model ?? 'sora-2';
  const defaults = input.capabilities.models[family] ?? models[0];
  const sizes = [...new Set(models.flatMap((m) => m.sizes))];
  const seconds = [...new Set(models.flatMap((m) => m.seconds))];
  const choice: ModalChoice = {
    seconds: input.picked?.seconds ?? defaults?.defaultSeconds ?? '4',
    size: input.picked?.size ?? AUTO_SIZE,
    model: input.picked?.model ?? family,
  };
  // "Match the image" costs what the model's default shape costs: its landscape twin is priced the same.
  const pickedModel = input.capabilities.models[modelFamily(choice.model) ?? family];
  const priced: ModalChoice =
    choice.size === AUTO_SIZE
      ? { ...choice, size: pickedModel?.defaultSize ?? defaults?.defaultSize ?? sizes[0] ?? '' }
      : choice;
  const blocks: Block[] = [
    {
      type: 'input',
      block_id: BLOCK.prompt,
      label: plain('Prompt'),
      element: {
        type: 'plain_text_input',
        action_id: ACTION.value,
        multiline: true,
        max_length: 3000,
        placeholder: plain('A paper boat sailing down a rainy street'),
        ...(input.prompt ? { initial_value: input.prompt } : {}),
      },
    },
    select(
      BLOCK.seconds,
      'Duration',
      seconds.map((s) => ({ value: s, label: `${s} seconds` })),
      choice.seconds,
    ),
    select(
      BLOCK.size,
      'Shape',
      [
        { value: AUTO_SIZE, label: 'Match the image (portrait without one)' },
        ...sizes.map((s) => ({ value: s, label: shapeLabel(s) })),
      ],
      choice.size,
    ),
    select(
      BLOCK.model,
      'Model',
      models.map((m) => ({ value: m.model, label: m.model })),
      choice.model,
    ),
    estimateBlock(input.capabilities, priced, input.estimate),
    fitSelect(input.pickedFit ?? 'cover'),
  ];
  if (input.image)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `🖼️ Animating *${safeText(input.image.name, 200)}* (fitted to the shape, as the fit says)`,
        },
      ],
    });
  else
    blocks.push({
      type: 'input',
      block_id: BLOCK.image,
      optional: true,
      label: plain('Reference image (optional)'),
      hint: plain('A JPEG, PNG or WebP picture to animate; it is fitted to the shape above.'),
      element: {
        type: 'file_input',
        action_id: ACTION.files,
        filetypes: ['jpg', 'jpeg', 'png', 'webp'],
        max_files: 1,
      },
    });
  return {
    type: 'modal',
    callback_id: VIEW_IDS.generate,
    title: plain(input.image ? 'Animate with Sora' : 'Make a video'),
    submit: plain('Generate'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(input.metadata),
    blocks,
  };
}

/** How a picture meets the frame (`--fit`); changing it changes no price, so no refresh is dispatched. */
function fitSelect(initial: ImageFit): Block {
  const options = [
    option('cover', 'Fill the frame (crop the edges)'),
    option('contain', 'Show the whole image (bars)'),
  ];
  return {
    type: 'input',
    block_id: BLOCK.fit,
    optional: true,
    label: plain('Image fit'),
    element: {
      type: 'static_select',
      action_id: ACTION.value,
      options,
      initial_option: options.find((o) => o.value === initial) ?? options[0],
    },
  };
}

/** `costMicros`: what the remix costs (the original's length, shape and model), shown before submitting. */
export function remixModal(
  job: JobView,
  metadata: ModalMetadata,
  costMicros: number,
): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: VIEW_IDS.remix,
    title: plain('Remix video'),
    submit: plain('Remix'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(metadata),
    blocks: [
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `Remixing \`${job.id}\`: ${safeText(job.prompt, 500)}` }],
      },
      {
        type: 'context',
        block_id: ESTIMATE_BLOCK_ID,
        elements: [
          {
            type: 'mrkdwn',
            text: escapeSlackText(
              `💵 about ${formatUsd(costMicros)} · ${job.seconds} s · ${job.size} · ${job.model} (as the original)`,
            ),
          },
        ],
      },
      {
        type: 'input',
        block_id: BLOCK.prompt,
        label: plain('What should change?'),
        element: {
          type: 'plain_text_input',
          action_id: ACTION.value,
          multiline: true,
          max_length: 3000,
          placeholder: plain('Make it night time, with snow falling'),
        },
      },
    ],
  };
}

export type StateValues = Record<string, Record<string, unknown>>;

const InputValueSchema = z.object({ value: z.string().nullish() }).passthrough();
const SelectValueSchema = z
  .object({ selected_option: z.object({ value: z.string() }).nullish() })
  .passthrough();
const FileInputSchema = z.object({ files: z.array(z.unknown()).nullish() }).passthrough();

function inputValue(values: StateValues, block: string): string {
  const parsed = InputValueSchema.safeParse(values[block]?.[ACTION.value]);
  return parsed.success ? (parsed.data.value ?? '').trim() : '';
}

function selectValue(values: StateValues, block: string): string | undefined {
  const parsed = SelectValueSchema.safeParse(values[block]?.[ACTION.value]);
  return parsed.success ? parsed.data.selected_option?.value : undefined;
}

/** The length, shape and model picked so far (a view's `state.values`); absent ones are left out. */
export function pickedOptions(values: StateValues): Partial<ModalChoice> {
  const picked: Partial<ModalChoice> = {};
  for (const key of ['seconds', 'size', 'model'] as const) {
    const value = selectValue(values, BLOCK[key]);
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}

/** The image fit picked so far (kept when the modal is re-rendered). */
export function pickedFit(values: StateValues): ImageFit | undefined {
  const value = selectValue(values, BLOCK.fit);
  return value === 'cover' || value === 'contain' ? value : undefined;
}

/** The prompt typed so far (kept in the modal when it is re-rendered). */
export function typedPrompt(values: StateValues): string {
  return inputValue(values, BLOCK.prompt);
}

export function submittedImage(values: StateValues): SlackFile | undefined {
  const parsed = FileInputSchema.safeParse(values[BLOCK.image]?.[ACTION.files]);
  return parsed.success ? firstImageFile(parsed.data.files ?? []) : undefined;
}

export type Submission<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

/**
 * Validates the "Make a video" modal with the core's own rules (resolveGenerate); the problem's field
 * says which block shows it. `image` is the file it carries (submitted or from a shortcut).
 */
export function readGenerateSubmission(
  values: StateValues,
  ctx: {
    capabilities: ProviderCapabilities;
    defaultModel: string;
    image: AttachmentMeta | null;
    /** The image came from a shortcut: the modal has no file field to show an error on. */
    imageFromShortcut: boolean;
  },
): Submission<GenerateIntent> {
  const prompt = inputValue(values, BLOCK.prompt);
  if (!prompt) return fail(BLOCK.prompt, 'Describe the video you want.');
  const size = selectValue(values, BLOCK.size);
  const parsed = resolveGenerate(
    {
      prompt,
      seconds: selectValue(values, BLOCK.seconds),
      // "Match the image": no size, so the picture decides portrait or landscape.
      size: size === AUTO_SIZE ? undefined : size,
      orientation: undefined,
      model: selectValue(values, BLOCK.model),
      fit: selectValue(values, BLOCK.fit),
    },
    { capabilities: ctx.capabilities, defaultModel: ctx.defaultModel, attachment: ctx.image },
  );
  if (!parsed.ok)
    return fail(blockOf(parsed.problem.field, ctx.imageFromShortcut), stripMarkup(parsed.problem.message));
  return { ok: true, value: parsed.intent };
}

/** The block that shows a problem with `field`; anything without a block of its own, under the prompt. */
function blockOf(field: UsageField, imageFromShortcut: boolean): string {
  switch (field) {
    case 'seconds':
    case 'size':
    case 'model':
    case 'fit':
      return BLOCK[field];
    case 'image':
      return imageFromShortcut ? BLOCK.prompt : BLOCK.image;
    default:
      return BLOCK.prompt;
  }
}

export function readRemixSubmission(values: StateValues): Submission<string> {
  const prompt = inputValue(values, BLOCK.prompt);
  // Its length is the core's to check (the input holds at most 3,000 characters anyway).
  if (!prompt) return fail(BLOCK.prompt, 'Say what to change.');
  return { ok: true, value: prompt };
}

function fail(block: string, message: string): { ok: false; errors: Record<string, string> } {
  return { ok: false, errors: { [block]: message } };
}

/** Modal error texts are plain text: drop the backticks the core's chat messages use. */
function stripMarkup(text: string): string {
  return escapeSlackText(text.replace(/`/g, ''));
}

export const MODAL_BLOCKS = BLOCK;
