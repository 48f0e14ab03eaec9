/**
 * Buttons, modal submissions and the two message context menus. Each reads its state from the
 * custom_id (the job id) or the store, never from memory, so a Remix, Delete, Approve, Deny, Cancel,
 * Retry or Again button posted before a restart still works (docs/platforms.md: buttons survive restarts, collectors do not).
 */
import type {
  ButtonInteraction,
  MessageContextMenuCommandInteraction,
  ModalSubmitInteraction,
} from 'discord.js';
import type { Attachment, AttachmentMeta } from '../../src/core/intents.js';
import { notice } from '../../src/core/replies.js';
import type { KeyValues } from '../../src/store/key-values.js';
import { decodeAppConversation } from './app-conversation.js';
import { CONTEXT_MENUS } from './command-definitions.js';
import { DISCORD_PLATFORM, encodeMessageRef } from './conversation.js';
import { decodeComponentId } from './custom-ids.js';
import { handleDmButton, handleDmRemixSubmit } from './dm-actions.js';
import { defer, deferUpdate, finishPrivately, replyPrivately, usageNotice } from './interaction-answers.js';
import {
  coreAttachment,
  isImageAttachment,
  missingPermissions,
  placeOf,
  requesterOf,
  StoredAttachmentSchema,
  storedAttachmentOf,
} from './interaction-context.js';
import { type JobStartDeps, startJob } from './job-starter.js';
import {
  animateFlags,
  animateModal,
  modalProblemText,
  promptField,
  remixCost,
  remixModal,
} from './modals.js';

export interface ComponentDeps extends JobStartDeps {
  /** The adapter's own records (the image an "Animate with Sora" modal waits for). */
  values: KeyValues;
}

/** The answer to a form whose fields are not the ones the bot put in it. */
const STALE_FORM = 'That form is not one I can read any more: open it again from the button or the menu.';

/** How long the image picked with "Animate with Sora" waits for its modal to be submitted. */
const ANIMATE_PENDING_TTL_MS = 60 * 60 * 1000;
/** Under the adapter's namespace: `discord:animate:KEY`. */
const animateKey = (key: string) => `animate:${key}`;

export async function handleButton(deps: ComponentDeps, interaction: ButtonInteraction): Promise<void> {
  const { core } = deps;
  const id = decodeComponentId(interaction.customId);
  if (!id) return;
  // The buttons of a reaction's answer are pressed in a DM: no guild there, the job says where.
  if (!interaction.guildId) return handleDmButton(deps, interaction, id);
  const place = placeOf(interaction);
  if (!place) return;
  switch (id.kind) {
    case 'remix': {
      // One store read, well inside the 3 s a modal must open in; the title shows what it costs. A
      // failed read only loses the price: the submission checks the video again.
      const job = await core.viewJob(requesterOf(interaction), id.jobId).catch(() => undefined);
      await interaction.showModal(remixModal(id.jobId, remixCost(core, job)));
      return;
    }
    case 'delete':
    case 'approve':
    case 'deny': {
      // The presser gets a private answer; the core checks who may (the owner or an admin for
      // delete, an admin for approve and deny) and updates the status message for everyone.
      if (!(await defer(interaction, 'private'))) return;
      const outcome = await core.run({
        requester: requesterOf(interaction),
        channel: place.scope,
        conversation: place.encoded,
        intent:
          id.kind === 'delete'
            ? { kind: 'delete', jobId: id.jobId }
            : { kind: 'approval', jobId: id.jobId, approve: id.kind === 'approve' },
      });
      if (outcome.kind === 'reply') await finishPrivately(interaction, outcome.message);
      return;
    }
    case 'cancel':
    case 'retry':
    case 'again': {
      // The core's job controls decide who may (job-controls.ts) and make one change however often
      // the button is pressed; the presser hears privately what happened, everyone sees the messages.
      if (!(await defer(interaction, 'private'))) return;
      const control = { kind: 'control', action: id.kind, jobId: id.jobId } as const;
      const run = () =>
        core.run({
          requester: requesterOf(interaction),
          channel: place.scope,
          conversation: place.encoded,
          intent: control,
        });
      // Retry and Again start a job: they queue behind the same limit as /sora generate.
      const outcome = await (id.kind === 'cancel' ? run() : deps.jobStarts.run(run));
      if (outcome.kind === 'reply') await finishPrivately(interaction, outcome.message);
      return;
    }
    case 'list_page': {
      // The list is an ephemeral message: page through it in place.
      if (!(await deferUpdate(interaction))) return;
      const outcome = await core.run({
        requester: requesterOf(interaction),
        channel: place.scope,
        conversation: place.encoded,
        intent: { kind: 'list', all: id.all, page: id.page },
      });
      if (outcome.kind === 'reply') await finishPrivately(interaction, outcome.message);
      return;
    }
    default:
      return;
  }
}

const LANDSCAPE = '1280x720';

/** The size an animated picture is rendered at: landscape for a wide picture, else portrait. */
function sizeOfShape(image: { width: number | null; height: number | null }): string {
  return image.width && image.height && image.width > image.height ? LANDSCAPE : '720x1280';
}

export async function handleModalSubmit(
  deps: ComponentDeps,
  interaction: ModalSubmitInteraction,
): Promise<void> {
  const id = decodeComponentId(interaction.customId);
  if (!id) return;
  const prompt = promptField(interaction.fields);
  if (prompt === undefined) return replyPrivately(interaction, usageNotice(STALE_FORM));
  // A remix form sent from a DM: a server video is remixed in its channel (dm-actions.ts); one made
  // through an interaction outside servers is answered through this form, like any app command.
  if (id.kind === 'remix_modal' && !interaction.guildId && !(await madeThroughInteraction(deps, id.jobId)))
    return handleDmRemixSubmit(deps, interaction, id.jobId, prompt);
  const place = placeOf(interaction);
  if (!place) return;
  let text: string;
  let attachment: Attachment | null = null;
  let meta: AttachmentMeta | null = null;
  if (id.kind === 'remix_modal') text = `remix ${id.jobId} ${prompt}`;
  else if (id.kind === 'animate_modal') {
    const stored = StoredAttachmentSchema.safeParse(await deps.values.get(animateKey(id.key)));
    if (!stored.success) {
      await replyPrivately(
        interaction,
        usageNotice('That image request has expired: use **Animate with Sora** on the message again.'),
      );
      return;
    }
    const image = stored.data;
    // No size: the picture's own bytes decide the frame once downloaded, and the status says so.
    text = [...animateFlags(interaction.fields), '--', prompt].join(' ');
    attachment = coreAttachment(image, deps.attachments);
    meta = { filename: image.filename, contentType: image.contentType, bytes: image.bytes };
  } else return;
  const parsed = deps.core.parse(text, meta);
  if (!parsed.ok) {
    await replyPrivately(interaction, usageNotice(modalProblemText(parsed.problem)));
    return;
  }
  const missing = place.app ? [] : missingPermissions(interaction);
  if (missing.length > 0) {
    await replyPrivately(
      interaction,
      usageNotice(`I can't post the video in this channel: I need ${missing.join(', ')} here.`),
    );
    return;
  }
  if (!(await defer(interaction, 'public'))) return;
  await startJob(deps, interaction, place, parsed.intent, attachment);
}

/** Whether a job lives in an app conversation (answered through interactions, outside the bot's servers). */
async function madeThroughInteraction(deps: ComponentDeps, jobId: string): Promise<boolean> {
  const job = await deps.core.jobRecord(jobId);
  return job !== undefined && decodeAppConversation(job.conversation) !== undefined;
}

export async function handleContextMenu(
  deps: ComponentDeps,
  interaction: MessageContextMenuCommandInteraction,
): Promise<void> {
  const target = interaction.targetMessage;
  if (interaction.commandName === CONTEXT_MENUS.remix) {
    const job = await deps.core.jobForMessage(
      DISCORD_PLATFORM,
      encodeMessageRef({ channelId: target.channelId, messageId: target.id }),
    );
    if (job?.state !== 'delivered') {
      await replyPrivately(
        interaction,
        notice(
          job
            ? `Video \`${job.id}\` isn't finished yet; remix it once it has been delivered.`
            : 'That message isn’t a Sora video. Use **Remix with Sora** on a video the bot posted.',
          'warning',
        ),
      );
      return;
    }
    await interaction.showModal(remixModal(job.id, remixCost(deps.core, job)));
    return;
  }
  if (interaction.commandName === CONTEXT_MENUS.animate) {
    const image = target.attachments.find(isImageAttachment);
    if (!image) {
      await replyPrivately(
        interaction,
        usageNotice(
          'That message has no picture. Use **Animate with Sora** on a message with a JPEG, PNG or WebP image.',
        ),
      );
      return;
    }
    // The modal's custom_id has room for a key, not for a signed CDN URL: keep the image in the store.
    await deps.values.set(animateKey(interaction.id), storedAttachmentOf(image), ANIMATE_PENDING_TTL_MS);
    await interaction.showModal(animateModal(interaction.id, sizeOfShape(image), deps.core));
  }
}
