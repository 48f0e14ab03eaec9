/**
 * Reading a message back from Slack: a reacted message whose ref the core does not know (a video
 * delivered before the share message was indexed), to find the file it carries. conversations.replies
 * takes the parent's or any reply's ts; the message wanted is found by its own ts in the result, never
 * assumed to be messages[0]: https://api.slack.com/methods/conversations.replies. It is throttled to
 * about one request a minute for apps outside the Marketplace (since 2025-05-29), so nothing on the
 * delivery path uses it: findDelivery asks files.info instead (slack-surface.ts).
 */
import { z } from 'zod';
import type { SlackApi } from './slack-api.js';

export const ThreadMessageSchema = z.object({
  ts: z.string(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  thread_ts: z.string().optional(),
  blocks: z.array(z.object({ block_id: z.string().optional() }).passthrough()).optional(),
  files: z
    .array(
      z
        .object({ id: z.string(), name: z.string().optional(), mimetype: z.string().optional() })
        .passthrough(),
    )
    .optional(),
});
export type ThreadMessage = z.infer<typeof ThreadMessageSchema>;

const RepliesSchema = z.object({
  messages: z.array(z.unknown()).default([]),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

/** Walks a thread (all pages) and returns the first message `classify` recognises. */
export async function findThreadMessage<K extends string>(
  slack: SlackApi,
  channel: string,
  threadTs: string,
  classify: (message: ThreadMessage) => K | undefined,
): Promise<{ kind: K; message: ThreadMessage } | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const result = RepliesSchema.parse(
      await slack.call('conversations.replies', {
        channel,
        ts: threadTs,
        limit: 200,
        include_all_metadata: true,
        ...(cursor ? { cursor } : {}),
      }),
    );
    for (const raw of result.messages) {
      const parsed = ThreadMessageSchema.safeParse(raw);
      if (!parsed.success) continue;
      const kind = classify(parsed.data);
      if (kind) return { kind, message: parsed.data };
    }
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}

/** One message by channel and ts (the message a reaction or a shortcut points at). */
export async function findMessage(
  slack: SlackApi,
  channel: string,
  ts: string,
): Promise<ThreadMessage | undefined> {
  const found = await findThreadMessage(slack, channel, ts, (m) => (m.ts === ts ? 'it' : undefined));
  return found?.message;
}
