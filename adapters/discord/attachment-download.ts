/**
 * Downloads a person's attachment (the picture to animate) from Discord's CDN, treating the URL and
 * whatever answers it as hostile: an attachment URL arrives inside an interaction payload, and the
 * bytes come from the network.
 *
 * - Only `https://cdn.discordapp.com` and `https://media.discordapp.net` (where Discord serves
 *   attachments), plus the origin of DISCORD_API_URL when it is set (a proxy, or the test fake, which
 *   serves its CDN on the same port as its API). Anything else is refused before a socket opens.
 * - Redirects are not followed: Discord serves attachments directly, and a redirect could leave the list.
 * - No credential is ever sent: attachment URLs are signed by Discord (`ex`, `is`, `hm`) and need no
 *   token, so the request carries only a User-Agent.
 * - A connect timeout, an idle timeout (no headers or no body bytes for that long) and an overall
 *   deadline, so a slow or silent server cannot hold a job start.
 * - A byte cap counted while streaming, not taken from `content-length`: the download is aborted as
 *   soon as one byte too many arrives (a declared length above the cap is refused at once too).
 */

import { Agent, request } from 'undici';
import { AttachmentError } from '../../src/core/intents.js';
import type { Logger } from '../../src/core/logger.js';
import { SORA_2 } from '../../src/sora/capabilities.js';

/** Where Discord serves attachment bytes (https only). */
export const DISCORD_CDN_ORIGINS = ['https://cdn.discordapp.com', 'https://media.discordapp.net'] as const;

export interface DownloadLimits {
  /** The provider refuses reference images above this, so more bytes are never worth reading. */
  maxBytes: number;
  connectTimeoutMs: number;
  /** No headers, or no body bytes, for this long: the server is stalling. */
  idleTimeoutMs: number;
  /** The whole download, however the bytes trickle in. */
  deadlineMs: number;
}

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = {
  maxBytes: SORA_2.maxImageBytes,
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 15_000,
  deadlineMs: 60_000,
};

export type DownloadFailure =
  | 'host_refused'
  | 'redirect_refused'
  | 'http_status'
  | 'too_large'
  | 'connect_timeout'
  | 'idle_timeout'
  | 'deadline'
  | 'network';

/** What the person reads when the core says "I couldn't use `photo.png`: it ...". */
const REASONS: Record<DownloadFailure, string> = {
  host_refused: 'is not on Discord, and I only fetch files from Discord; attach the picture itself',
  redirect_refused: "couldn't be fetched from Discord (it pointed elsewhere); attach it again",
  http_status: 'was refused by Discord; attach it again',
  too_large: 'is over the 20 MB limit for pictures; attach a smaller one',
  connect_timeout: "couldn't be fetched from Discord in time; attach it again",
  idle_timeout: 'stopped arriving from Discord; attach it again',
  deadline: 'took too long to arrive from Discord; attach it again',
  network: "couldn't be fetched from Discord; attach it again",
};

/** Why a download was refused or failed: `code` for the log, the sentence for the person. */
export class AttachmentDownloadError extends AttachmentError {
  override readonly name: string = 'AttachmentDownloadError';
  constructor(
    readonly code: DownloadFailure,
    message: string,
  ) {
    super(REASONS[code], message);
  }
}

/** What the rest of the adapter needs: the bytes behind an attachment URL. */
export interface AttachmentSource {
  download(url: string): Promise<Uint8Array>;
}

export class AttachmentDownloads implements AttachmentSource {
  private readonly origins: ReadonlySet<string>;
  private readonly limits: DownloadLimits;
  /** Its own connection pool: the timeouts apply to these downloads only, not to the process's fetch. */
  private readonly agent: Agent;
  private readonly logger: Logger | undefined;

  constructor(
    options: { apiUrl?: string | undefined; limits?: Partial<DownloadLimits>; logger?: Logger } = {},
  ) {
    this.limits = { ...DEFAULT_DOWNLOAD_LIMITS, ...options.limits };
    this.origins = new Set([
      ...DISCORD_CDN_ORIGINS,
      ...(options.apiUrl ? [new URL(options.apiUrl).origin] : []),
    ]);
    this.logger = options.logger;
    this.agent = new Agent({
      connect: { timeout: this.limits.connectTimeoutMs },
      headersTimeout: this.limits.idleTimeoutMs,
      bodyTimeout: this.limits.idleTimeoutMs,
    });
  }

  /** The URL if the bot may fetch it: an allowed origin, https unless it is DISCORD_API_URL's own. */
  allowed(url: string): URL | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    // `origin` drops user:password@, so compare it and refuse credentials in the URL separately.
    if (parsed.username || parsed.password) return undefined;
    return this.origins.has(parsed.origin) ? parsed : undefined;
  }

  async download(url: string): Promise<Uint8Array> {
    const target = this.allowed(url);
    if (!target) {
      const origin = URL.canParse(url) ? new URL(url).origin : 'unparseable';
      return this.fail('host_refused', `attachment host not allowed (${origin})`);
    }
    const deadline = AbortSignal.timeout(this.limits.deadlineMs);
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(target, {
        method: 'GET',
        dispatcher: this.agent,
        signal: deadline,
        // Deliberately nothing else: no Authorization, no cookies.
        headers: { 'user-agent': 'sora-bot (attachment download)' },
      });
    } catch (error) {
      return this.fail(failureOf(error, deadline), `attachment download failed (${target.origin})`);
    }
    const { statusCode, headers, body } = response;
    if (statusCode !== 200) {
      discard(body);
      return statusCode >= 300 && statusCode < 400
        ? this.fail('redirect_refused', `attachment download redirected (${statusCode})`)
        : this.fail('http_status', `the attachment download answered ${statusCode}`);
    }
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > this.limits.maxBytes) {
      discard(body);
      return this.fail('too_large', `the attachment declares ${declared} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        size += (chunk as Buffer).length;
        // Counted as it arrives: a server that lies about (or omits) content-length is cut off here.
        if (size > this.limits.maxBytes) break;
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      discard(body);
      return this.fail(failureOf(error, deadline), `attachment download failed (${target.origin})`);
    }
    if (size > this.limits.maxBytes) {
      discard(body);
      return this.fail('too_large', `the attachment is over ${this.limits.maxBytes} bytes`);
    }
    return new Uint8Array(Buffer.concat(chunks, size));
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private fail(reason: DownloadFailure, message: string): never {
    // The person gets the plain sentence; the details are for whoever runs the bot.
    this.logger?.warn({ reason }, message);
    throw new AttachmentDownloadError(reason, message);
  }
}

/** Drops a body unread; undici reports that as an abort error, which nobody needs to hear. */
function discard(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => undefined);
  body.destroy();
}

function failureOf(error: unknown, deadline: AbortSignal): DownloadFailure {
  if (deadline.aborted) return 'deadline';
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect_timeout';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'idle_timeout';
  return 'network';
}
