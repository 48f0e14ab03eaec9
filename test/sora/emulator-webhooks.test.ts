/**
 * Webhooks from the emulator to a real local receiver, verified with an independent HMAC computation
 * (Standard Webhooks: base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the base64 after `whsec_`).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, signWebhook, startEmulator } from '../../src/sora/emulator/index.js';
import { VideoSchema, VideoWebhookEventSchema } from '../../src/sora/video.js';

interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A receiver that records deliveries; `statuses` are answered in turn (then 200). */
async function receiver(statuses: number[] = []) {
  const deliveries: Delivery[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
      for (const waiter of waiters.filter((w) => deliveries.length >= w.count)) waiter.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/openai`,
    deliveries,
    received: (count: number) =>
      deliveries.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ count, resolve })),
  };
}

const secret = `whsec_${randomBytes(32).toString('base64')}`;

function verify(delivery: Delivery): boolean {
  const id = String(delivery.headers['webhook-id']);
  const timestamp = String(delivery.headers['webhook-timestamp']);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${delivery.body}`).digest('base64');
  return String(delivery.headers['webhook-signature'])
    .split(' ')
    .some((entry) => entry === `v1,${expected}`);
}

async function start(url: string, clock?: { now(): number }): Promise<RunningEmulator> {
  const emu = await startEmulator({ renderMs: 200, webhook: { url, secret }, ...(clock ? { clock } : {}) });
  cleanups.push(() => emu.close());
  return emu;
}

async function create(emu: RunningEmulator, prompt: string) {
  const response = await fetch(`${emu.openaiBaseUrl}/videos`, {
    method: 'POST',
    headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
  });
  return VideoSchema.parse(await response.json());
}

describe('webhooks', () => {
  it('posts signed video.completed and video.failed events with only the id', async () => {
    const hooks = await receiver();
    const emu = await start(hooks.url);
    const good = await create(emu, 'a windmill turning slowly');
    const blocked = await create(emu, 'darth vader in a meadow');
    await hooks.received(2);
    const events = hooks.deliveries.map((d) => VideoWebhookEventSchema.parse(JSON.parse(d.body)));
    expect(events.map((e) => [e.type, e.data.id]).sort()).toEqual(
      [
        ['video.completed', good.id],
        ['video.failed', blocked.id],
      ].sort(),
    );
    for (const [i, delivery] of hooks.deliveries.entries()) {
      expect(verify(delivery)).toBe(true);
      expect(delivery.headers['content-type']).toBe('application/json');
      expect(String(delivery.headers['webhook-id'])).toMatch(/^wh_/);
      expect(events[i]!.id).toMatch(/^evt_/);
      expect(Math.abs(Number(delivery.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
      // A tampered body fails the same check.
      expect(verify({ ...delivery, body: delivery.body.replace('video_', 'video_x') })).toBe(false);
    }
    // The exported signer agrees with the independent computation.
    const first = hooks.deliveries[0]!;
    expect(
      signWebhook(
        secret,
        String(first.headers['webhook-id']),
        Number(first.headers['webhook-timestamp']),
        first.body,
      ),
    ).toBe(first.headers['webhook-signature']);
  });

  it('fires when a test clock jumps past the finish time, without any read', async () => {
    const hooks = await receiver();
    const clock = { t: Date.UTC(2026, 10, 3), now: () => clock.t };
    const emu = await start(hooks.url, clock);
    const video = await create(emu, 'a jumping clock');
    clock.t += 10_000;
    await hooks.received(1);
    expect(JSON.parse(hooks.deliveries[0]!.body)).toMatchObject({
      type: 'video.completed',
      data: { id: video.id },
    });
  });

  it('retries a rejected delivery with the same webhook-id and a fresh signature', async () => {
    const hooks = await receiver([500]);
    const emu = await start(hooks.url);
    await create(emu, 'retry me');
    await hooks.received(2);
    const [first, second] = hooks.deliveries;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.body).toBe(first!.body);
    expect(verify(second!)).toBe(true);
  });
});
