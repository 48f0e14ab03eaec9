/**
 * The bot's Web API clients. Two WebClients, because a 429 pauses a WebClient's whole request queue
 * (docs/platforms.md, "Rate limits"): `api` carries everything that matters (posts, uploads,
 * modals) and waits out a 429 for exactly `Retry-After` itself; `progress` carries the cosmetic
 * status edits and gives up on a 429 at once, so delivery never queues behind a progress bar.
 * Platform errors become SurfaceErrors with stable codes here, at the edge.
 */
import { webApi } from '@slack/bolt';
import type { Logger } from '../../src/core/logger.js';
import { SurfaceError } from '../../src/core/surface.js';

export type SlackArgs = Record<string, unknown>;
export type SlackResult = Record<string, unknown> & { ok?: boolean };

export interface SlackApiOptions {
  /** One workspace's token, or (OAuth installs) how to find the token of the workspace being served. */
  botToken: string | (() => Promise<string>);
  /** SLACK_API_URL (GovSlack, tests); Slack's own by default. */
  slackApiUrl?: string | undefined;
  /** Retries of network failures (a 429 is handled separately). Tests pass `{ retries: 0 }`. */
  retryConfig?: webApi.RetryOptions;
  /** How many 429s in a row one call waits out before giving up with `rate_limited`. */
  maxRateLimitWaits?: number;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

export const NOT_IN_CHANNEL_TEXT =
  "I can't post in this channel. Invite me with `/invite @sora-bot`, then try again.";

const DEFAULT_RETRY: webApi.RetryOptions = { retries: 3, factor: 2, minTimeout: 1_000, maxTimeout: 10_000 };

export class SlackApi {
  readonly api: webApi.WebClient;
  readonly progress: webApi.WebClient;
  private readonly tokenOf: (() => Promise<string>) | undefined;
  private readonly maxWaits: number;
  private readonly logger: Logger;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: SlackApiOptions) {
    const common = {
      ...(options.slackApiUrl ? { slackApiUrl: withSlash(options.slackApiUrl) } : {}),
      retryConfig: options.retryConfig ?? DEFAULT_RETRY,
      rejectRateLimitedCalls: true,
      logLevel: webApi.LogLevel.ERROR,
      logger: quietWebLogger(options.logger),
      timeout: 30_000,
    };
    // With a token per workspace the clients hold none: each call names its own (`withToken`).
    const fixed = typeof options.botToken === 'string' ? options.botToken : undefined;
    this.api = new webApi.WebClient(fixed, common);
    this.progress = new webApi.WebClient(fixed, { ...common, retryConfig: { retries: 0 } });
    this.tokenOf = typeof options.botToken === 'string' ? undefined : options.botToken;
    this.maxWaits = options.maxRateLimitWaits ?? 5;
    this.logger = options.logger;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** A Web API call that waits out rate limits; throws SurfaceError on a platform error. */
  async call(method: string, args: SlackArgs): Promise<SlackResult> {
    for (let waits = 0; ; waits++) {
      try {
        return (await this.api.apiCall(method, await this.withToken(args))) as SlackResult;
      } catch (error) {
        const retryAfterSec = rateLimitedFor(error);
        if (retryAfterSec === undefined) throw toSurfaceError(error, method);
        if (waits >= this.maxWaits)
          throw new SurfaceError('rate_limited', 'Slack is rate limiting me; try again in a minute.', true, {
            cause: error,
          });
        this.logger.info({ method, retryAfterSec }, 'slack rate limit: waiting it out');
        await this.sleep(Math.max(1, retryAfterSec) * 1000);
      }
    }
  }

  /**
   * A small file held in memory (a usage chart), shared into a conversation id (C…, G… or D…: Slack
   * refuses a user id here) with `files.uploadV2`, the three external-upload steps in one call.
   * Videos never come here: they are streamed from disk (streaming-upload.ts). Returns the file id.
   */
  async uploadSmallFile(input: {
    channel: string;
    bytes: Uint8Array;
    filename: string;
    title: string;
    altText?: string;
  }): Promise<string | undefined> {
    try {
      const result = await this.api.files.uploadV2({
        ...(await this.withToken({})),
        channel_id: input.channel,
        file: Buffer.from(input.bytes),
        filename: input.filename,
        title: input.title,
        ...(input.altText ? { alt_text: input.altText.slice(0, 1000) } : {}),
      });
      const completions = (result as { files?: { files?: { id?: string }[] }[] }).files ?? [];
      return completions[0]?.files?.[0]?.id;
    } catch (error) {
      throw toSurfaceError(error, 'files.uploadV2');
    }
  }

  /** A cosmetic call (progress edits): one try, no waiting, on the separate client. */
  async tryProgress(method: string, args: SlackArgs): Promise<SlackResult> {
    try {
      return (await this.progress.apiCall(method, await this.withToken(args))) as SlackResult;
    } catch (error) {
      throw toSurfaceError(error, method);
    }
  }

  /** The call's arguments with the served workspace's token (OAuth installs); as they are otherwise. */
  private async withToken(args: SlackArgs): Promise<SlackArgs> {
    return this.tokenOf ? { ...args, token: await this.tokenOf() } : args;
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function rateLimitedFor(error: unknown): number | undefined {
  if (error instanceof Error && (error as { code?: unknown }).code === webApi.ErrorCode.RateLimitedError)
    return (error as webApi.WebAPIRateLimitedError).retryAfter;
  return undefined;
}

/** The Slack error string of a platform error (`not_in_channel`, `missing_scope`, …). */
export function slackErrorCode(error: unknown): string | undefined {
  if (error instanceof SurfaceError) return slackErrorCode(error.cause);
  if (error instanceof Error && (error as { code?: unknown }).code === webApi.ErrorCode.PlatformError)
    return (error as webApi.WebAPIPlatformError).data.error;
  return undefined;
}

const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);
const UPLOAD_REFUSED = new Set(['file_upload_size_restricted', 'file_uploads_disabled', 'file_too_large']);

export function toSurfaceError(error: unknown, method: string): SurfaceError {
  if (error instanceof SurfaceError) return error;
  const code = slackErrorCode(error);
  if (code && NOT_IN_CHANNEL.has(code))
    return new SurfaceError('not_in_channel', NOT_IN_CHANNEL_TEXT, false, { cause: error });
  if (code && UPLOAD_REFUSED.has(code))
    return new SurfaceError('upload_refused', uploadRefusedText(code), false, { cause: error });
  if (code === 'ratelimited')
    return new SurfaceError('rate_limited', 'Slack is rate limiting me; try again in a minute.', true, {
      cause: error,
    });
  if (
    code === 'missing_scope' ||
    code === 'invalid_auth' ||
    code === 'not_authed' ||
    code === 'account_inactive'
  )
    return new SurfaceError(
      'platform_error',
      `Slack refused ${method} (${code}): the app needs reinstalling with the scopes in manifest.yml (\`sora-bot doctor\` checks them).`,
      false,
      { cause: error },
    );
  if (code)
    return new SurfaceError('platform_error', `Slack answered ${method} with ${code}.`, true, {
      cause: error,
    });
  // Network trouble or a 5xx: worth retrying later. The message never carries a URL with a token.
  const reason = error instanceof Error ? error.message.slice(0, 200) : String(error);
  return new SurfaceError('platform_error', `Slack could not be reached for ${method} (${reason}).`, true, {
    cause: error,
  });
}

export function uploadRefusedText(code: string): string {
  switch (code) {
    case 'file_uploads_disabled':
      return 'This workspace has file uploads turned off, so I could not attach the video.';
    default:
      return "This workspace limits the size of uploads, and the video is over it, so I couldn't attach it.";
  }
}

/** @slack/web-api's logger interface, forwarded at warn and error only (its debug lines show request bodies). */
function quietWebLogger(logger: Logger): webApi.Logger {
  const forward =
    (level: 'warn' | 'error') =>
    (...msgs: unknown[]) =>
      logger[level]({ source: 'slack-web-api' }, msgs.map((m) => String(m)).join(' '));
  return {
    debug: () => {},
    info: () => {},
    warn: forward('warn'),
    error: forward('error'),
    setLevel: () => {},
    getLevel: () => webApi.LogLevel.WARN,
    setName: () => {},
  };
}
