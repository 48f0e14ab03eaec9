/** How a Video reads in the terminal when `--json` is not asked for. */
import type { Video } from '../sora/video.js';

export function describeVideo(video: Video): string {
  const parts = [`${video.id}  ${video.status}`];
  if (video.status === 'queued' || video.status === 'in_progress') parts.push(`${video.progress}%`);
  parts.push(`${video.model} ${video.size} ${video.seconds}s`);
  if (video.remixed_from_video_id) parts.push(`remix of ${video.remixed_from_video_id}`);
  if (video.error) parts.push(`error ${video.error.code}: ${video.error.message}`);
  if (video.prompt)
    parts.push(JSON.stringify(video.prompt.length > 60 ? `${video.prompt.slice(0, 57)}...` : video.prompt));
  return parts.join('  ');
}

/** The one line printed when a job ends `failed`, e.g. moderation. */
export function describeJobFailure(video: Video, requestId: string | null): string {
  const reason = video.error ? `${video.error.code}: ${video.error.message}` : 'the provider gave no reason';
  const request = requestId ? ` [request id ${requestId}]` : '';
  return `video ${video.id} failed: ${reason}${request}`;
}
