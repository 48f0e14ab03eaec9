/**
 * What a Slack delivery writes down and what it names its files: shared by the surface, the upload
 * and the still fallback, and by tests that find a delivery's files by these names.
 */

/**
 * What a delivery checkpoints (all optional; later checkpoints add to earlier ones):
 * `fileId` (the file about to be shared: the video, or its still), `captionTs` (the text-only
 * fallback), `controlsTs` (the message with the buttons).
 */
export type SlackDeliveryFacts = Partial<Record<'fileId' | 'captionTs' | 'controlsTs', string>>;

/** Records facts before a visible step; throws when the core says stop (the job was deleted meanwhile). */
export type DeliveryCheckpoint = (facts: SlackDeliveryFacts) => Promise<void>;

export function videoFileName(jobId: string): string {
  return `sora-${jobId}.mp4`;
}

export function stillFileName(jobId: string): string {
  return `sora-${jobId}-still.webp`;
}
