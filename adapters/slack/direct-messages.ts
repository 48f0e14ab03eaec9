/**
 * The bot's DM (the app's Messages tab): a message there is a `/sora` command, the same grammar
 * (`help`, `list`, `status ID`, a prompt…), and a picture attached to it is animated. The job lives in a
 * thread under the person's message, as in a channel, and answers go into that thread as ordinary
 * messages (nobody else is in the DM, and an ephemeral answer would vanish on reload).
 * Heard as `message` events with `channel_type: im` (subscription `message.im`, scope `im:history`):
 * https://docs.slack.dev/reference/events/message.im. Ignored: messages from any bot (the bot's own
 * status messages and videos arrive here too), edits, deletions and every other subtype but
 * `file_share`, and replies inside a thread (a "thanks!" under a video must not cost a render).
 * The event_id is the idempotency key: Slack retries unacknowledged events.
 */
import type { App } from '@slack/bolt';
import { z } from 'zod';
import { parseSlackText } from './command-text.js';
import { channelScope, encodeConversation, slackRequester } from './conversation.js';
import {
  answeringFailures,
  type PrivateTarget,
  requesterWithAdmin,
  type SlackHandlerDeps,
  tellPrivately,
} from './handler-context.js';
import { fileRefusal, firstImageFile, slackAttachment } from './slack-files.js';
import { answerUsage } from './usage-answer.js';

const DmEventSchema = z.object({
  channel: z.string().regex(/^D[A-Z0-9]+$/),
  channel_type: z.literal('im'),
  user: z
    .string()
    .regex(/^[UW][A-Z0-9]+$/)
    .optional(),
  bot_id: z.string().optional(),
  subtype: z.string().optional(),
  text: z.string().default(''),
  ts: z.string().regex(/^\d+\.\d+$/),
  thread_ts: z.string().optional(),
  files: z.unknown().optional(),
});
const EnvelopeSchema = z.object({
  team_id: z.string().regex(/^[A-Z0-9]+$/),
  event_id: z.string().optional(),
});

const NO_PROMPT =
  'Send me a prompt to make a video, e.g. `a paper boat on a rainy street` (attach a picture to animate it). `help` lists the commands.';

export function registerDirectMessages(app: App, deps: SlackHandlerDeps): void {
  app.event('message', async ({ event, body, context }) => {
    const parsedEvent = DmEventSchema.safeParse(event);
    const envelope = EnvelopeSchema.safeParse(body);
    if (!parsedEvent.success || !envelope.success) return;
    const e = parsedEvent.data;
    const user = e.user;
    if (!user || e.bot_id || user === context.botUserId) return;
    if (e.subtype !== undefined && e.subtype !== 'file_share') return;
    if (e.thread_ts !== undefined && e.thread_ts !== e.ts) return;
    const team = envelope.data.team_id;
    const key = `event:${team}:${envelope.data.event_id ?? `${e.channel}:${e.ts}`}`;
    const target = dmTarget(deps, e.channel, user, e.ts);
    const image = firstImageFile(e.files);
    const meta = image
      ? { filename: image.name, contentType: image.mimetype ?? null, bytes: image.size ?? null }
      : null;
    const text = withoutOwnMention(e.text, context.botUserId);
    if (!text) {
      // A picture alone, or a bare mention: say what to send (once per event).
      if (await deps.firstDelivery(key))
        await tellPrivately(deps, target, { kind: 'notice', tone: 'info', text: NO_PROMPT });
      return;
    }
    const parsed = parseSlackText(text, (typed) => deps.core.parse(typed, meta));
    const makesJob = parsed.ok && (parsed.intent.kind === 'generate' || parsed.intent.kind === 'remix');
    // Jobs are deduplicated by the core's idempotency key; answers that create nothing, here.
    if (!makesJob && !(await deps.firstDelivery(key))) return;
    if (!parsed.ok) {
      await tellPrivately(deps, target, { kind: 'notice', tone: 'warning', text: parsed.problem.message });
      return;
    }
    const intent = parsed.intent;
    const attach = image && intent.kind === 'generate' ? image : undefined;
    const refusal = attach ? fileRefusal(attach, deps.files.policy) : undefined;
    if (refusal) {
      // No job, so no idempotency key to dedupe a redelivered event: answer its first delivery only.
      if (await deps.firstDelivery(key))
        await tellPrivately(deps, target, { kind: 'notice', tone: 'warning', text: refusal });
      return;
    }
    await answeringFailures(deps, target, async () => {
      const who = { team, user };
      // As for /sora: being a workspace admin counts for delete, budgets and usage.
      const needsAdmin = intent.kind === 'delete' || intent.kind === 'budget' || intent.kind === 'usage';
      const requester = needsAdmin ? await requesterWithAdmin(deps, who) : slackRequester(who);
      const outcome = await deps.core.run({
        requester,
        channel: channelScope(team, e.channel),
        conversation: encodeConversation({ team, channel: e.channel, threadTs: e.ts }),
        intent,
        attachment: attach ? slackAttachment(attach, deps.files) : null,
        idempotencyKey: `slack:${key}`,
      });
      if (outcome.kind !== 'reply') return;
      if (outcome.message.kind === 'usage') await answerUsage(deps, target, outcome.message);
      else await tellPrivately(deps, target, outcome.message);
    });
  });
}

/** Answers go into the thread under the person's message, as a plain message of the bot's. */
function dmTarget(deps: SlackHandlerDeps, channel: string, user: string, threadTs: string): PrivateTarget {
  return {
    channel,
    user,
    threadTs,
    respond: (message) =>
      deps.slack.call('chat.postMessage', {
        channel,
        thread_ts: threadTs,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
      }),
  };
}

/** The text without the bot's own mention (`<@BOT>` or `<@BOT|name>`): people sometimes add it in a DM too. */
function withoutOwnMention(text: string, botUserId: string | undefined): string {
  if (!botUserId) return text.trim();
  const own = new RegExp(`<@${botUserId.replace(/[^A-Za-z0-9]/g, '')}(?:\\|[^>]*)?>`, 'g');
  return text.replace(own, ' ').trim();
}
