/**
 * `/sora generate|remix|status|list|delete|budget|usage|settings|help`. The options are turned into the core's one text
 * grammar and parsed synchronously (microseconds), so a usage problem is answered privately at once
 * and everything else is deferred well inside Discord's 3 s window before any slow work (image
 * download, store, provider). generate and remix defer publicly (the reply becomes the status
 * message); the rest privately (budget and usage too: they are about money, and the usage chart is
 * private to the asker).
 */
import type { ChatInputCommandInteraction } from 'discord.js';
import { videoIdProblem } from '../../src/core/command-parser.js';
import type { Intent } from '../../src/core/intents.js';
import type { Subcommand } from './command-definitions.js';
import { SUBCOMMANDS } from './command-definitions.js';
import { defer, finishPrivately, replyPrivately, usageNotice } from './interaction-answers.js';
import {
  coreAttachment,
  type InteractionPlace,
  missingPermissions,
  placeOf,
  requesterOf,
  storedAttachmentOf,
} from './interaction-context.js';
import { type JobStartDeps, startJob } from './job-starter.js';
import { budgetText, expectKind, usageText } from './money-commands.js';
import { renderMessage } from './render-message.js';
import { statusVideo } from './status-video.js';

type TextSubcommand = Exclude<Subcommand, 'budget' | 'usage'>;

/** The text the core's parser reads for a subcommand's options; `--` ends the flags so a prompt stays a prompt. */
export function commandText(sub: TextSubcommand, options: ChatInputCommandInteraction['options']): string {
  switch (sub) {
    case 'generate': {
      const flags: string[] = [];
      const seconds = options.getInteger('seconds');
      const size = options.getString('size');
      const model = options.getString('model');
      const fit = options.getString('fit');
      if (seconds !== null) flags.push('--seconds', String(seconds));
      // Without a size, an attached picture's shape decides the frame (the core says so in the status).
      if (size) flags.push('--size', size);
      if (model) flags.push('--model', model);
      if (fit) flags.push('--fit', fit);
      return [...flags, '--', options.getString('prompt', true)].join(' ');
    }
    case 'remix':
      return `remix ${options.getString('video', true)} ${options.getString('prompt', true)}`;
    case 'status':
    case 'delete':
      return `${sub} ${options.getString('video', true)}`;
    case 'list': {
      const page = options.getInteger('page');
      return [
        'list',
        ...(options.getBoolean('all') ? ['--all'] : []),
        ...(page ? ['--page', String(page)] : []),
      ].join(' ');
    }
    case 'settings': {
      const notify = options.getString('notify');
      return notify ? `settings notify ${notify}` : 'settings';
    }
    case 'help':
      return 'help';
  }
}

export async function handleSlashCommand(
  deps: JobStartDeps,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
  const { core } = deps;
  const sub = interaction.options.getSubcommand(false) as Subcommand | null;
  const place = placeOf(interaction);
  if (!sub || !SUBCOMMANDS.includes(sub) || !place) {
    await replyPrivately(
      interaction,
      usageNotice('That command does not work here; `/sora help` lists what I can do.'),
    );
    return;
  }
  if (sub === 'budget' || sub === 'usage') {
    await runMoneyCommand(deps, interaction, sub, place);
    return;
  }
  const image = sub === 'generate' ? interaction.options.getAttachment('image') : null;
  const stored = image ? storedAttachmentOf(image) : null;
  // A `video` option is the id whatever it holds: the text grammar would read a word that is no id
  // (`/sora remix video: sunset prompt: …`) as a prompt.
  const parsed =
    (sub === 'remix' || sub === 'status' || sub === 'delete'
      ? videoIdProblem(interaction.options.getString('video', true))
      : undefined) ??
    core.parse(
      commandText(sub, interaction.options),
      stored ? { filename: stored.filename, contentType: stored.contentType, bytes: stored.bytes } : null,
    );
  if (!parsed.ok) {
    await replyPrivately(interaction, usageNotice(parsed.problem.message));
    return;
  }
  if (isJobIntent(parsed.intent)) {
    // Answered through the interaction where the bot is not a member: no channel permission applies.
    const missing = place.app ? [] : missingPermissions(interaction);
    if (missing.length > 0) {
      await replyPrivately(
        interaction,
        usageNotice(
          `I can't post the video in this channel: I need ${missing.join(', ')} here. Ask a moderator to add them, or use another channel.`,
        ),
      );
      return;
    }
    if (!(await defer(interaction, 'public'))) return;
    await startJob(
      deps,
      interaction,
      place,
      parsed.intent,
      stored ? coreAttachment(stored, deps.attachments) : null,
    );
    return;
  }
  await runPrivately(deps, interaction, place, parsed.intent);
}

/** `/sora budget` and `/sora usage`: options to the core's grammar, checked, then answered privately. */
async function runMoneyCommand(
  deps: JobStartDeps,
  interaction: ChatInputCommandInteraction,
  sub: 'budget' | 'usage',
  place: InteractionPlace,
): Promise<void> {
  const text = sub === 'budget' ? budgetText(interaction.options) : usageText(interaction.options);
  const checked = text.ok ? expectKind(deps.core.parse(text.text), sub) : text;
  if (!checked.ok) {
    await replyPrivately(interaction, usageNotice(checked.problem));
    return;
  }
  await runPrivately(deps, interaction, place, checked.intent);
}

/** Defers privately (a usage chart can take a moment to draw), runs the intent, fills the answer. */
async function runPrivately(
  { core }: JobStartDeps,
  interaction: ChatInputCommandInteraction,
  place: InteractionPlace,
  intent: Intent,
): Promise<void> {
  if (!(await defer(interaction, 'private'))) return;
  const outcome = await core.run({
    requester: requesterOf(interaction),
    channel: place.scope,
    conversation: place.encoded,
    intent,
  });
  if (outcome.kind !== 'reply') return;
  // A video made where the bot is not a member comes with its status (status-video.ts).
  const video =
    intent.kind === 'status'
      ? await statusVideo(core, outcome.message, interaction.attachmentSizeLimit)
      : undefined;
  if (video) await interaction.editReply({ ...renderMessage(outcome.message), files: [video] });
  else await finishPrivately(interaction, outcome.message);
}

function isJobIntent(intent: Intent): boolean {
  return intent.kind === 'generate' || intent.kind === 'remix';
}
