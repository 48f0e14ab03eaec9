/**
 * Downloads a person's file with the bot token, bounded in every way a hostile or broken server could
 * stretch it:
 * - the token goes only to hosts FileHostPolicy allows, checked again on every redirect hop. Redirects
 *   are followed here, by hand, because a client that follows them itself decides on its own whether
 *   the Authorization header goes along; a hop off the list is not requested at all;
 * - a connect timeout, an idle timeout (no headers, or no body bytes, for `idleTimeoutMs`) and a
 *   deadline for the whole download, so a server that stalls or drips cannot hold a socket for ever;
 * - a byte cap counted while the body streams, never trusted from `content-length` (absent, or a lie):
 *   the request is aborted as soon as the cap is passed, so memory stays bounded by the cap.
 * Failures are FileDownloadErrors with a stable code; they are logged with the host only (the token is
 * in no URL, header or message that is logged).
 */

import { Agent, type Dispatcher, request } from 'undici';
import { AttachmentError } from '../../src/core/intents.js';
import type { Logger } from '../../src/core/logger.js';
import { SORA_2 } from '../../src/sora/capabilities.js';
import type { FileHostPolicy } from './file-hosts.js';

export interface DownloadLimits {
  /** TCP (and TLS) connection set-up. */
  connectTimeoutMs: number;
  /** Longest wait for the headers, and between two chunks of the body. */
  idleTimeoutMs: number;
  /** The whole download, redirects included: a server dripping a byte at a time still ends. */
  totalTimeoutMs: number;
  /** The core refuses bigger reference images anyway; reading past this would only cost memory. */
  maxBytes: number;
  maxRedirects: number;
}

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = {
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 20_000,
  totalTimeoutMs: 120_000,
  maxBytes: SORA_2.maxImageBytes,
  maxRedirects: 3,
};

export type FileDownloadErrorCode =
  | 'foreign_host'
  | 'too_many_redirects'
  | 'refused'
  | 'too_large'
  | 'timeout'
  | 'network';

/** What the person reads when the core says "I couldn't use `photo.png`: it ...". */
const REASONS: Record<FileDownloadErrorCode, string> = {
  foreign_host:
    'is stored outside Slack, and I only fetch files from Slack (upload the picture to Slack directly)',
  too_many_redirects: "couldn't be fetched from Slack (too many redirects); attach it again",
  refused: 'was refused by Slack; attach it again',
  too_large: 'is over the 20 MB limit for pictures; attach a smaller one',
  timeout: 'stopped arriving from Slack; attach it again',
  network: "couldn't be fetched from Slack; attach it again",
};

export class FileDownloadError extends AttachmentError {
  override readonly name: string = 'FileDownloadError';
  constructor(
    readonly code: FileDownloadErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(REASONS[code], `${code}: ${message}`, options);
  }
}

export interface SlackFileDownloaderOptions {
  /** One workspace's token, or (OAuth installs) how to find the token of the workspace being served. */
  botToken: string | (() => Promise<string>);
  policy: FileHostPolicy;
  limits?: Partial<DownloadLimits> | undefined;
  logger: Logger;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export class SlackFileDownloader {
  readonly limits: DownloadLimits;
  readonly policy: FileHostPolicy;
  private readonly agent: Agent;

  constructor(private readonly options: SlackFileDownloaderOptions) {
    this.limits = { ...DEFAULT_DOWNLOAD_LIMITS, ...options.limits };
    this.policy = options.policy;
    // One agent for every download: its own timeouts, whatever the process-wide dispatcher says.
    this.agent = new Agent({
      connect: { timeout: this.limits.connectTimeoutMs },
      headersTimeout: this.limits.idleTimeoutMs,
      bodyTimeout: this.limits.idleTimeoutMs,
    });
  }

  /** The file's bytes; throws FileDownloadError (logged here, since callers only say "couldn't"). */
  async download(url: string): Promise<Uint8Array> {
    let host = '';
    try {
      const start = new URL(url);
      host = start.host;
      return await this.follow(start, (hop) => {
        host = hop.host;
      });
    } catch (error) {
      const failure = asDownloadError(error);
      this.options.logger.warn(
        { host, code: failure.code, reason: failure.message },
        'slack file download failed',
      );
      throw failure;
    }
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }

  private async follow(start: URL, onHop: (url: URL) => void): Promise<Uint8Array> {
    const signal = AbortSignal.timeout(this.limits.totalTimeoutMs);
    const { botToken } = this.options;
    const token = typeof botToken === 'string' ? botToken : await botToken();
    let current = start;
    for (let hop = 0; ; hop++) {
      onHop(current);
      if (!this.policy.mayCarryToken(current))
        throw new FileDownloadError(
          'foreign_host',
          hop === 0 ? 'the file is not on a Slack file host' : 'a redirect left the Slack file hosts',
        );
      const response = await request(current, {
        method: 'GET',
        dispatcher: this.agent,
        headers: { authorization: `Bearer ${token}` },
        signal,
      });
      if (REDIRECTS.has(response.statusCode)) {
        discard(response.body);
        const location = headerValue(response.headers, 'location');
        if (!location) throw new FileDownloadError('refused', `a ${response.statusCode} without a location`);
        if (hop >= this.limits.maxRedirects)
          throw new FileDownloadError(
            'too_many_redirects',
            `more than ${this.limits.maxRedirects} redirects`,
          );
        current = new URL(location, current);
        continue;
      }
      const type = headerValue(response.headers, 'content-type') ?? '';
      // Without a valid token Slack answers 200 with its HTML sign-in page, not 401.
      if (response.statusCode !== 200 || type.startsWith('text/html')) {
        discard(response.body);
        throw new FileDownloadError('refused', `answered ${response.statusCode} ${type.split(';')[0]}`);
      }
      return readCapped(response.body, this.limits.maxBytes);
    }
  }
}

/** Reads a body into memory, aborting the request as soon as it passes `maxBytes`. */
async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<Uint8Array> {
  // Failures reach us through the loop; the abort that ends a cut body must not be "unhandled".
  body.on('error', ignore);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      const buffer = chunk as Buffer;
      total += buffer.length;
      if (total > maxBytes) throw new FileDownloadError('too_large', `more than ${maxBytes} bytes`);
      chunks.push(buffer);
    }
  } finally {
    // Ends the request (and its socket) whether the loop finished, hit the cap or timed out.
    if (!body.destroyed) body.destroy();
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

/** Drops a body unread: destroying it aborts the request and frees (closes) the socket. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', ignore);
  body.destroy();
}

function ignore(): void {}

function headerValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function asDownloadError(error: unknown): FileDownloadError {
  if (error instanceof FileDownloadError) return error;
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  if ((typeof code === 'string' && TIMEOUT_CODES.has(code)) || name === 'TimeoutError')
    return new FileDownloadError('timeout', 'the download stalled', { cause: error });
  if (error instanceof TypeError && /Invalid URL/i.test(error.message))
    return new FileDownloadError('refused', 'not a URL', { cause: error });
  return new FileDownloadError('network', typeof code === 'string' ? code : 'the connection failed', {
    cause: error,
  });
}
