/**
 * Two more ways in, both working in a thread under the person's message:
 * - the message shortcut "Animate with Sora" on a message with an image opens the video modal with
 *   that image (its file id travels in private_metadata; the bytes are fetched with the bot token);
 * - `@sora-bot PROMPT` with an image attached generates from that image (an event, so no modal).
 * The mention's event_id is the idempotency key: Slack retries unacknowledged events.
 */
import type { App, MessageShortcut } from '@slack/bolt';
import { ANIMATE_SHORTCUT_ID } from './action-ids.js';
import { channelScope, encodeConversation, slackRequester } from './conversation.js';
import {
  answeringFailures,
  type RespondFn,
  requesterWithAdmin,
  type SlackHandlerDeps,
  tellPrivately,
} from './handler-context.js';
import { generateModal } from './modals.js';
import { unescapeSlackText } from './mrkdwn.js';
import { firstImageFile, slackAttachment } from './slack-files.js';

export function registerShortcut(app: App, deps: SlackHandlerDeps): void {
  app.shortcut<MessageShortcut>(ANIMATE_SHORTCUT_ID, async ({ ack, shortcut, respond }) => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    const team = shortcut.team?.id ?? shortcut.user.team_id ?? '';
    const channel = shortcut.channel.id;
    const message = shortcut.message as { ts: string; thread_ts?: string; files?: unknown };
    const image = firstImageFile(message.files);
    if (!image) {
      await tellPrivately(
        deps,
        { channel, user: shortcut.user.id, respond: respond as RespondFn },
        {
          kind: 'notice',
          tone: 'warning',
          text: 'That message has no image. Use "Animate with Sora" on a message with a JPEG, PNG or WebP picture.',
        },
      );
      return;
    }
    try {
      await deps.slack.call('views.open', {
        trigger_id: shortcut.trigger_id,
        view: generateModal({
          capabilities: deps.core.capabilities,
          defaultModel: deps.core.defaultModel,
          estimate: (choice) => deps.core.estimateCost(choice),
          image: { name: image.name },
          metadata: {
            c: encodeConversation({ team, channel, threadTs: message.thread_ts ?? message.ts }),
            f: image.id,
            n: image.name.slice(0, 300),
            ...(image.mimetype ? { m: image.mimetype.slice(0, 100) } : {}),
          },
        }),
      });
    } catch (error) {
      deps.logger.warn({ err: error }, 'could not open the animate modal');
    }
  });
}

interface MentionEvent {
  user?: string;
  text: string;
  ts: string;
  channel: string;
  thread_ts?: string;
  files?: unknown;
}

export function registerMention(app: App, deps: SlackHandlerDeps): void {
  app.event('app_mention', async ({ event, body }) => {
    const e = event as unknown as MentionEvent;
    if (!e.user) return;
    const envelope = body as { event_id?: string; team_id?: string };
    const team = envelope.team_id ?? '';
    const key = `event:${team}:${envelope.event_id ?? e.ts}`;
    const threadTs = e.thread_ts ?? e.ts;
    const target = { channel: e.channel, user: e.user, threadTs };
    // Drop the mention itself (`<@U123>` or `<@U123|name>`), then undo Slack's entity encoding.
    const text = unescapeSlackText(e.text.replace(/<@[A-Z0-9]+(?:\|[^>]*)?>/g, ' ')).trim();
    const image = firstImageFile(e.files);
    const meta = image
      ? { filename: image.name, contentType: image.mimetype ?? null, bytes: image.size ?? null }
      : null;
    const parsed = text
      ? deps.core.parse(text, meta)
      : ({
          ok: false,
          problem: {
            code: 'usage',
            message:
              'Mention me with a prompt, e.g. `@sora a paper boat on a rainy street` (attach a picture to animate it).',
          },
        } as const);
    const makesJob = parsed.ok && (parsed.intent.kind === 'generate' || parsed.intent.kind === 'remix');
    // Jobs are deduplicated by the core's idempotency key; answers that create nothing, here.
    if (!makesJob && !(await deps.firstDelivery(key))) return;
    if (!parsed.ok) {
      await tellPrivately(deps, target, { kind: 'notice', tone: 'warning', text: parsed.problem.message });
      return;
    }
    const intent = parsed.intent;
    const user = e.user;
    await answeringFailures(deps, target, async () => {
      const who = { team, user };
      const requester = intent.kind === 'delete' ? await requesterWithAdmin(deps, who) : slackRequester(who);
      const outcome = await deps.core.run({
        requester,
        channel: channelScope(team, e.channel),
        conversation: encodeConversation({ team, channel: e.channel, threadTs }),
        intent,
        attachment: image && intent.kind === 'generate' ? slackAttachment(image, deps.slack.botToken) : null,
        idempotencyKey: `slack:${key}`,
      });
      if (outcome.kind === 'reply') await tellPrivately(deps, target, outcome.message);
    });
  });
}
