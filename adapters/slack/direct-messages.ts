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
import type { PrivateTarget, SlackHandlerDeps } from './handler-context.js';
import { runMessageCommand, withoutBotMention } from './message-command.js';

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
    await runMessageCommand(deps, {
      team,
      user,
      channel: e.channel,
      threadTs: e.ts,
      key: `event:${team}:${envelope.data.event_id ?? `${e.channel}:${e.ts}`}`,
      // People sometimes add the bot's mention in its DM too.
      text: withoutBotMention(e.text, context.botUserId),
      files: e.files,
      target: dmTarget(deps, e.channel, user, e.ts),
      noPrompt: NO_PROMPT,
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
