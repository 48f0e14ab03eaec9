/**
 * The playground's ChatSurface: every message the core posts lands in a room's history (and from
 * there on every open page, over Server-Sent Events). A message reference is the history entry's ref.
 */
import type { BotMessage, StatusMessage } from '../../src/core/messages.js';
import {
  type ChatSurface,
  SurfaceError,
  type SurfaceLimits,
  type ThreadStart,
  type VideoDelivery,
} from '../../src/core/surface.js';
import { decodeConversation, PLAYGROUND_PLATFORM } from './conversation.js';
import type { MediaLinks, RoomHistory } from './room-history.js';

export const PLAYGROUND_LIMITS = {
  // The page is local: frequent updates make the progress bar feel live.
  progressIntervalMs: 250,
  // Videos are not uploaded anywhere; the page streams them from DATA_DIR.
  maxUploadBytes: null,
} as const satisfies SurfaceLimits;

export function mediaLinks(jobId: string, hasThumbnail: boolean): MediaLinks {
  const base = `/playground/media/${encodeURIComponent(jobId)}`;
  return { video: `${base}/video`, thumbnail: hasThumbnail ? `${base}/thumbnail` : null };
}

export class PlaygroundSurface implements ChatSurface {
  readonly platform = PLAYGROUND_PLATFORM;
  readonly limits: SurfaceLimits = PLAYGROUND_LIMITS;

  constructor(private readonly history: RoomHistory) {}

  async startJob(conversation: string, message: StatusMessage): Promise<ThreadStart> {
    const entry = await this.history.append(roomOf(conversation), message, {
      role: 'status',
      jobId: message.job.id,
    });
    return { conversation, statusRef: entry.ref };
  }

  async updateStatus(conversation: string, statusRef: string, message: StatusMessage): Promise<void> {
    const updated = await this.history.replace(roomOf(conversation), statusRef, (entry) => ({
      message,
      media: entry.media,
    }));
    if (!updated)
      throw new SurfaceError('platform_error', 'That status message is no longer in the room.', false);
  }

  async deliverVideo(delivery: VideoDelivery): Promise<string> {
    const jobId = delivery.message.job.id;
    const entry = await this.history.append(roomOf(delivery.conversation), delivery.message, {
      role: 'result',
      jobId,
      media: mediaLinks(jobId, delivery.thumbnailPath !== null),
    });
    return entry.ref;
  }

  async post(conversation: string, message: BotMessage): Promise<string> {
    const jobId = 'job' in message && message.job ? message.job.id : null;
    const entry = await this.history.append(roomOf(conversation), message, { role: 'post', jobId });
    return entry.ref;
  }

  async findDelivery(conversation: string, jobId: string): Promise<string | undefined> {
    const entry = await this.history.find(
      roomOf(conversation),
      (e) => e.role === 'result' && e.jobId === jobId,
    );
    return entry?.ref;
  }

  async markDeleted(conversation: string, messageRef: string, message: BotMessage): Promise<void> {
    const updated = await this.history.replace(roomOf(conversation), messageRef, () => ({
      message,
      media: null,
    }));
    if (!updated)
      throw new SurfaceError('platform_error', 'That video message is no longer in the room.', false);
  }
}

function roomOf(conversation: string): string {
  const room = decodeConversation(conversation);
  if (!room) throw new SurfaceError('platform_error', `${conversation} is not a playground room.`, false);
  return room;
}
