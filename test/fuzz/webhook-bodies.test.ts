/**
 * Fuzz: 1,000 webhook deliveries of every shape (unsigned, badly signed, signed garbage, signed JSON
 * of the wrong shape, huge) to `/webhooks/openai` over a real socket: never a 500, never a crash,
 * a forged one never moves a job.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { HttpServer } from '../../src/http/http-server.js';
import { mountOpenAiWebhook } from '../../src/http/openai-webhook-route.js';
import { createLogger } from '../../src/logging.js';
import { signWebhook } from '../../src/sora/emulator/index.js';
import { namespacedValues } from '../../src/store/key-values.js';
import { CoreHarness } from '../support/core-harness.js';
import { fuzzParameters, hostileText } from './hostile-text.js';

const SECRET = `whsec_${Buffer.from('fuzz-secret-of-32-bytes-exactly!').toString('base64')}`;
/** Any text as a legal header value (headers cannot carry every character a fuzzer draws). */
const headerSafe = (text: string) => Buffer.from(text).toString('base64url');

let h: CoreHarness;
let http: HttpServer;
let url: string;

beforeAll(async () => {
  h = await CoreHarness.start({ emulator: { renderMs: 600_000 } });
  http = new HttpServer({ host: '127.0.0.1', port: 0, logger: createLogger('silent') });
  mountOpenAiWebhook(http, {
    secret: SECRET,
    core: h.core,
    clock: systemClock,
    logger: createLogger('silent'),
    values: namespacedValues(h.store, 'webhooks'),
  });
  url = `${await http.listen()}/webhooks/openai`;
});
afterAll(async () => {
  await http.close();
  await h.close();
});

const jsonish = fc.oneof(
  hostileText,
  fc.json(),
  fc
    .record({
      id: hostileText,
      object: fc.constantFrom('event', 'video', 'x'),
      created_at: fc.oneof(fc.integer(), hostileText),
      type: fc.constantFrom('video.completed', 'video.failed', 'video.created', 'other', ''),
      data: fc.oneof(fc.record({ id: fc.oneof(hostileText, fc.integer()) }), fc.constant(null)),
    })
    .map((v) => JSON.stringify(v)),
);

it('answers 1,000 fuzzed webhook deliveries without a 500, and only signed ones count', async () => {
  const job = await h.sendJob('/sora a webhook target');
  await h.waitFor(job, ['submitted', 'rendering']);
  await fc.assert(
    fc.asyncProperty(
      jsonish,
      fc.constantFrom('none', 'bad', 'good', 'stale', 'garbage-headers'),
      hostileText,
      async (body, signing, id) => {
        const ts = Math.floor(Date.now() / 1000) - (signing === 'stale' ? 3_600 : 0);
        const webhookId = id.slice(0, 200) || 'wh';
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (signing === 'good' || signing === 'stale') {
          headers['webhook-id'] = headerSafe(webhookId);
          headers['webhook-timestamp'] = String(ts);
          headers['webhook-signature'] = signWebhook(SECRET, headerSafe(webhookId), ts, body);
        } else if (signing === 'bad') {
          headers['webhook-id'] = 'wh_1';
          headers['webhook-timestamp'] = String(ts);
          headers['webhook-signature'] = 'v1,AAAA';
        } else if (signing === 'garbage-headers') {
          headers['webhook-id'] = headerSafe(webhookId);
          headers['webhook-timestamp'] = headerSafe(id.slice(0, 30)) || 'x';
          headers['webhook-signature'] = headerSafe(id.slice(0, 100)) || 'x';
        }
        const res = await fetch(url, { method: 'POST', headers, body });
        await res.arrayBuffer();
        expect(res.status).not.toBe(500);
        if (signing !== 'good') expect([401, 413]).toContain(res.status);
      },
    ),
    fuzzParameters(1_000),
  );
  // Nothing finished the job (its render takes minutes): no forged event names its video.
  const after = await h.core.jobRecord(job);
  expect(['submitted', 'rendering']).toContain(after?.state);
});
