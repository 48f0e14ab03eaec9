/**
 * A RecordingSurface that holds its first upload at a gate, before anything is posted, until the test
 * opens it (a long upload, or one the test looks at while it is under way).
 */
import type { DeliveredVideo, DeliveryProgress, VideoDelivery } from '../../src/core/surface.js';
import { Gate } from './gates.js';
import { RecordingSurface } from './recording-surface.js';

export class FirstUploadHeld extends RecordingSurface {
  readonly gate = new Gate();
  private first = true;
  override async deliverVideo(delivery: VideoDelivery, progress: DeliveryProgress): Promise<DeliveredVideo> {
    if (this.first) {
      this.first = false;
      await this.gate.pass();
    }
    return super.deliverVideo(delivery, progress);
  }
}
