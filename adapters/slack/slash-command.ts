/**
 * `/sora`. Slack shows "Timeout was reached" unless the command is acknowledged within 3 seconds
 * (https://api.slack.com/interactivity/slash-commands#responding_basic_receipt), so the handler parses
 * (fast, no I/O), acknowledges, and only then does slow work. Usage problems are the ack's ephemeral
 * text; list/status/delete/help/budget/usage answer ephemerally through the response_url (usage
 * sends its chart by DM: usage-answer.ts); a video request posts a parent message in the channel
 * (SlackSurface.startJob) and lives in its thread from then on.
 * A redelivered command carries the same trigger_id: it is the idempotency key, so it makes one job.
 * The text arrives escaped (`should_escape: true`): command-text.ts decides what the core reads.
 */
import type { App, SlashCommand } from '@slack/bolt';
import type { Intent } from '../../src/core/intents.js';
import { SLASH_COMMAND } from './action-ids.js';
import { parseSlackText } from './command-text.js';
import { channelScope, decodeConversation, slackRequester } from './conversation.js';
import {
  answeringFailures,
  type RespondFn,
  requesterWithAdmin,
  type SlackHandlerDeps,
  tellPrivately,
} from './handler-context.js';
import { generateModal } from './modals.js';
import { escapeSlackText } from './mrkdwn.js';
import { answerUsage } from './usage-answer.js';

export function registerSlashCommand(app: App, deps: SlackHandlerDeps): void {
  app.command(SLASH_COMMAND, async ({ command, ack, respond }) => {
    const { core } = deps;
    if (!(command.text ?? '').trim()) {
      await ack();
      await openGenerateModal(deps, command);
      return;
    }
    const parsed = parseSlackText(command.text, (text) => core.parse(text));
    if (!parsed.ok) {
      await ack({ response_type: 'ephemeral', text: escapeSlackText(parsed.problem.message) });
      return;
    }
    await ack();
    const target = { channel: command.channel_id, user: command.user_id, respond: respond as RespondFn };
    await answeringFailures(deps, target, () =>
      runCommand(deps, command, parsed.intent, respond as RespondFn),
    );
  });
}

async function runCommand(deps: SlackHandlerDeps, command: SlashCommand, intent: Intent, respond: RespondFn) {
  const { core } = deps;
  const team = command.team_id;
  const channel = channelScope(team, command.channel_id);
  // users.info only where being a workspace admin counts: deleting others' videos, changing budgets,
  // and seeing the whole workspace's usage (the core adds SORA_ADMINS).
  const needsAdmin = intent.kind === 'delete' || intent.kind === 'budget' || intent.kind === 'usage';
  const input = { team, user: command.user_id, userName: command.user_name };
  const requester = needsAdmin ? await requesterWithAdmin(deps, input) : slackRequester(input);
  const outcome = await core.run({
    requester,
    channel,
    conversation: await conversationFor(deps, intent, channel),
    intent,
    idempotencyKey: `slack:command:${team}:${command.trigger_id}`,
  });
  if (outcome.kind !== 'reply') return;
  const target = { channel: command.channel_id, user: command.user_id, respond };
  if (outcome.message.kind === 'usage') await answerUsage(deps, target, outcome.message);
  else await tellPrivately(deps, target, outcome.message);
}

/** A remix of a video in this channel goes into that video's thread; everything else starts a new one. */
async function conversationFor(deps: SlackHandlerDeps, intent: Intent, channel: string): Promise<string> {
  if (intent.kind !== 'remix') return channel;
  const parent = await deps.core.jobRecord(intent.jobId);
  const thread = parent ? decodeConversation(parent.conversation) : undefined;
  return parent && parent.channel === channel && thread?.threadTs ? parent.conversation : channel;
}

async function openGenerateModal(deps: SlackHandlerDeps, command: SlashCommand): Promise<void> {
  const { core } = deps;
  try {
    await deps.slack.call('views.open', {
      trigger_id: command.trigger_id,
      view: generateModal({
        capabilities: core.capabilities,
        defaultModel: core.defaultModel,
        estimate: (choice) => core.estimateCost(choice),
        metadata: { c: channelScope(command.team_id, command.channel_id) },
      }),
    });
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not open the video modal');
  }
}
