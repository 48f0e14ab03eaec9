/**
 * The three-step external upload, streaming the file from disk. `files.uploadV2` would read the whole
 * file into memory first (docs/platforms.md, "Uploading an MP4 into a thread"), which twenty
 * 100 MB videos at once cannot afford. Steps: files.getUploadURLExternal (filename + length), POST the
 * bytes to the upload URL (raw body, answered 200), files.completeUploadExternal with the parent's
 * `thread_ts`: https://api.slack.com/messaging/files#uploading_files
 */
import { createReadStream } from 'node:fs';
import { type Dispatcher, request } from 'undici';
import { z } from 'zod';
import { SurfaceError } from '../../src/core/surface.js';
import type { SlackApi } from './slack-api.js';

export interface UploadInput {
  path: string;
  bytes: number;
  filename: string;
  title: string;
  channel: string;
  threadTs: string | null;
  /** mrkdwn caption shown with the file. */
  initialComment: string;
  /**
   * Called with the file id once the bytes are uploaded, right before the share that makes the file
   * visible (the delivery checkpoint). If it throws, the file is never shared.
   */
  beforeShare?: (fileId: string) => Promise<void>;
  /** Sharing into a channel needs membership: join it (public channels) and the share is retried once. */
  joinChannel?: () => Promise<boolean>;
  /** The bot's undici Agent (src/app.ts); undici's global one when absent. */
  dispatcher?: Dispatcher;
}

const UploadUrlSchema = z.object({ upload_url: z.string().url(), file_id: z.string().min(1) });

export async function uploadFileStreaming(slack: SlackApi, input: UploadInput): Promise<{ fileId: string }> {
  const step1 = UploadUrlSchema.safeParse(
    await slack.call('files.getUploadURLExternal', { filename: input.filename, length: input.bytes }),
  );
  if (!step1.success)
    throw new SurfaceError('platform_error', 'Slack gave no upload URL for the video.', true);
  const { upload_url: uploadUrl, file_id: fileId } = step1.data;
  const response = await request(uploadUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(input.bytes) },
    body: createReadStream(input.path),
    headersTimeout: 60_000,
    bodyTimeout: 10 * 60_000,
    dispatcher: input.dispatcher,
  });
  // Drain the small answer so the socket returns to the pool.
  await response.body.text();
  if (response.statusCode !== 200)
    throw new SurfaceError(
      response.statusCode === 413 ? 'upload_refused' : 'platform_error',
      response.statusCode === 413
        ? "Slack refused the video's size, so I couldn't attach it."
        : `Slack's upload server answered ${response.statusCode}.`,
      response.statusCode !== 413,
    );
  await input.beforeShare?.(fileId);
  const complete = () =>
    slack.call('files.completeUploadExternal', {
      files: JSON.stringify([{ id: fileId, title: input.title }]),
      channel_id: input.channel,
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
      initial_comment: input.initialComment,
    });
  try {
    await complete();
  } catch (error) {
    if (!(error instanceof SurfaceError && error.code === 'not_in_channel' && (await input.joinChannel?.())))
      throw error;
    await complete();
  }
  return { fileId };
}
