/**
 * A ChatSurface that writes every post to a JSON-lines file, synchronously, so the record survives a
 * SIGKILL of the process (the kernel keeps what was written). Restart tests read the file to count
 * how many times each video was posted.
 *
 * A delivery takes its ref first and checkpoints it (`{ ref }`) before writing the line, the way a
 * real surface records what it is about to make visible; `findDelivery` then looks for exactly that
 * line. Two crash points: right after the checkpoint (nothing posted yet) and right after the line.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { BotMessage, StatusMessage } from '../../src/core/messages.js';
import type {
  ChatSurface,
  DeliveredVideo,
  DeliveryProgress,
  ThreadStart,
  VideoDelivery,
} from '../../src/core/surface.js';

export interface JournalLine {
  type: 'start' | 'update' | 'delivery' | 'post' | 'deleted';
  ref: string;
  conversation: string;
  jobId: string | null;
  phase?: string;
  videoBytes?: number;
  /** When it was written (Date.now()). */
  at?: number;
}

/**
 * Every whole line. Another process may be appending while this reads: text after the last newline
 * is a line still being written, and is left for the next read.
 */
export function readJournal(path: string): JournalLine[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.pop();
  return lines.filter(Boolean).map((line) => JSON.parse(line) as JournalLine);
}

export class JournalSurface implements ChatSurface {
  readonly platform = 'playground' as const;
  readonly limits = { maxUploadBytes: null, progressIntervalMs: 0 };

  constructor(
    private readonly path: string,
    /** Called right after a delivery is written, before the core records it (crash injection). */
    private readonly afterDelivery: () => void = () => {},
    /** Called right after the delivery's checkpoint, before anything is written (crash injection). */
    private readonly afterCheckpoint: () => void = () => {},
  ) {}

  async startJob(conversation: string, message: StatusMessage): Promise<ThreadStart> {
    const ref = this.write('start', conversation, message.job.id, { phase: message.phase });
    return { conversation: `${conversation}/${ref}`, statusRef: ref };
  }

  async updateStatus(conversation: string, _ref: string, message: StatusMessage): Promise<void> {
    this.write('update', conversation, message.job.id, { phase: message.phase });
  }

  async deliverVideo(delivery: VideoDelivery, progress: DeliveryProgress): Promise<DeliveredVideo> {
    const ref = newRef('delivery');
    await progress.checkpoint({ ref });
    this.afterCheckpoint();
    this.write('delivery', delivery.conversation, delivery.jobId, { videoBytes: delivery.videoBytes }, ref);
    this.afterDelivery();
    return { messageRef: ref, otherRefs: [] };
  }

  async post(conversation: string, message: BotMessage): Promise<string> {
    return this.write('post', conversation, 'job' in message && message.job ? message.job.id : null);
  }

  async findDelivery(
    conversation: string,
    jobId: string,
    facts: Readonly<Record<string, string>>,
  ): Promise<DeliveredVideo | undefined> {
    if (!facts.ref) return undefined;
    const line = readJournal(this.path).find(
      (l) =>
        l.type === 'delivery' && l.ref === facts.ref && l.conversation === conversation && l.jobId === jobId,
    );
    return line ? { messageRef: line.ref, otherRefs: [] } : undefined;
  }

  async markDeleted(conversation: string, video: DeliveredVideo, _message: BotMessage): Promise<void> {
    const line = readJournal(this.path).find((l) => l.type === 'delivery' && l.ref === video.messageRef);
    this.write('deleted', conversation, line?.jobId ?? null, {}, video.messageRef);
  }

  private write(
    type: JournalLine['type'],
    conversation: string,
    jobId: string | null,
    extra: Partial<JournalLine> = {},
    ref = newRef(type),
  ): string {
    appendFileSync(
      this.path,
      `${JSON.stringify({ type, ref, conversation, jobId, at: Date.now(), ...extra })}\n`,
    );
    return ref;
  }
}

function newRef(type: JournalLine['type']): string {
  return `${type}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
}
