/**
 * A ChatSurface that writes every post to a JSON-lines file, synchronously, so the record survives a
 * SIGKILL of the process (the kernel keeps what was written). Restart tests read the file to count
 * how many times each video was posted.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { BotMessage, StatusMessage } from '../../src/core/messages.js';
import type { ChatSurface, ThreadStart, VideoDelivery } from '../../src/core/surface.js';

export interface JournalLine {
  type: 'start' | 'update' | 'delivery' | 'post' | 'deleted';
  ref: string;
  conversation: string;
  jobId: string | null;
  phase?: string;
  videoBytes?: number;
}

export function readJournal(path: string): JournalLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JournalLine);
}

export class JournalSurface implements ChatSurface {
  readonly platform = 'playground' as const;
  readonly limits = { maxUploadBytes: null, progressIntervalMs: 0 };

  constructor(
    private readonly path: string,
    /** Called right after a delivery is written, before the core records it (crash injection). */
    private readonly afterDelivery: () => void = () => {},
  ) {}

  async startJob(conversation: string, message: StatusMessage): Promise<ThreadStart> {
    const ref = this.write('start', conversation, message.job.id, { phase: message.phase });
    return { conversation: `${conversation}/${ref}`, statusRef: ref };
  }

  async updateStatus(conversation: string, _ref: string, message: StatusMessage): Promise<void> {
    this.write('update', conversation, message.job.id, { phase: message.phase });
  }

  async deliverVideo(delivery: VideoDelivery): Promise<string> {
    const ref = this.write('delivery', delivery.conversation, delivery.message.job.id, {
      videoBytes: delivery.videoBytes,
    });
    this.afterDelivery();
    return ref;
  }

  async post(conversation: string, message: BotMessage): Promise<string> {
    return this.write('post', conversation, 'job' in message && message.job ? message.job.id : null);
  }

  async findDelivery(conversation: string, jobId: string): Promise<string | undefined> {
    return readJournal(this.path).find(
      (l) => l.type === 'delivery' && l.conversation === conversation && l.jobId === jobId,
    )?.ref;
  }

  private write(
    type: JournalLine['type'],
    conversation: string,
    jobId: string | null,
    extra: Partial<JournalLine> = {},
  ): string {
    const ref = `${type}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    appendFileSync(this.path, `${JSON.stringify({ type, ref, conversation, jobId, ...extra })}\n`);
    return ref;
  }
}
