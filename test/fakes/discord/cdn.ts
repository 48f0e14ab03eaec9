import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { SnowflakeSource } from './snowflake.js';

/**
 * Attachment bytes and their signed, expiring CDN URLs. Discord's attachment URLs carry `ex` (expiry, hex
 * unix seconds), `is` (issued) and `hm` (signature) and stop working once expired, so a bot must download
 * user images promptly. https://discord.com/developers/docs/reference#signed-attachment-cdn-urls
 */
export interface StoredAttachment {
  id: string;
  channelId: string;
  filename: string;
  contentType: string;
  /** null for bot uploads when the fake runs with `retainUploadBytes: false` (benchmarks). */
  bytes: Buffer | null;
  size: number;
  width: number | null;
  height: number | null;
  description: string | null;
  ephemeral: boolean;
  /** When the URL in `payload()` stops working (ms, fake clock). */
  expiresAtMs: number;
  signature: string;
}

export class AttachmentCdn {
  private readonly bySignature = new Map<string, StoredAttachment>();
  readonly all: StoredAttachment[] = [];
  /**
   * Every CDN download attempt: `{attachmentId, status}`, and the Authorization header it carried
   * (Discord's CDN needs none: a bot that sends its token here leaks it to whoever serves the URL).
   */
  readonly downloads: Array<{
    attachmentId: string | null;
    status: number;
    atMs: number;
    authorization: string | null;
  }> = [];

  constructor(
    private readonly origin: () => string,
    private readonly nextId: SnowflakeSource,
    private readonly now: () => number,
    private readonly urlLifetimeMs: number,
    private readonly retainUploadBytes: boolean,
  ) {}

  store(input: {
    channelId: string;
    filename: string;
    contentType?: string;
    bytes: Buffer;
    width?: number | null;
    height?: number | null;
    description?: string | null;
    ephemeral?: boolean;
    /** Bytes the bot uploaded (dropped unless retainUploadBytes), as opposed to seeded test input. */
    upload?: boolean;
  }): StoredAttachment {
    const attachment: StoredAttachment = {
      id: this.nextId(),
      channelId: input.channelId,
      filename: input.filename,
      contentType: input.contentType ?? 'application/octet-stream',
      bytes: input.upload && !this.retainUploadBytes ? null : input.bytes,
      size: input.bytes.length,
      width: input.width ?? null,
      height: input.height ?? null,
      description: input.description ?? null,
      ephemeral: input.ephemeral ?? false,
      expiresAtMs: this.now() + this.urlLifetimeMs,
      signature: randomBytes(16).toString('hex'),
    };
    this.bySignature.set(attachment.signature, attachment);
    this.all.push(attachment);
    return attachment;
  }

  byId(id: string): StoredAttachment | undefined {
    return this.all.find((a) => a.id === id);
  }

  url(a: StoredAttachment, host: 'cdn' | 'media'): string {
    const ex = Math.ceil(a.expiresAtMs / 1000).toString(16);
    const is = Math.floor((a.expiresAtMs - this.urlLifetimeMs) / 1000).toString(16);
    const prefix = host === 'cdn' ? '/attachments' : '/media/attachments';
    return `${this.origin()}${prefix}/${a.channelId}/${a.id}/${encodeURIComponent(a.filename)}?ex=${ex}&is=${is}&hm=${a.signature}&`;
  }

  payload(a: StoredAttachment): Record<string, unknown> {
    return {
      id: a.id,
      filename: a.filename,
      size: a.size,
      url: this.url(a, 'cdn'),
      proxy_url: this.url(a, 'media'),
      content_type: a.contentType,
      width: a.width,
      height: a.height,
      description: a.description ?? undefined,
      ephemeral: a.ephemeral || undefined,
      flags: 0,
    };
  }

  /** Serves `/attachments/...` and `/media/attachments/...`; answers false if the path is not a CDN path. */
  serve(
    path: string,
    query: URLSearchParams,
    res: ServerResponse,
    elapsedMs: number,
    authorization: string | null = null,
  ): boolean {
    const match = /^\/(?:media\/)?attachments\/(\d+)\/(\d+)\/[^/]+$/.exec(path);
    if (!match) return false;
    const attachment = this.bySignature.get(query.get('hm') ?? '');
    const fail = (status: number, text: string): true => {
      this.downloads.push({ attachmentId: match[2] ?? null, status, atMs: elapsedMs, authorization });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(text);
      return true;
    };
    if (!attachment || attachment.id !== match[2] || attachment.channelId !== match[1]) {
      return fail(404, 'Not Found');
    }
    // Discord's CDN answers expired signed links with this text and a 404.
    if (this.now() >= attachment.expiresAtMs) return fail(404, 'This content is no longer available.');
    if (!attachment.bytes) return fail(404, 'fake discord: bytes not retained (retainUploadBytes: false)');
    this.downloads.push({ attachmentId: attachment.id, status: 200, atMs: elapsedMs, authorization });
    res.writeHead(200, {
      'content-type': attachment.contentType,
      'content-length': attachment.size,
    });
    res.end(attachment.bytes);
    return true;
  }
}
