/**
 * A RecordingSurface that holds its first upload at a gate, before anything is posted, until the test
 * opens it (a long upload, or one the test looks at while it is under way).
 */
import type { DeliveredVideo, DeliveryProgress, VideoDelivery } from '../../src/core/surface.js';
import { Gate } from './gates.js';
import { RecordingSurface } from './recording-surface.js';

export class FirstUploadHeld extends RecordingSurface {
  readonly gate = new Gate();
  /** When set, the first upload is held here too, right after its checkpoint is recorded. */
  afterFirstCheckpoint: Gate | undefined;
  private first = true;
  override async deliverVideo(delivery: VideoDelivery, progress: DeliveryProgress): Promise<DeliveredVideo> {
    if (!this.first) return super.deliverVideo(delivery, progress);
    this.first = false;
    await this.gate.pass();
    const after = this.afterFirstCheckpoint;
    return super.deliverVideo(delivery, {
      checkpoint: async (facts) => {
        await progress.checkpoint(facts);
        await after?.pass();
      },
    });
  }
}
