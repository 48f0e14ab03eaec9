/**
 * Two more ways in, both working in a thread under the person's message:
 * - the message shortcut "Animate with Sora" on a message with an image opens the video modal with
 *   that image (its file id travels in private_metadata; the bytes are fetched with the bot token);
 * - `@sora-bot PROMPT` with an image attached generates from that image (an event, so no modal).
 * The mention's event_id is the idempotency key: Slack retries unacknowledged events.
 */
import type { App, MessageShortcut } from '@slack/bolt';
import { ANIMATE_SHORTCUT_ID } from './action-ids.js';
import { parseSlackText } from './command-text.js';
import { channelScope, encodeConversation, slackRequester } from './conversation.js';
import {
  answeringFailures,
  type RespondFn,
  requesterWithAdmin,
  type SlackHandlerDeps,
  tellPrivately,
} from './handler-context.js';
import { generateModal } from './modals.js';
import { fileRefusal, firstImageFile, slackAttachment } from './slack-files.js';

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
    const key = `event:${team}:${envelope.event_id ?? e.ts}`;
    const threadTs = e.thread_ts ?? e.ts;
    const target = { channel: e.channel, user: e.user, threadTs };
    const text = withoutBotMention(e.text, context.botUserId);
    const image = firstImageFile(e.files);
    const meta = image
      ? { filename: image.name, contentType: image.mimetype ?? null, bytes: image.size ?? null }
      : null;
    const parsed = text
      ? parseSlackText(text, (typed) => deps.core.parse(typed, meta))
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
    const refusal = image && intent.kind === 'generate' ? fileRefusal(image, deps.files.policy) : undefined;
    // No job, so no idempotency key to dedupe a redelivered event: answer its first delivery only.
    if (refusal) {
      if (await deps.firstDelivery(key))
        await tellPrivately(deps, target, { kind: 'notice', tone: 'warning', text: refusal });
      return;
    }
    const user = e.user;
    await answeringFailures(deps, target, async () => {
      const who = { team, user };
      // As for /sora: being a workspace admin counts for delete, budgets and usage.
      const needsAdmin = intent.kind === 'delete' || intent.kind === 'budget' || intent.kind === 'usage';
      const requester = needsAdmin ? await requesterWithAdmin(deps, who) : slackRequester(who);
      const outcome = await deps.core.run({
        requester,
        channel: channelScope(team, e.channel),
        conversation: encodeConversation({ team, channel: e.channel, threadTs }),
        intent,
        attachment: image && intent.kind === 'generate' ? slackAttachment(image, deps.files) : null,
        idempotencyKey: `slack:${key}`,
      });
      if (outcome.kind === 'reply') await tellPrivately(deps, target, outcome.message);
    });
  });
}

/**
 * The mention's text without the bot's own mention (`<@BOT>` or `<@BOT|name>`, anywhere). Other
 * people's mentions stay: `@sora budget @bob 5/day` names bob. When Bolt does not know the bot's id,
 * the leading mention is the bot's (an app_mention starts with it when typed first).
 */
function withoutBotMention(text: string, botUserId: string | undefined): string {
  if (!botUserId) return text.replace(/^\s*<@[A-Za-z0-9]+(?:\|[^>]*)?>/, ' ').trim();
  const own = new RegExp(`<@${botUserId.replace(/[^A-Za-z0-9]/g, '')}(?:\\|[^>]*)?>`, 'g');
  return text.replace(own, ' ').trim();
}
