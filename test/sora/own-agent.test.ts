/**
 * The Sora client never sends through the process-wide dispatcher slot: on Node 24 Node's own bundled
 * undici may hold it, and that copy cannot send the FormData our undici builds for an image-to-video
 * create. Here the slot holds a dispatcher that refuses everything; a client given no Agent must still
 * create a video from an image (it uses one of its own, `ownAgent` in src/sora/client/transport.ts).
 */
import { Dispatcher } from 'undici';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SoraClient } from '../../src/sora/client/index.js';
import { closeScriptedServers, json, scriptedServer, VIDEO } from './scripted-server.js';

const SLOT = Symbol.for('undici.globalDispatcher.1');
const slots = globalThis as unknown as Record<symbol, unknown>;

/** Counts what reaches it and fails each request, as a foreign copy of undici would. */
class RefusingDispatcher extends Dispatcher {
  calls = 0;
  override dispatch(): boolean {
    this.calls += 1;
    throw new Error('the process-wide dispatcher was used');
  }
}

let saved: unknown;
let refusing: RefusingDispatcher;
beforeEach(() => {
  saved = slots[SLOT];
  refusing = new RefusingDispatcher();
  slots[SLOT] = refusing;
});
afterEach(() => {
  slots[SLOT] = saved;
  closeScriptedServers();
});

it('creates an image-to-video job without touching the process-wide dispatcher', async () => {
  const server = await scriptedServer([json(200, VIDEO)]);
  const client = new SoraClient({
    kind: 'openai',
    baseUrl: server.url,
    apiKey: 'sk-own-agent-test',
    maxRetries: 0,
  });
  const data = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
  const video = await client.create({
    prompt: 'a harbour at dawn',
    size: '1280x720',
    image: { data, contentType: 'image/png', filename: 'harbour.png' },
  });
  expect(video.id).toBe(VIDEO.id);
  expect(refusing.calls).toBe(0);
  const request = server.requests[0]!;
  expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  expect(request.body.includes(Buffer.from(data))).toBe(true);
});
