/**
 * A ChatSurface for the core's scripted conversation tests: it keeps every message it is asked to
 * post, per conversation, like a tiny chat server would, and can be told to fail.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BotMessage, ResultMessage, StatusMessage } from '../../src/core/messages.js';
import type { Platform } from '../../src/core/requester.js';
import {
  type ChatSurface,
  SurfaceError,
  type ThreadStart,
  type VideoDelivery,
} from '../../src/core/surface.js';

export interface RecordedMessage {
  ref: string;
  conversation: string;
  message: BotMessage;
  /** Every version of a status message, oldest first. */
  history: BotMessage[];
  videoCopy?: string;
}

export class RecordingSurface implements ChatSurface {
  readonly limits = { maxUploadBytes: null, progressIntervalMs: 0 };
  readonly messages: RecordedMessage[] = [];
  private counter = 0;
  /** Set to make the next deliveries fail with this error. */
  failDeliveries: SurfaceError | undefined;
  failStart: SurfaceError | undefined;

  constructor(
    readonly platform: Platform = 'playground',
    private readonly copyDir?: string,
  ) {}

  async startJob(conversation: string, message: StatusMessage): Promise<ThreadStart> {
    if (this.failStart) throw this.failStart;
    const ref = this.append(conversation, message);
    // Like Slack: the status message opens a thread named after it.
    return { conversation: `${conversation}/${ref}`, statusRef: ref };
  }

  async updateStatus(_conversation: string, statusRef: string, message: StatusMessage): Promise<void> {
    const record = this.messages.find((m) => m.ref === statusRef);
    if (!record) throw new SurfaceError('platform_error', `no message ${statusRef}`);
    record.message = message;
    record.history.push(message);
  }

  async deliverVideo(delivery: VideoDelivery): Promise<string> {
    if (this.failDeliveries) throw this.failDeliveries;
    const ref = this.append(delivery.conversation, delivery.message);
    const record = this.messages.find((m) => m.ref === ref)!;
    if (this.copyDir) {
      await mkdir(this.copyDir, { recursive: true });
      record.videoCopy = join(this.copyDir, `${ref}.mp4`);
      await copyFile(delivery.videoPath, record.videoCopy);
    }
    return ref;
  }

  async post(conversation: string, message: BotMessage): Promise<string> {
    return this.append(conversation, message);
  }

  async findDelivery(conversation: string, jobId: string): Promise<string | undefined> {
    return this.messages.find(
      (m) => m.conversation === conversation && m.message.kind === 'result' && m.message.job.id === jobId,
    )?.ref;
  }

  async markDeleted(_conversation: string, messageRef: string, message: BotMessage): Promise<void> {
    const record = this.messages.find((m) => m.ref === messageRef);
    if (record) record.message = message;
  }

  results(): (RecordedMessage & { message: ResultMessage })[] {
    return this.messages.filter(
      (m): m is RecordedMessage & { message: ResultMessage } => m.message.kind === 'result',
    );
  }

  inConversation(conversation: string): RecordedMessage[] {
    return this.messages.filter((m) => m.conversation === conversation);
  }

  private append(conversation: string, message: BotMessage): string {
    const ref = `m${++this.counter}`;
    this.messages.push({ ref, conversation, message, history: [message] });
    return ref;
  }
}
