/**
 * A video over the upload limit: re-encoded with ffmpeg to fit, with a signed link to the original
 * (PUBLIC_URL), or, when it cannot be made small enough, the caption with the link alone. Kept apart
 * from the surface's send and checkpoints, which stay the same whichever file goes out.
 */
import type { MessageCreateOptions } from 'discord.js';
import type { Logger } from '../../src/core/logger.js';
import type { ResultMessage } from '../../src/core/messages.js';
import { type DeliveredVideo, SurfaceError, type VideoDelivery } from '../../src/core/surface.js';
import { parseSize } from '../../src/sora/video.js';
import { loggableError } from './discord-errors.js';
import type { DownloadLinks } from './download-links.js';
import { fitVideoToSize } from './fit-video.js';
import { renderMessage } from './render-message.js';

export interface FitDeps {
  logger: Logger;
  ffmpegPath?: string | undefined;
}

/** The video re-encoded under `limit` bytes at `outputPath`, or undefined when ffmpeg could not. */
export async function fitUnderLimit(
  deps: FitDeps,
  delivery: VideoDelivery,
  limit: number,
  outputPath: string,
): Promise<{ path: string; bytes: number; height: number } | undefined> {
  const job = delivery.message.job;
  const { width, height } = parseSize(job.size);
  try {
    return await fitVideoToSize({
      inputPath: delivery.videoPath,
      outputPath,
      maxBytes: limit,
      durationMs: Number(job.seconds) * 1000,
      width,
      height,
      ffmpegPath: deps.ffmpegPath,
    });
  } catch (error) {
    deps.logger.warn({ jobId: job.id, err: loggableError(error) }, 'could not fit the video under the limit');
    return undefined;
  }
}

/** The video cannot be made small enough: post the caption with a link, or give up with a reason. */
export async function deliverLinkOnly(
  links: DownloadLinks | null,
  message: ResultMessage,
  limit: number,
  whose: string,
  send: (payload: MessageCreateOptions) => Promise<DeliveredVideo>,
): Promise<DeliveredVideo> {
  const link = originalLinkNote(links, message.job.id);
  if (link.length === 0)
    throw new SurfaceError(
      'upload_refused',
      `The video is larger than ${whose} ${megabytes(limit)} upload limit and could not be made smaller. Ask whoever runs the bot to set PUBLIC_URL so it can post a download link instead.`,
      false,
    );
  const notes = [...message.notes, `Too large for ${whose} ${megabytes(limit)} upload limit.`];
  return send(renderMessage({ ...message, notes }, link));
}

/** The caption line linking the original (signed, expiring); none without PUBLIC_URL. */
export function originalLinkNote(links: DownloadLinks | null, jobId: string): string[] {
  if (!links) return [];
  const { url, expiresAt } = links.urlFor(jobId);
  // <url> suppresses Discord's link preview; <t:…:R> renders the expiry in each reader's time zone.
  return [`[Download the original](<${url}>) (link expires <t:${Math.floor(expiresAt / 1000)}:R>)`];
}

export function megabytes(bytes: number): string {
  const mb = bytes / 1024 / 1024;
  return `${mb >= 10 ? Math.round(mb) : mb.toFixed(1)} MB`;
}
