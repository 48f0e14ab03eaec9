/**
 * The Remix, Again and Delete buttons the bot sends in a DM when someone reacts to a video
 * (reactions.ts), the remix modal opened from there, and the buttons of videos answered through an
 * interaction outside servers (app-conversation.ts: a DM or group DM, where presses carry no guild). A DM interaction carries no guild, no member and not the video's
 * channel, so everything comes from the job's record: where the video lives (its conversation), and the
 * presser's rights in *that* guild (their member there, guild-level, guild-admin.ts). Someone who is no
 * longer in that server gets nothing. The work then happens in the video's channel through the bot
 * token, as from the channel itself, and the DM gets a one-line answer.
 */
import type { ButtonInteraction, Interaction, ModalSubmitInteraction } from 'discord.js';
import { notice } from '../../src/core/replies.js';
import type { RequesterInput } from '../../src/core/requester.js';
import type { SoraCore } from '../../src/core/sora-core.js';
import { decodeAppConversation } from './app-conversation.js';
import type { ComponentDeps } from './component-handlers.js';
import {
  type DiscordConversation,
  decodeConversation,
  discordRequester,
  postingChannel,
} from './conversation.js';
import type { DiscordComponentId } from './custom-ids.js';
import { isGuildAdmin, memberOf } from './guild-admin.js';
import { defer, finishPrivately, replyPrivately, usageNotice } from './interaction-answers.js';
import { type InteractionPlace, missingToDeliver } from './interaction-context.js';
import { idempotencyKeyOf } from './job-starter.js';
import { remixCost, remixModal } from './modals.js';

interface DmContext {
  place: InteractionPlace;
  /** The server channel of the video; null for a video answered through an interaction (no server). */
  conversation: DiscordConversation | null;
  requester: RequesterInput;
}

const GONE = usageNotice("That video is gone, or it is in a server you're no longer in.");

/** Where the job lives and who the presser is there; undefined when the job or their membership is gone. */
async function dmContext(
  core: SoraCore,
  interaction: Interaction,
  jobId: string,
): Promise<DmContext | undefined> {
  const job = await core.jobRecord(jobId);
  if (!job || job.state === 'deleted') return undefined;
  const app = decodeAppConversation(job.conversation);
  if (app) {
    // Made where the bot is not a member: no server to ask about the presser, so they act in the
    // job's workspace as themselves (the core lets only the requester or a SORA_ADMINS entry act).
    return {
      place: {
        conversation: null,
        app,
        encoded: job.conversation,
        scope: job.channel,
        limitKey: app.scope,
      },
      conversation: null,
      requester: discordRequester({
        guildId: job.requester.workspace,
        userId: interaction.user.id,
        displayName: interaction.user.displayName,
        isGuildAdmin: false,
      }),
    };
  }
  const conversation = decodeConversation(job.conversation);
  if (!conversation) return undefined;
  const guild = interaction.client.guilds.cache.get(conversation.guildId);
  const member = await memberOf(guild, interaction.user.id);
  if (!member) return undefined;
  return {
    place: {
      conversation,
      app: null,
      encoded: job.conversation,
      scope: job.channel,
      limitKey: conversation.guildId,
    },
    conversation,
    requester: discordRequester({
      guildId: conversation.guildId,
      userId: interaction.user.id,
      displayName: member.displayName,
      isGuildAdmin: isGuildAdmin(member),
    }),
  };
}

export async function handleDmButton(
  deps: ComponentDeps,
  interaction: ButtonInteraction,
  id: DiscordComponentId,
): Promise<void> {
  const { core } = deps;
  switch (id.kind) {
    case 'remix': {
      // A modal must be the first answer, within 3 s: the member normally comes from the cache.
      const context = await dmContext(core, interaction, id.jobId);
      if (!context) return replyPrivately(interaction, GONE);
      const job = await core.viewJob(context.requester, id.jobId).catch(() => undefined);
      await interaction.showModal(remixModal(id.jobId, remixCost(core, job)));
      return;
    }
    case 'delete':
    case 'approve':
    case 'deny': {
      if (!(await defer(interaction, 'private'))) return;
      const context = await dmContext(core, interaction, id.jobId);
      if (!context) return finishPrivately(interaction, GONE);
      // The core checks who may (the owner or an admin; admins only for approvals) and edits the
      // job's messages for everyone. Approve and Deny come here from a job asked outside servers.
      const outcome = await core.run({
        requester: context.requester,
        channel: context.place.scope,
        conversation: context.place.encoded,
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
      // Posted where the original lives; the core's job controls decide who may (Again: anyone who
      // may see the video, on their own budget; Cancel and Retry: its requester or an admin).
      if (!(await defer(interaction, 'private'))) return;
      const context = await dmContext(core, interaction, id.jobId);
      if (!context) return finishPrivately(interaction, GONE);
      const outcome = await deps.jobStarts.run(() =>
        core.run({
          requester: context.requester,
          channel: context.place.scope,
          conversation: context.place.encoded,
          intent: { kind: 'control', action: id.kind, jobId: id.jobId },
        }),
      );
      if (outcome.kind === 'reply') await finishPrivately(interaction, outcome.message);
      return;
    }
    default:
      await replyPrivately(interaction, usageNotice('That button works in the server it was posted in.'));
  }
}

/** The remix modal submitted in a DM: the remix starts in the original's channel, the DM says so. */
export async function handleDmRemixSubmit(
  deps: ComponentDeps,
  interaction: ModalSubmitInteraction,
  jobId: string,
  prompt: string,
): Promise<void> {
  const { core } = deps;
  if (!(await defer(interaction, 'private'))) return;
  const context = await dmContext(core, interaction, jobId);
  if (!context) return finishPrivately(interaction, GONE);
  const parsed = core.parse(`remix ${jobId} ${prompt}`, null);
  if (!parsed.ok) return finishPrivately(interaction, usageNotice(parsed.problem.message));
  // Only server videos come here (component-handlers.ts answers the others through the form itself).
  const where = context.conversation;
  if (!where) return finishPrivately(interaction, GONE);
  const channelId = postingChannel(where);
  const missing = botMissingIn(interaction, where.guildId, channelId);
  if (missing.length > 0)
    return finishPrivately(
      interaction,
      usageNotice(`I can't post the video in <#${channelId}>: I need ${missing.join(', ')} there.`),
    );
  // No `announce`: the status message is posted in the channel by the surface, like an orphan's.
  const outcome = await deps.jobStarts.run(() =>
    core.run({
      requester: context.requester,
      channel: context.place.scope,
      conversation: context.place.encoded,
      intent: parsed.intent,
      idempotencyKey: idempotencyKeyOf(interaction),
    }),
  );
  if (outcome.kind === 'reply') return finishPrivately(interaction, outcome.message);
  await finishPrivately(
    interaction,
    notice(
      `Remixing \`${jobId}\` as \`${outcome.job.id}\` in <#${channelId}>: the progress and the video are posted there.`,
      'success',
    ),
  );
}

/** What the bot lacks in the video's channel, from its cached member there ([] when it cannot tell). */
function botMissingIn(interaction: Interaction, guildId: string, channelId: string): string[] {
  const guild = interaction.client.guilds.cache.get(guildId);
  const channel = guild?.channels.cache.get(channelId);
  const me = guild?.members.me;
  if (!channel || !me) return [];
  return missingToDeliver(me.permissionsIn(channel), channel.isThread());
}
