/**
 * The bot's HTTP surface and logs, end to end: /livez, /healthz and /readyz, the OpenAI webhook receiver (signed by the
 * emulator, an independent implementation), and what the structured logs may and may not contain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningBot, startBot } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { ListenError } from '../../src/http/http-server.js';
import { verifyStandardWebhook } from '../../src/http/standard-webhook.js';
import { createLogger } from '../../src/logging.js';
import { type RunningEmulator, signWebhook, startEmulator } from '../../src/sora/emulator/index.js';
import { until } from '../support/until.js';

const API_KEY = 'sk-test-secret-key-0123456789';
const WEBHOOK_SECRET = `whsec_${Buffer.from('a webhook secret of ours').toString('base64')}`;

let bot: RunningBot | undefined;
let emulator: RunningEmulator | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await bot?.close();
  await emulator?.close();
  bot = undefined;
  emulator = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  let raw = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      raw += String(chunk);
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, raw: () => raw, logger: createLogger('debug', stream) };
}

async function startOpenAiBot(port: number, emulatorUrl: string, logs: ReturnType<typeof captureLogs>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sora-http-'));
  dirs.push(dataDir);
  return startBot(
    parseConfig({
      SORA_PROVIDER: 'openai',
      OPENAI_API_KEY: API_KEY,
      OPENAI_BASE_URL: `${emulatorUrl}/v1`,
      OPENAI_WEBHOOK_SECRET: WEBHOOK_SECRET,
      DATA_DIR: dataDir,
      PORT: String(port),
      SORA_MAX_RETRIES: '0',
    }),
    { print: () => {}, logger: logs.logger },
  );
}

describe('the bot over HTTP', () => {
  it('verifies signatures the way the emulator signs them', () => {
    const body = Buffer.from('{"hello":"world"}');
    const now = Date.now();
    const ts = String(Math.floor(now / 1000));
    const signature = signWebhook(WEBHOOK_SECRET, 'wh_1', Number(ts), body.toString());
    const verify = (over: Partial<{ signature: string; timestamp: string; body: Buffer; secret: string }>) =>
      verifyStandardWebhook({
        secret: over.secret ?? WEBHOOK_SECRET,
        headers: {
          id: 'wh_1',
          timestamp: over.timestamp ?? ts,
          signature: over.signature ?? `v1,bogus ${signature}`,
        },
        body: over.body ?? body,
        nowMs: now,
      });
    expect(verify({})).toEqual({ ok: true, id: 'wh_1' });
    expect(verify({ body: Buffer.from('{"hello":"there"}') })).toMatchObject({
      ok: false,
      code: 'bad_signature',
    });
    expect(verify({ secret: `whsec_${Buffer.from('other').toString('base64')}` })).toMatchObject({
      ok: false,
    });
    expect(verify({ timestamp: String(Number(ts) - 600) })).toMatchObject({
      ok: false,
      code: 'stale_timestamp',
    });
  });

  it('answers /healthz, takes signed webhooks once, and keeps secrets out of the logs', async () => {
    const logs = captureLogs();
    // The emulator must know the bot's port before the bot starts: a port found free can be taken
    // by another process before the bot binds it (a ListenError), and then another one is tried.
    for (let attempt = 1; !bot; attempt++) {
      const port = await freePort();
      emulator = await startEmulator({
        apiKey: API_KEY,
        renderMs: 300,
        webhook: { url: `http://127.0.0.1:${port}/webhooks/openai`, secret: WEBHOOK_SECRET },
      });
      try {
        bot = await startOpenAiBot(port, emulator.url, logs);
      } catch (error) {
        await emulator.close();
        if (!(error instanceof ListenError) || attempt >= 5) throw error;
      }
    }
    const ready = await fetch(`${bot.url}/readyz`);
    expect(ready.status).toBe(200);
    const readiness = (await ready.json()) as { provider: { checkedAt: string } };
    expect(readiness).toMatchObject({
      ok: true,
      store: { ok: true },
      provider: { ok: true, kind: 'openai' },
    });
    // Probes within 30 s reuse the provider check instead of spending its rate limit.
    const again = (await (await fetch(`${bot.url}/readyz`)).json()) as { provider: { checkedAt: string } };
    expect(again.provider.checkedAt).toBe(readiness.provider.checkedAt);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);

    const outcome = await bot.core.run({
      requester: { platform: 'playground', workspace: 'local', user: 'ann' },
      channel: 'playground:lobby',
      conversation: 'playground:lobby',
      intent: { kind: 'generate', prompt: 'a webhook fox', seconds: '4', size: '720x1280', model: 'sora-2' },
    });
    expect(outcome.kind).toBe('job');
    const jobId = outcome.kind === 'job' ? outcome.job.id : '';
    const running = bot;
    await until(async () => (await running.core.jobRecord(jobId))?.state === 'delivered');
    const webhookLine = logs.lines.find((l) => l.msg === 'provider webhook');
    expect(webhookLine).toMatchObject({ type: 'video.completed', known: true });

    // Repeats and forgeries.
    const body = JSON.stringify({
      id: 'evt_1',
      object: 'event',
      created_at: 1,
      type: 'video.completed',
      data: { id: 'video_x' },
    });
    const ts = Math.floor(Date.now() / 1000);
    const post = (headers: Record<string, string>) =>
      fetch(`${bot!.url}/webhooks/openai`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const good = {
      'webhook-id': 'wh_dup',
      'webhook-timestamp': String(ts),
      'webhook-signature': signWebhook(WEBHOOK_SECRET, 'wh_dup', ts, body),
    };
    expect(await (await post(good)).json()).toEqual({ ok: true });
    expect(await (await post(good)).json()).toEqual({ ok: true, duplicate: true });
    expect((await post({ ...good, 'webhook-signature': 'v1,AAAA' })).status).toBe(401);
    const stale = ts - 3600;
    expect(
      (
        await post({
          ...good,
          'webhook-timestamp': String(stale),
          'webhook-signature': signWebhook(WEBHOOK_SECRET, 'wh_dup', stale, body),
        })
      ).status,
    ).toBe(401);

    // Logs: JSON lines; every line about this job names it; no secret anywhere.
    const aboutJob = logs.lines.filter(
      (l) =>
        typeof l.msg === 'string' && /^(job accepted|submitted to the provider|video delivered)$/.test(l.msg),
    );
    expect(aboutJob.length).toBeGreaterThanOrEqual(3);
    for (const line of aboutJob) expect(line.jobId).toBe(jobId);
    expect(logs.raw()).not.toContain(API_KEY);
    expect(logs.raw()).not.toContain(WEBHOOK_SECRET);
    expect(logs.raw()).not.toContain(WEBHOOK_SECRET.slice('whsec_'.length));
  });

  it('stays live but reports 503 on /readyz when the provider is unreachable', async () => {
    const logs = captureLogs();
    const closedPort = await freePort();
    bot = await startOpenAiBot(0, `http://127.0.0.1:${closedPort}`, logs);
    // Liveness never asks the provider: a provider outage is no reason to restart the bot.
    for (const path of ['/livez', '/healthz']) expect((await fetch(`${bot.url}${path}`)).status).toBe(200);
    const health = await fetch(`${bot.url}/readyz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      ok: false,
      store: { ok: true },
      provider: { ok: false, error: 'network' },
    });
    expect(logs.raw()).not.toContain(API_KEY);
  });
});
