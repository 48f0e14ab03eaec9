/**
 * One HTTP stack: the bot's undici 7 Agent carries the Sora calls and discord.js's REST, and Discord
 * uploads go through discord.js's own request strategy with the form encoded to bytes first
 * (adapters/discord/client-factory.ts). The last case shows why that encoding stays: undici 7 cannot
 * send the FormData discord.js builds, and undici 7 makes itself the process-wide dispatcher as soon
 * as it is loaded, so without it every Discord upload would fail.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, Dispatcher, request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type DiscordTestBot,
  startDiscordTestBot,
  waitForDelivery,
  waitForJobId,
} from './discord-test-bot.js';

/** The slot every copy of undici (ours, discord.js's, Node's own fetch) reads its global dispatcher from. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
const globalDispatcher = () => (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];

let t: DiscordTestBot;
beforeAll(async () => {
  t = await startDiscordTestBot();
});
afterAll(async () => {
  await t?.close();
});

it('uploads the video through discord.js’s REST while undici 7 is the process-wide dispatcher', async () => {
  const handle = t.fake.interactions.slashCommand({
    options: { prompt: 'a lighthouse at dusk', seconds: 4 },
  });
  const jobId = await waitForJobId(t.fake, handle);
  const delivered = await waitForDelivery(t.fake, jobId);
  expect(delivered.attachments[0]?.filename).toBe(`sora-${jobId}.mp4`);
  const upload = t.fake.recorder.calls.find(
    (c) => c.method === 'POST' && c.route === '/channels/:channelId/messages' && c.files.length > 0,
  );
  expect(upload?.files[0]?.size).toBeGreaterThan(1_000);
  // The condition that breaks an unencoded form: an undici 7 holds the process-wide slot. On Node 20
  // that is ours (undici/lib/global.js fills the empty slot); on Node 24 Node's own bundled undici 7
  // may have filled it first, a different copy of the same major.
  const slot = globalDispatcher() as Dispatcher | undefined;
  expect(typeof slot?.dispatch).toBe('function');
  if (!(slot instanceof Dispatcher)) expect(process.versions.undici).toMatch(/^7\./);
});

it('shows why: undici 7 cannot send the FormData discord.js builds (Node’s own class)', async () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const agent = new Agent();
  try {
    const form = new FormData();
    form.append('files[0]', new Blob([new Uint8Array(16)], { type: 'video/mp4' }), 'sora.mp4');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    await expect(request(url, { method: 'POST', body: form as never, dispatcher: agent })).rejects.toThrow(
      /action is not a function/,
    );
  } finally {
    await agent.close();
    server.close();
  }
});
