/**
 * `/sora status ID` hands over the video itself for a job asked where the bot is not a member
 * (app-conversation.ts): its follow-up may be gone with the 15-minute token, and a DM may have been
 * refused, so the status answer (private, through this fresh interaction) carries the MP4 while it is
 * still on disk (VIDEO_RETENTION_DAYS) and fits this interaction's upload limit.
 */
import { readFile, stat } from 'node:fs/promises';
import type { BotMessage } from '../../src/core/messages.js';
import type { SoraCore } from '../../src/core/sora-core.js';
import { decodeAppConversation } from './app-conversation.js';
import { videoFileName } from './discord-surface.js';
import type { DiscordFile } from './render-usage.js';

/** The MP4 to attach to a status answer, or undefined (not such a job, not delivered, gone, too big). */
export async function statusVideo(
  core: SoraCore,
  message: BotMessage,
  uploadLimit: number,
): Promise<DiscordFile | undefined> {
  if (message.kind !== 'job_details' || message.job.state !== 'delivered') return undefined;
  const job = await core.jobRecord(message.job.id);
  if (!job || !decodeAppConversation(job.conversation) || !job.files.video) return undefined;
  const size = await stat(job.files.video).then(
    (s) => s.size,
    () => undefined,
  );
  if (size === undefined || size > uploadLimit) return undefined;
  return { attachment: await readFile(job.files.video), name: videoFileName(job.id) };
}
