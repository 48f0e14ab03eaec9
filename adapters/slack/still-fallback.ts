/**
 * When Slack refuses the video (over the workspace's upload limit): its still goes into the thread
 * with an explanation, or the explanation alone, so the requester learns what happened and what to do.
 */
import { stat } from 'node:fs/promises';
import { SurfaceError, type VideoDelivery } from '../../src/core/surface.js';
import { resultCaption } from './blocks.js';
import type { SlackConversation } from './conversation.js';
import { type DeliveryCheckpoint, stillFileName } from './delivery-facts.js';
import { type ThreadUploadDeps, uploadIntoThread } from './thread-upload.js';

/** The video was refused: its still with an explanation, or the explanation alone. */
export async function deliverStill(
  deps: ThreadUploadDeps,
  delivery: VideoDelivery,
  c: SlackConversation,
  refusal: SurfaceError,
  checkpoint: DeliveryCheckpoint,
): Promise<{ fileId?: string; captionTs?: string }> {
  const { jobId } = delivery;
  const note = `${refusal.userMessage} Here is a still from it instead; ask a workspace admin about the upload limit, or remix it into a shorter clip.`;
  const message = { ...delivery.message, notes: [...delivery.message.notes, note] };
  deps.logger.warn({ jobId, code: refusal.code }, 'slack refused the video; posting the still');
  // Asked for only now: a video Slack takes never needs its still.
  const still = await delivery.thumbnail();
  if (still) {
    try {
      const fileId = await uploadIntoThread(deps, c, {
        path: still,
        bytes: (await stat(still)).size,
        filename: stillFileName(jobId),
        title: `Sora video ${jobId} (still)`,
        caption: resultCaption(message),
        checkpoint,
      });
      return { fileId };
    } catch (error) {
      if (!(error instanceof SurfaceError && error.code === 'upload_refused')) throw error;
    }
  }
  // The refused file was never shared: a new checkpoint says so before the caption goes out.
  await checkpoint({ fileId: '' });
  const posted = await deps.slack.call('chat.postMessage', {
    channel: c.channel,
    text: resultCaption(message),
    ...(c.threadTs ? { thread_ts: c.threadTs } : {}),
  });
  return { captionTs: String(posted.ts) };
}
