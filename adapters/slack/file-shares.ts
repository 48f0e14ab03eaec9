/**
 * Where an uploaded file landed, from `files.info` alone: its `shares` name the message that shared
 * it into a channel or thread. This is how the Slack surface knows a delivery happened without reading
 * the thread (`conversations.replies` is throttled to about one request a minute).
 */
import { z } from 'zod';
import { encodeMessageRef, type SlackConversation } from './conversation.js';
import { isAlreadyGone } from './removal-answers.js';
import type { SlackApi } from './slack-api.js';

/** Slack shares a completed upload asynchronously; findDelivery looks once more after this long. */
export const DEFAULT_SHARE_SETTLE_MS = 3_000;

const ShareSchema = z.object({ ts: z.string(), thread_ts: z.string().optional() }).passthrough();
const SharesSchema = z
  .object({
    public: z.record(z.string(), z.array(ShareSchema)).optional(),
    private: z.record(z.string(), z.array(ShareSchema)).optional(),
  })
  .passthrough();
const FileInfoSchema = z.object({
  file: z.object({ id: z.string(), shares: SharesSchema.optional() }).passthrough(),
});

/**
 * The message that shared `fileId` into the conversation (its thread), from `files.info`; looks once
 * more after `settleMs` when it does not show yet (Slack shares a completed upload asynchronously).
 */
export async function shareOf(
  slack: SlackApi,
  fileId: string,
  c: SlackConversation,
  settleMs: number,
): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    let info: z.infer<typeof FileInfoSchema>;
    try {
      const parsed = FileInfoSchema.safeParse(await slack.call('files.info', { file: fileId }));
      if (!parsed.success) return undefined;
      info = parsed.data;
    } catch (error) {
      if (isAlreadyGone(error)) return undefined;
      throw error;
    }
    const shares = info.file.shares;
    const here = [...(shares?.public?.[c.channel] ?? []), ...(shares?.private?.[c.channel] ?? [])];
    const share = here.find((s) => (c.threadTs ? s.thread_ts === c.threadTs : !s.thread_ts));
    if (share) return encodeMessageRef({ team: c.team, channel: c.channel, ts: share.ts });
    if (attempt > 0 || settleMs <= 0) return undefined;
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  }
}
