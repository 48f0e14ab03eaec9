/**
 * A message typed to the bot (an `@sora` mention in a channel, or a message in the bot's DM) is a
 * `/sora` command in the same grammar, with the first attached picture as its image. Both ways in share
 * this flow: parse, refuse a file the bot will not fetch, run it as the person (admin rights looked up
 * only where they count), and answer in the thread under the message. The event's id is the idempotency
 * key: Slack retries unacknowledged events, so a job is made once and an answer given once.
 */
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

export interface MessageCommand {
  team: string;
  user: string;
  channel: string;
  /** The thread the job and its answers live in (the message's own ts when it is not in a thread). */
  threadTs: string;
  /** `event:TEAM:EVENT_ID`: one job and one answer per event, whatever Slack redelivers. */
  key: string;
  /** The text without the bot's own mention. */
  text: string;
  /** The event's `files` (the first image among them is the command's picture). */
  files: unknown;
  target: PrivateTarget;
  /** Said when there is no text (a picture alone, a bare mention). */
  noPrompt: string;
}

export async function runMessageCommand(deps: SlackHandlerDeps, m: MessageCommand): Promise<void> {
  const { team, user, channel, threadTs, key, target } = m;
  if (!m.text) {
    if (await deps.firstDelivery(key))
      await tellPrivately(deps, target, { kind: 'notice', tone: 'info', text: m.noPrompt });
    return;
  }
  const image = firstImageFile(m.files);
  const meta = image
    ? { filename: image.name, contentType: image.mimetype ?? null, bytes: image.size ?? null }
    : null;
  const parsed = parseSlackText(m.text, (typed) => deps.core.parse(typed, meta));
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
      channel: channelScope(team, channel),
      conversation: encodeConversation({ team, channel, threadTs }),
      intent,
      attachment: attach ? slackAttachment(attach, deps.files) : null,
      idempotencyKey: `slack:${key}`,
    });
    if (outcome.kind !== 'reply') return;
    if (outcome.message.kind === 'usage') await answerUsage(deps, target, outcome.message);
    else await tellPrivately(deps, target, outcome.message);
  });
}

/**
 * The text without the bot's own mention (`<@BOT>` or `<@BOT|name>`, anywhere). Other people's
 * mentions stay: `@sora budget @bob 5/day` names bob. When Bolt does not know the bot's id, the leading
 * mention is the bot's (an app_mention starts with it when typed first).
 */
export function withoutBotMention(text: string, botUserId: string | undefined): string {
  if (!botUserId) return text.replace(/^\s*<@[A-Za-z0-9]+(?:\|[^>]*)?>/, ' ').trim();
  const own = new RegExp(`<@${botUserId.replace(/[^A-Za-z0-9]/g, '')}(?:\\|[^>]*)?>`, 'g');
  return text.replace(own, ' ').trim();
}
