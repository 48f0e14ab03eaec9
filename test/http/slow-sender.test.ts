/**
 * The HTTP server cuts off a slow sender: headers that never finish and a body that trickles are
 * answered 408 (or the socket is closed) once the request timeouts pass, while a normal request and a
 * long response still work.
 */
import { connect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { HttpServer, readBody, sendJson } from '../../src/http/http-server.js';
import { createLogger } from '../../src/logging.js';

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(): Promise<URL> {
  server = new HttpServer({
    host: '127.0.0.1',
    port: 0,
    logger: createLogger('silent'),
    headersTimeoutMs: 500,
    requestTimeoutMs: 800,
    checkEveryMs: 100,
  });
  server.route('POST', '/echo', async (req, res) => {
    const body = await readBody(req, 1024);
    sendJson(res, 200, { bytes: body.length });
  });
  server.route('GET', '/stream', async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    for (let i = 0; i < 15; i++) {
      res.write(`${i}\n`);
      await new Promise((r) => setTimeout(r, 100));
    }
    res.end();
  });
  return new URL(await server.listen());
}

/** Writes `parts` to a raw socket with a pause between them; resolves with what came back and when. */
function trickle(
  url: URL,
  parts: string[],
  pauseMs: number,
): Promise<{ reply: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(Number(url.port), url.hostname);
    let reply = '';
    socket.on('data', (d) => {
      reply += String(d);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ reply, closedAfterMs: Date.now() - started }));
    let i = 0;
    const next = () => {
      if (socket.destroyed || i >= parts.length) return;
      socket.write(parts[i++]!);
      setTimeout(next, pauseMs);
    };
    next();
  });
}

it('cuts off headers that never finish and a body that trickles', async () => {
  const url = await start();
  const slowHeaders = await trickle(
    url,
    Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: y\r\n`).map((h, i) =>
      i === 0 ? `POST /echo HTTP/1.1\r\nHost: x\r\n${h}` : h,
    ),
    100,
  );
  expect(slowHeaders.reply).toMatch(/^HTTP\/1\.1 408/);
  expect(slowHeaders.closedAfterMs).toBeLessThan(3_000);
  const slowBody = await trickle(
    url,
    [
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n',
      ...Array.from({ length: 60 }, () => 'a'),
    ],
    100,
  );
  expect(slowBody.reply).toMatch(/^HTTP\/1\.1 408/);
  expect(slowBody.closedAfterMs).toBeLessThan(3_000);
  // A prompt sender and a long response are not affected.
  const ok = await fetch(new URL('/echo', url), { method: 'POST', body: 'hello' });
  expect(await ok.json()).toEqual({ bytes: 5 });
  const long = await (await fetch(new URL('/stream', url))).text();
  expect(long.trim().split('\n')).toHaveLength(15);
});
