/**
 * Attachment downloads over real sockets: only Discord's CDN (plus DISCORD_API_URL's origin), never
 * a credential, no redirects, and a connect timeout, an idle timeout, a deadline and a byte cap counted
 * while streaming. A "trap" server stands for any host the bot must not talk to: it records every
 * request it gets.
 */
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AttachmentDownloadError,
  AttachmentDownloads,
  DEFAULT_DOWNLOAD_LIMITS,
  type DownloadFailure,
} from '../../adapters/discord/attachment-download.js';
import { SORA_2 } from '../../src/sora/capabilities.js';

interface Trap {
  origin: string;
  requests: IncomingHttpHeaders[];
  /** Set when the server saw the client close the connection. */
  closed: Promise<void>;
  /** Bytes the handler managed to write before the client went away. */
  written: () => number;
  server: Server;
}

const open: Array<{ close(): unknown }> = [];

afterEach(async () => {
  for (const thing of open.splice(0)) await thing.close();
});

/** An HTTP server whose handler writes what the test says; it records headers and closes. */
async function trap(
  handle: (res: import('node:http').ServerResponse, count: (n: number) => void) => void,
): Promise<Trap> {
  const requests: IncomingHttpHeaders[] = [];
  let written = 0;
  let closed!: () => void;
  const closedPromise = new Promise<void>((resolve) => {
    closed = resolve;
  });
  const server = createHttpServer((req, res) => {
    requests.push(req.headers);
    res.on('close', () => closed());
    handle(res, (n) => {
      written += n;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  open.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, requests, closed: closedPromise, written: () => written, server };
}

function downloads(apiOrigin: string, limits: Partial<typeof DEFAULT_DOWNLOAD_LIMITS> = {}) {
  const d = new AttachmentDownloads({ apiUrl: `${apiOrigin}/api`, limits });
  open.push(d);
  return d;
}

async function failure(promise: Promise<unknown>): Promise<DownloadFailure> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AttachmentDownloadError);
    return (error as AttachmentDownloadError).code;
  }
  throw new Error('the download succeeded');
}

/** Writes `total` bytes in 64 KiB chunks, respecting backpressure, without a content-length. */
function stream(res: import('node:http').ServerResponse, total: number, count: (n: number) => void) {
  res.writeHead(200, { 'content-type': 'image/png' });
  const chunk = Buffer.alloc(64 * 1024, 7);
  let left = total;
  const pump = (): void => {
    while (left > 0 && !res.destroyed) {
      const piece = chunk.subarray(0, Math.min(chunk.length, left));
      left -= piece.length;
      count(piece.length);
      if (!res.write(piece)) {
        res.once('drain', pump);
        return;
      }
    }
    if (left <= 0) res.end();
  };
  pump();
}

describe('where the bot downloads from', () => {
  it('downloads from the DISCORD_API_URL origin and sends no credential', async () => {
    const cdn = await trap((res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': 3 });
      res.end(Buffer.from([1, 2, 3]));
    });
    const bytes = await downloads(cdn.origin).download(`${cdn.origin}/attachments/1/2/a.png?ex=1&hm=2`);
    expect([...bytes]).toEqual([1, 2, 3]);
    expect(cdn.requests).toHaveLength(1);
    expect(cdn.requests[0]!['authorization']).toBeUndefined();
    expect(cdn.requests[0]!['cookie']).toBeUndefined();
  });

  it('refuses any other host before opening a socket: the trap sees nothing', async () => {
    const api = await trap((res) => res.end());
    const other = await trap((res) => res.end('gotcha'));
    const d = downloads(api.origin);
    expect(await failure(d.download(`${other.origin}/attachments/1/2/a.png`))).toBe('host_refused');
    // Discord's hosts over plain http, lookalike hosts, credentials in the URL, other schemes.
    for (const url of [
      'http://cdn.discordapp.com/attachments/1/2/a.png',
      'https://cdn.discordapp.com.evil.example/attachments/1/2/a.png',
      'https://evil.example/cdn.discordapp.com/a.png',
      'https://user:pass@cdn.discordapp.com/attachments/1/2/a.png',
      'https://cdn.discordapp.com:8443/attachments/1/2/a.png',
      'file:///etc/passwd',
      'not a url',
    ])
      expect(await failure(d.download(url)), url).toBe('host_refused');
    expect(other.requests).toEqual([]);
    expect(api.requests).toEqual([]);
  });

  it('allows only https on Discord’s two CDN hosts without DISCORD_API_URL', () => {
    const d = new AttachmentDownloads();
    open.push(d);
    expect(d.allowed('https://cdn.discordapp.com/attachments/1/2/a.png?ex=1')).toBeDefined();
    expect(d.allowed('https://media.discordapp.net/attachments/1/2/a.png')).toBeDefined();
    expect(d.allowed('http://127.0.0.1:9/attachments/1/2/a.png')).toBeUndefined();
  });

  it('does not follow a redirect, so the redirect’s target sees nothing', async () => {
    const other = await trap((res) => res.end('gotcha'));
    const cdn = await trap((res) => {
      res.writeHead(302, { location: `${other.origin}/steal` });
      res.end();
    });
    expect(await failure(downloads(cdn.origin).download(`${cdn.origin}/a.png`))).toBe('redirect_refused');
    expect(other.requests).toEqual([]);
  });

  it('answers an error status with a failure', async () => {
    const cdn = await trap((res) => {
      res.writeHead(404);
      res.end('This content is no longer available.');
    });
    expect(await failure(downloads(cdn.origin).download(`${cdn.origin}/a.png`))).toBe('http_status');
  });
});

describe('how much and how long', () => {
  it('caps at the provider’s 20 MB by default, counted while streaming (no content-length)', async () => {
    expect(DEFAULT_DOWNLOAD_LIMITS.maxBytes).toBe(SORA_2.maxImageBytes);
    const cdn = await trap((res, count) => stream(res, 64 * 1024 * 1024, count));
    expect(await failure(downloads(cdn.origin).download(`${cdn.origin}/big.png`))).toBe('too_large');
    await cdn.closed;
    // Aborted as soon as the cap was passed: far less than the 64 MiB on offer was ever written.
    expect(cdn.written()).toBeLessThan(SORA_2.maxImageBytes + 8 * 1024 * 1024);
  });

  it('accepts exactly the cap and refuses one byte more', async () => {
    const cap = 256 * 1024;
    const exact = await trap((res, count) => stream(res, cap, count));
    expect((await downloads(exact.origin, { maxBytes: cap }).download(`${exact.origin}/a.png`)).length).toBe(
      cap,
    );
    const over = await trap((res, count) => stream(res, cap + 1, count));
    expect(await failure(downloads(over.origin, { maxBytes: cap }).download(`${over.origin}/a.png`))).toBe(
      'too_large',
    );
  });

  it('refuses a declared length over the cap before reading the body', async () => {
    const cdn = await trap((res) => {
      res.writeHead(200, { 'content-length': 10_000_000 });
      res.write(Buffer.alloc(10));
    });
    expect(await failure(downloads(cdn.origin, { maxBytes: 1000 }).download(`${cdn.origin}/a.png`))).toBe(
      'too_large',
    );
  });

  it('gives up on a server that sends headers and then stalls (idle timeout)', async () => {
    const cdn = await trap((res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(Buffer.alloc(100));
    });
    const started = Date.now();
    expect(await failure(downloads(cdn.origin, { idleTimeoutMs: 300 }).download(`${cdn.origin}/a.png`))).toBe(
      'idle_timeout',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives up on a server that never answers the request (idle timeout on headers)', async () => {
    const cdn = await trap(() => undefined);
    expect(await failure(downloads(cdn.origin, { idleTimeoutMs: 300 }).download(`${cdn.origin}/a.png`))).toBe(
      'idle_timeout',
    );
  });

  it('gives up on a server that trickles bytes forever (deadline)', async () => {
    const cdn = await trap((res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      const timer = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(timer));
    });
    expect(
      await failure(
        downloads(cdn.origin, { idleTimeoutMs: 2_000, deadlineMs: 400 }).download(`${cdn.origin}/a.png`),
      ),
    ).toBe('deadline');
  });

  it('gives up on a host that accepts the connection but never completes TLS (connect timeout)', async () => {
    const sockets: Socket[] = [];
    const silent: TcpServer = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    open.push({
      close: () => {
        for (const socket of sockets) socket.destroy();
        return new Promise<void>((resolve) => silent.close(() => resolve()));
      },
    });
    const origin = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const started = Date.now();
    expect(
      await failure(
        downloads(origin, { connectTimeoutMs: 200, idleTimeoutMs: 10_000 }).download(`${origin}/a.png`),
      ),
    ).toBe('connect_timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
