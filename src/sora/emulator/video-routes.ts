/**
 * The `/videos` handlers. Each returns a Reply (JSON, a stream, or the service's error envelope); the
 * HTTP layer (server.ts) adds the request id and writes it. Shapes are the ones in src/sora/video.ts.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import {
  CONTENT_TYPES,
  CONTENT_VARIANTS,
  type ContentVariant,
  type Video,
  type VideoList,
} from '../video.js';
import { type ApiFailure, apiFailure, invalidRequest, serverError, videoNotFound } from './api-error.js';
import { type CreateSpec, parseCreateRequest, parseRemixRequest } from './create-request.js';
import type { FaultInjector } from './faults.js';
import {
  IDEMPOTENCY_TTL_MS,
  idempotencyKeyOf,
  type KeyedRequest,
  keyedRequest,
  keyReusedFailure,
} from './idempotency.js';
import { newId } from './ids.js';
import type { JobStore } from './job-store.js';
import {
  contentExpiresAtMs,
  isTerminalAt,
  type JobOutcome,
  type JobRecord,
  pollAfterMs,
  statusAt,
  videoAt,
} from './lifecycle.js';
import type { CreationLimiter } from './limits.js';
import { FAIL_MARKER, INTERNAL_ERROR, MODERATION_BLOCKED_ERROR, moderatePrompt } from './moderation.js';
import type { Renderer } from './render.js';
import { parseBody, readBody } from './request-body.js';
import type { EmulatorClock, EmulatorFlavour, EmulatorLogger, EmulatorOptions } from './types.js';
import type { WebhookDispatcher } from './webhooks.js';

export interface EmulatorState {
  renderMs: number;
  expiresAfterMs: number;
  clock: EmulatorClock;
  store: JobStore;
  limiter: CreationLimiter;
  renderer: Renderer;
  webhooks: WebhookDispatcher | undefined;
  contentOverride: EmulatorOptions['contentOverride'];
  logger: EmulatorLogger;
  faults: FaultInjector | undefined;
  /** While set, every API request is answered with this status (an outage; see setOutage). */
  outage: number | null;
}

export interface RequestContext {
  flavour: EmulatorFlavour;
  owner: string;
  url: URL;
  req: IncomingMessage;
}

export type Reply =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'stream'; status: number; stream: Readable; headers: Record<string, string> };

const json = (body: unknown, headers?: Record<string, string>): Reply => ({
  kind: 'json',
  status: 200,
  body,
  ...(headers ? { headers } : {}),
});

export const failureReply = (failure: ApiFailure): Reply => ({
  kind: 'json',
  status: failure.status,
  body: failure.body,
  ...(failure.headers ? { headers: failure.headers } : {}),
});

function videoOf(state: EmulatorState, job: JobRecord): Video {
  return videoAt(job, state.clock.now(), { expiresAfterMs: state.expiresAfterMs });
}

/** A video as retrieve and list show it: without `prompt` under the `omitPrompt` fault. */
function shownVideo(state: EmulatorState, job: JobRecord): Partial<Video> {
  const video = videoOf(state, job);
  if (!state.faults?.omitPrompt) return video;
  const { prompt: _omitted, ...rest } = video;
  return rest;
}

function videoReply(
  state: EmulatorState,
  job: JobRecord,
  video: Partial<Video> = videoOf(state, job),
): Reply {
  const hint = pollAfterMs(job, state.clock.now());
  return json(video, hint === undefined ? undefined : { 'openai-poll-after-ms': String(hint) });
}

/** What a gateway in front of the service answers when it lost the service's answer. */
function badGateway(): Reply {
  return {
    kind: 'stream',
    status: 502,
    stream: Readable.from([Buffer.from('<html><body><h1>502 Bad Gateway</h1></body></html>')]),
    headers: { 'content-type': 'text/html' },
  };
}

/**
 * The answer to a repeat of an earlier job-starting request (its original video object, or a 422 when
 * the parameters differ), or undefined when this key starts something new. Checked before the limits,
 * so a repeat costs nothing.
 */
function repeatOf(
  state: EmulatorState,
  ctx: RequestContext,
  keyed: KeyedRequest | undefined,
): Reply | undefined {
  if (!keyed) return undefined;
  const earlier = state.store.idempotencyRecord(ctx.owner, keyed.key, state.clock.now());
  if (!earlier) return undefined;
  if (earlier.fingerprint !== keyed.fingerprint) return failureReply(keyReusedFailure());
  state.logger.debug({ videoId: earlier.video.id }, 'idempotent repeat answered with the original video');
  return json(earlier.video, { 'idempotent-replayed': 'true' });
}

function plannedOutcome(prompt: string): { outcome: JobOutcome; share: number } {
  const verdict = moderatePrompt(prompt);
  if (verdict.blocked)
    return { outcome: { kind: 'failed', error: { ...MODERATION_BLOCKED_ERROR } }, share: 0.5 };
  if (prompt.includes(FAIL_MARKER))
    return { outcome: { kind: 'failed', error: { ...INTERNAL_ERROR } }, share: 1 };
  return { outcome: { kind: 'completed' }, share: 1 };
}

function startJob(
  state: EmulatorState,
  ctx: RequestContext,
  spec: CreateSpec,
  remixedFromVideoId: string | null,
  keyed: KeyedRequest | undefined,
): Reply {
  const now = state.clock.now();
  const running = state.store.byOwner(ctx.owner, 'asc').filter((job) => !isTerminalAt(job, now));
  const limited = state.limiter.check(ctx.owner, running, now);
  if (limited) return failureReply(limited);
  const { outcome, share } = plannedOutcome(spec.prompt);
  const job: JobRecord = {
    id: newId('video'),
    owner: ctx.owner,
    flavour: ctx.flavour,
    model: spec.model,
    size: spec.size,
    seconds: spec.seconds,
    prompt: spec.prompt,
    createdAtMs: now,
    seq: state.store.nextSeq(),
    renderMs: state.renderMs,
    finishAtMs: now + Math.round(state.renderMs * share),
    outcome,
    remixedFromVideoId,
    image: spec.image,
  };
  // The answer describes the job as it was created (queued, like the real service's), not as the clock
  // reads a moment later: on a loaded machine the work above can outlast the queued phase of a short render.
  const video = videoAt(job, now, { expiresAfterMs: state.expiresAfterMs });
  state.store.add(job, keyed && { owner: ctx.owner, ...keyed, video, expiresAtMs: now + IDEMPOTENCY_TTL_MS });
  state.limiter.record(ctx.owner, now);
  state.webhooks?.watch(job);
  state.logger.info(
    { videoId: job.id, flavour: ctx.flavour, size: job.size, seconds: job.seconds },
    'video created',
  );
  if (state.faults?.failAfterCreate()) {
    state.logger.debug({ videoId: job.id }, 'fault: job created, answering 502');
    return badGateway();
  }
  return videoReply(state, job, video);
}

async function readParsedBody(ctx: RequestContext) {
  const body = await readBody(ctx.req);
  if (!body.ok) return body;
  return parseBody(ctx.req.headers['content-type'], body.value);
}

export async function createVideo(state: EmulatorState, ctx: RequestContext): Promise<Reply> {
  const body = await readParsedBody(ctx);
  if (!body.ok) return failureReply(body.failure);
  const key = idempotencyKeyOf(ctx.req.headers);
  if (!key.ok) return failureReply(key.failure);
  const spec = parseCreateRequest(body.value, ctx.flavour);
  if (!spec.ok) return failureReply(spec.failure);
  const { prompt, model, size, seconds, image } = spec.value;
  const keyed = keyedRequest(key.value, { op: 'create', prompt, model, size, seconds, image: image?.sha256 });
  return repeatOf(state, ctx, keyed) ?? startJob(state, ctx, spec.value, null, keyed);
}

export async function remixVideo(state: EmulatorState, ctx: RequestContext, id: string): Promise<Reply> {
  const body = await readParsedBody(ctx);
  if (!body.ok) return failureReply(body.failure);
  const key = idempotencyKeyOf(ctx.req.headers);
  if (!key.ok) return failureReply(key.failure);
  const prompt = parseRemixRequest(body.value);
  if (!prompt.ok) return failureReply(prompt.failure);
  const keyed = keyedRequest(key.value, { op: 'remix', source: id, prompt: prompt.value });
  // Before the source is looked at: a repeat gets its job even if the source has expired or gone since.
  const repeat = repeatOf(state, ctx, keyed);
  if (repeat) return repeat;
  const source = state.store.get(ctx.owner, id);
  if (!source) return failureReply(videoNotFound(id));
  const now = state.clock.now();
  const status = statusAt(source, now);
  if (status !== 'completed')
    return failureReply(
      invalidRequest(
        `Video '${id}' is ${status}: only a completed video can be remixed.`,
        'video_id',
        'invalid_state',
      ),
    );
  const expiresAt = contentExpiresAtMs(source, { expiresAfterMs: state.expiresAfterMs });
  if (expiresAt !== undefined && now >= expiresAt)
    return failureReply(
      invalidRequest(`Video '${id}' has expired and can no longer be remixed.`, 'video_id', 'expired'),
    );
  return startJob(
    state,
    ctx,
    {
      prompt: prompt.value,
      model: source.model,
      size: source.size,
      seconds: source.seconds,
      image: source.image,
    },
    source.id,
    keyed,
  );
}

export function retrieveVideo(state: EmulatorState, ctx: RequestContext, id: string): Reply {
  const job = state.store.get(ctx.owner, id);
  return job ? videoReply(state, job, shownVideo(state, job)) : failureReply(videoNotFound(id));
}

export function deleteVideo(state: EmulatorState, ctx: RequestContext, id: string): Reply {
  const job = state.store.remove(ctx.owner, id);
  if (!job) return failureReply(videoNotFound(id));
  state.webhooks?.forget(id);
  return json({ id, object: 'video.deleted', deleted: true });
}

export function listVideos(state: EmulatorState, ctx: RequestContext): Reply {
  const params = ctx.url.searchParams;
  const order = params.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc')
    return failureReply(
      invalidRequest(`Invalid value: '${order}'. Supported values are: 'asc' and 'desc'.`, 'order'),
    );
  const limitText = params.get('limit') ?? '20';
  const limit = /^\d+$/.test(limitText) ? Number(limitText) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 0 || limit > 100)
    return failureReply(
      invalidRequest(`Invalid 'limit': expected an integer between 0 and 100, got '${limitText}'.`, 'limit'),
    );
  const all = state.store.byOwner(ctx.owner, order);
  let start = 0;
  const after = params.get('after');
  if (after !== null && after !== '') {
    const index = all.findIndex((job) => job.id === after);
    if (index < 0)
      return failureReply(invalidRequest(`No video found with id '${after}' for 'after'.`, 'after'));
    start = index + 1;
  }
  const page = all.slice(start, start + limit);
  const data = page.map((job) => shownVideo(state, job));
  const list: Omit<VideoList, 'data'> & { data: Partial<Video>[] } = {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: start + limit < all.length,
  };
  return json(list);
}

function isVariant(value: string): value is ContentVariant {
  return (CONTENT_VARIANTS as readonly string[]).includes(value);
}

export async function downloadContent(state: EmulatorState, ctx: RequestContext, id: string): Promise<Reply> {
  const variant = ctx.url.searchParams.get('variant') ?? 'video';
  if (!isVariant(variant))
    return failureReply(
      invalidRequest(
        `Invalid value: '${variant}'. Supported values are: ${CONTENT_VARIANTS.map((v) => `'${v}'`).join(', ')}.`,
        'variant',
      ),
    );
  const job = state.store.get(ctx.owner, id);
  if (!job) return failureReply(videoNotFound(id));
  const now = state.clock.now();
  const status = statusAt(job, now);
  if (status !== 'completed')
    return failureReply(
      apiFailure(404, `Video '${id}' has no content: it is ${status}.`, {
        param: 'video_id',
        code: 'content_not_found',
      }),
    );
  const expiresAt = contentExpiresAtMs(job, { expiresAfterMs: state.expiresAfterMs });
  if (expiresAt !== undefined && now >= expiresAt)
    return failureReply(
      apiFailure(404, `The content of video '${id}' has expired.`, {
        param: 'video_id',
        code: 'content_expired',
      }),
    );
  const contentType = CONTENT_TYPES[variant];
  const override = state.contentOverride?.(id, variant);
  if (override)
    return { kind: 'stream', status: 200, stream: override, headers: { 'content-type': contentType } };
  try {
    const file = await state.renderer.file(variant, {
      size: job.size,
      seconds: job.seconds,
      prompt: job.prompt,
      image: job.image,
    });
    return {
      kind: 'stream',
      status: 200,
      stream: createReadStream(file.path),
      headers: { 'content-type': contentType, 'content-length': String(file.bytes) },
    };
  } catch (error) {
    state.logger.error({ videoId: id, variant, err: String(error) }, 'render failed');
    return failureReply(
      serverError(`The emulator could not render the ${variant}: ${(error as Error).message}`),
    );
  }
}
