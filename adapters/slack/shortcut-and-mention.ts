/**
 * Two more ways in, both working in a thread under the person's message:
 * - the message shortcut "Animate with Sora" on a message with an image opens the video modal with
 *   that image (its file id travels in private_metadata; the bytes are fetched with the bot token);
 * - `@sora-bot PROMPT` with an image attached generates from that image (an event, so no modal).
 * The mention's event_id is the idempotency key: Slack retries unacknowledged events.
 */
import type { App, MessageShortcut } from '@slack/bolt';
import { ANIMATE_SHORTCUT_ID } from './action-ids.js';
import { encodeConversation } from './conversation.js';
import { type RespondFn, type SlackHandlerDeps, tellPrivately } from './handler-context.js';
import { runMessageCommand, withoutBotMention } from './message-command.js';
import { generateModal } from './modals.js';
import { fileRefusal, firstImageFile } from './slack-files.js';

export function registerShortcut(app: App, deps: SlackHandlerDeps): void {
  app.shortcut<MessageShortcut>(ANIMATE_SHORTCUT_ID, async ({ ack, shortcut, respond }) => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    const team = shortcut.team?.id ?? shortcut.user.team_id ?? '';
    const channel = shortcut.channel.id;
    const message = shortcut.message as { ts: string; thread_ts?: string; files?: unknown };
    const image = firstImageFile(message.files);
    const target = { channel, user: shortcut.user.id, respond: respond as RespondFn };
    if (!image) {
      await tellPrivately(deps, target, {
        kind: 'notice',
        tone: 'warning',
        text: 'That message has no image. Use "Animate with Sora" on a message with a JPEG, PNG or WebP picture.',
      });
      return;
    }
    // Before the modal: nobody should fill in a form for a picture that will not be fetched.
    const refusal = fileRefusal(image, deps.files.policy);
    if (refusal) {
      await tellPrivately(deps, target, { kind: 'notice', tone: 'warning', text: refusal });
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
  app.event('app_mention', async ({ event, body, context }) => {
    const e = event as unknown as MentionEvent;
    if (!e.user) return;
    const envelope = body as { event_id?: string; team_id?: string };
    const team = envelope.team_id ?? '';
    await runMessageCommand(deps, {
      team,
      user: e.user,
      channel: e.channel,
      threadTs: e.thread_ts ?? e.ts,
      key: `event:${team}:${envelope.event_id ?? e.ts}`,
      text: withoutBotMention(e.text, context.botUserId),
      files: e.files,
      target: { channel: e.channel, user: e.user, threadTs: e.thread_ts ?? e.ts },
      noPrompt:
        'Mention me with a prompt, e.g. `@sora a paper boat on a rainy street` (attach a picture to animate it).',
    });
  });
}
