/**
 * Reactions on the bot's videos. A reaction carries no trigger_id, so it cannot open a modal
 * (docs/platforms.md, "Reactions"): the remix emoji (SLACK_REMIX_EMOJI) answers with an
 * ephemeral "Remix…" button in the video's thread, whose click opens the modal; `:x:` from the
 * video's owner or an admin offers a Delete button the same way. The reacted message is found by its
 * ref (status or button message) or, for the file's own message, by the file it carries.
 */
import type { App } from '@slack/bolt';
import type { JobView } from '../../src/core/messages.js';
import { ACTION_IDS } from './action-ids.js';
import type { Block } from './blocks.js';
import { decodeConversation, encodeMessageRef, fileRef, SLACK_PLATFORM } from './conversation.js';
import { requesterWithAdmin, type SlackHandlerDeps, tellPrivately } from './handler-context.js';
import { safeText } from './mrkdwn.js';
import { findMessage } from './thread-lookup.js';

interface ReactionEvent {
  user: string;
  reaction: string;
  item: { type: string; channel?: string; ts?: string };
}

export function registerReactions(app: App, deps: SlackHandlerDeps): void {
  app.event('reaction_added', async ({ event, body }) => {
    const e = event as unknown as ReactionEvent;
    const wanted =
      e.reaction === deps.remixEmoji ? 'remix' : e.reaction === deps.deleteEmoji ? 'delete' : undefined;
    if (!wanted || e.item.type !== 'message' || !e.item.channel || !e.item.ts) return;
    const envelope = body as { event_id?: string; team_id?: string };
    const team = envelope.team_id ?? '';
    if (
      !(await deps.firstDelivery(
        `event:${team}:${envelope.event_id ?? `${e.item.ts}:${e.user}:${e.reaction}`}`,
      ))
    )
      return;
    const job = await jobForReaction(deps, team, e.item.channel, e.item.ts);
    if (!job) return;
    const record = await deps.core.jobRecord(job.id);
    const threadTs = record ? decodeConversation(record.conversation)?.threadTs : null;
    const target = { channel: e.item.channel, user: e.user, threadTs };
    const requester = await requesterWithAdmin(deps, { team, user: e.user });
    if (wanted === 'remix') {
      if (job.state !== 'delivered' || !(await deps.core.viewJob(requester, job.id))) return;
      await tellPrivately(deps, target, offer(job, 'Remix…', ACTION_IDS.remix, `Remix video \`${job.id}\`?`));
      return;
    }
    if (!(await deps.core.mayDelete(requester, job.id))) return;
    await tellPrivately(
      deps,
      target,
      offer(job, 'Delete', ACTION_IDS.delete, `Delete video \`${job.id}\` for everyone?`),
    );
  });
}

async function jobForReaction(
  deps: SlackHandlerDeps,
  team: string,
  channel: string,
  ts: string,
): Promise<JobView | undefined> {
  const direct = await deps.core.jobForMessage(SLACK_PLATFORM, encodeMessageRef({ team, channel, ts }));
  if (direct) return direct;
  // The video's own message (posted by Slack when the upload was shared): find the job by its file.
  let message: Awaited<ReturnType<typeof findMessage>>;
  try {
    message = await findMessage(deps.slack, channel, ts);
  } catch (error) {
    deps.logger.debug({ err: error }, 'could not read the reacted message');
    return undefined;
  }
  for (const file of message?.files ?? []) {
    const job = await deps.core.jobForMessage(SLACK_PLATFORM, fileRef(file.id));
    if (job) return job;
  }
  return undefined;
}

function offer(
  job: JobView,
  label: string,
  actionId: string,
  question: string,
): { text: string; blocks: Block[] } {
  return {
    text: question.replace(/`/g, ''),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${question}\n>${safeText(job.prompt, 300)}` } },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: actionId,
            value: job.id,
            text: { type: 'plain_text', text: label, emoji: true },
            ...(actionId === ACTION_IDS.delete ? { style: 'danger' } : { style: 'primary' }),
          },
        ],
      },
    ],
  };
}
