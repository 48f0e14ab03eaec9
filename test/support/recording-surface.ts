/**
 * A ChatSurface for the core's scripted conversation tests: it keeps every message it is asked to
 * post, per conversation, like a tiny chat server would, and can be told to fail. The "server" is a
 * `RecordedChat` that several surface instances can share, so a test can stand in a second process
 * (a restart) in front of the same chat.
 *
 * Delivery follows the port's rules: the message ref is taken first and checkpointed (`{ ref }`)
 * before the message is recorded, and `findDelivery` answers from that fact alone. With a copy
 * directory, the delivered MP4 is copied there (the "uploaded file", an other ref `copy:REF` that
 * `markDeleted` removes).
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BotMessage, ResultMessage, StatusMessage } from '../../src/core/messages.js';
import type { Platform } from '../../src/core/requester.js';
import {
  type ChatSurface,
  type DeliveredVideo,
  type DeliveryProgress,
  SurfaceError,
  type ThreadStart,
  type VideoDelivery,
} from '../../src/core/surface.js';

export interface RecordedMessage {
  ref: string;
  conversation: string;
  message: BotMessage;
  /** Every version of the message, oldest first. */
  history: BotMessage[];
  /** The copy of a delivered video, until the delivery is deleted. */
  videoCopy?: string;
}

/** The recorded chat itself: what a platform would keep across the bot's restarts. */
export class RecordedChat {
  readonly messages: RecordedMessage[] = [];
  private counter = 0;

  nextRef(): string {
    return `m${++this.counter}`;
  }

  find(ref: string): RecordedMessage | undefined {
    return this.messages.find((m) => m.ref === ref);
  }
}

const COPY_PREFIX = 'copy:';

export class RecordingSurface implements ChatSurface {
  readonly limits = { maxUploadBytes: null, progressIntervalMs: 0 };
  /** Set to make the next deliveries fail with this error. */
  failDeliveries: SurfaceError | undefined;
  failStart: SurfaceError | undefined;

  constructor(
    readonly platform: Platform = 'playground',
    private readonly copyDir?: string,
    readonly chat: RecordedChat = new RecordedChat(),
  ) {}

  /** A job's thread: the status message's ref under the conversation (`CONVERSATION/REF`). */
  static threadOf(conversation: string, ref: string): string {
    return `${conversation}/${ref}`;
  }

  static parseThread(thread: string): { conversation: string; ref: string } | undefined {
    const match = /^(.+)\/(m\d+)$/.exec(thread);
    return match ? { conversation: match[1]!, ref: match[2]! } : undefined;
  }

  get messages(): RecordedMessage[] {
    return this.chat.messages;
  }

  async startJob(conversation: string, message: StatusMessage): Promise<ThreadStart> {
    if (this.failStart) throw this.failStart;
    const ref = this.append(conversation, message);
    // Like Slack: the status message opens a thread named after it.
    return { conversation: RecordingSurface.threadOf(conversation, ref), statusRef: ref };
  }

  async updateStatus(_conversation: string, statusRef: string, message: StatusMessage): Promise<void> {
    const record = this.chat.find(statusRef);
    if (!record) throw new SurfaceError('platform_error', `no message ${statusRef}`);
    record.message = message;
    record.history.push(message);
  }

  async deliverVideo(delivery: VideoDelivery, progress: DeliveryProgress): Promise<DeliveredVideo> {
    if (this.failDeliveries) throw this.failDeliveries;
    const ref = this.chat.nextRef();
    await progress.checkpoint({ ref });
    this.append(delivery.conversation, delivery.message, ref);
    const record = this.chat.find(ref)!;
    if (this.copyDir) {
      await mkdir(this.copyDir, { recursive: true });
      record.videoCopy = join(this.copyDir, `${ref}.mp4`);
      await copyFile(delivery.videoPath, record.videoCopy);
    }
    return delivered(record);
  }

  async post(conversation: string, message: BotMessage): Promise<string> {
    return this.append(conversation, message);
  }

  async findDelivery(
    conversation: string,
    jobId: string,
    facts: Readonly<Record<string, string>>,
  ): Promise<DeliveredVideo | undefined> {
    const record = facts.ref ? this.chat.find(facts.ref) : undefined;
    return record?.conversation === conversation &&
      record.message.kind === 'result' &&
      record.message.job.id === jobId
      ? delivered(record)
      : undefined;
  }

  async markDeleted(_conversation: string, video: DeliveredVideo, message: BotMessage): Promise<void> {
    const record = this.chat.find(video.messageRef);
    if (record) {
      record.message = message;
      record.history.push(message);
    }
    for (const other of video.otherRefs) {
      const copied = other.startsWith(COPY_PREFIX)
        ? this.chat.find(other.slice(COPY_PREFIX.length))
        : undefined;
      if (!copied?.videoCopy) continue;
      await rm(copied.videoCopy, { force: true });
      delete copied.videoCopy;
    }
  }

  results(): (RecordedMessage & { message: ResultMessage })[] {
    return this.messages.filter(
      (m): m is RecordedMessage & { message: ResultMessage } => m.message.kind === 'result',
    );
  }

  /** The current status message of a job (undefined until it is posted). */
  statusOf(jobId: string): StatusMessage | undefined {
    const record = this.messages.find((m) => m.message.kind === 'status' && m.message.job.id === jobId);
    return record?.message.kind === 'status' ? record.message : undefined;
  }

  inConversation(conversation: string): RecordedMessage[] {
    return this.messages.filter((m) => m.conversation === conversation);
  }

  private append(conversation: string, message: BotMessage, ref = this.chat.nextRef()): string {
    this.chat.messages.push({ ref, conversation, message, history: [message] });
    return ref;
  }
}

function delivered(record: RecordedMessage): DeliveredVideo {
  return {
    messageRef: record.ref,
    otherRefs: record.videoCopy ? [`${COPY_PREFIX}${record.ref}`] : [],
  };
}
