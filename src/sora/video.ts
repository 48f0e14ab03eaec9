/**
 * The Videos API's wire shapes (OpenAI `/v1/videos`, also served by Azure OpenAI's `/openai/v1`).
 * One zod schema per shape; every type here is derived from its schema, so the client, the emulator
 * and the tests all agree on one definition. See docs/sora-api.md.
 */
import { z } from 'zod';

export const VIDEO_STATUSES = ['queued', 'in_progress', 'completed', 'failed'] as const;
export const VideoStatusSchema = z.enum(VIDEO_STATUSES);
export type VideoStatus = z.infer<typeof VideoStatusSchema>;

/** Sizes are `WIDTHxHEIGHT` strings on the wire. */
export const VideoSizeSchema = z.string().regex(/^\d{2,5}x\d{2,5}$/, 'expected WIDTHxHEIGHT');
export type VideoSize = z.infer<typeof VideoSizeSchema>;

/** Seconds travel as a string (`"4"`), not a number. */
export const VideoSecondsSchema = z.string().regex(/^\d{1,3}$/, 'expected a whole number of seconds');
export type VideoSeconds = z.infer<typeof VideoSecondsSchema>;

export const CONTENT_VARIANTS = ['video', 'thumbnail', 'spritesheet'] as const;
export const ContentVariantSchema = z.enum(CONTENT_VARIANTS);
export type ContentVariant = z.infer<typeof ContentVariantSchema>;

/** The MIME type each content variant is served as. */
export const CONTENT_TYPES = {
  video: 'video/mp4',
  thumbnail: 'image/webp',
  spritesheet: 'image/jpeg',
} as const satisfies Record<ContentVariant, string>;

export const VideoErrorSchema = z.object({ code: z.string(), message: z.string() });

/**
 * The specification has all 13 fields always present, the nullable ones `null`, never missing. One
 * exception is tolerated: some providers leave `prompt` out of retrieve and list answers, so a missing
 * prompt parses as `null` (unknown) instead of failing the whole answer.
 */
export const VideoSchema = z.object({
  id: z.string().min(1),
  object: z.literal('video'),
  model: z.string(),
  /**
   * A status this version does not know (a provider adding one) parses as itself instead of failing
   * the whole answer: the poller counts it as in progress for a while, then fails the job plainly.
   * Only a status-like word (lowercase letters and underscores) is taken: anything else is no status.
   */
  status: z.union([VideoStatusSchema, z.string().regex(/^[a-z][a-z_]{0,39}$/, 'expected a status word')]),
  progress: z.number().int().min(0).max(100),
  created_at: z.number().int(),
  completed_at: z.number().int().nullable(),
  expires_at: z.number().int().nullable(),
  prompt: z.string().nullable().default(null),
  size: VideoSizeSchema,
  seconds: VideoSecondsSchema,
  remixed_from_video_id: z.string().nullable(),
  error: VideoErrorSchema.nullable(),
});
export type Video = z.infer<typeof VideoSchema>;

export const VideoListSchema = z.object({
  object: z.literal('list'),
  data: z.array(VideoSchema),
  first_id: z.string().nullable(),
  last_id: z.string().nullable(),
  has_more: z.boolean(),
});
export type VideoList = z.infer<typeof VideoListSchema>;

export const VideoDeletedSchema = z.object({
  id: z.string(),
  object: z.literal('video.deleted'),
  deleted: z.boolean(),
});
export type VideoDeleted = z.infer<typeof VideoDeletedSchema>;

/** `{"error": {message, type, param, code}}`, the provider's error envelope. */
export const ApiErrorBodySchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string().nullable().optional(),
    param: z.string().nullable().optional(),
    code: z.string().nullable().optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

/** The Standard Webhooks event body OpenAI sends for video jobs (only the id: fetch the video after). */
export const VideoWebhookEventSchema = z.object({
  id: z.string(),
  object: z.literal('event'),
  created_at: z.number().int(),
  type: z.enum(['video.completed', 'video.failed']),
  data: z.object({ id: z.string() }),
});
export type VideoWebhookEvent = z.infer<typeof VideoWebhookEventSchema>;

export function parseSize(size: string): { width: number; height: number } {
  const [w, h] = size.split('x').map(Number);
  return { width: w ?? 0, height: h ?? 0 };
}
