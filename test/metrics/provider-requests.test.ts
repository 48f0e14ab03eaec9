/**
 * The Sora client tells its observer about every attempt, against a scripted server (faked only at the
 * wire): a retried 503 is one `5xx` and then a `2xx`, a 2xx the schema refuses is `invalid_response`,
 * a server that never answers is `timeout`, and a 429 is `429`; each attempt's time is reported.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SoraClient } from '../../src/sora/client/index.js';
import type { ProviderRequestEvent } from '../../src/sora/client/request-events.js';
import { closeScriptedServers, scriptedServer, VIDEO } from '../sora/scripted-server.js';

afterEach(closeScriptedServers);

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return (_req: unknown, _body: Buffer, res: import('node:http').ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

async function client(handlers: Parameters<typeof scriptedServer>[0], options: { timeoutMs?: number } = {}) {
  const server = await scriptedServer(handlers);
  const events: ProviderRequestEvent[] = [];
  const sora = new SoraClient({
    kind: 'openai',
    baseUrl: `${server.url}/v1`,
    apiKey: 'sk-test',
    maxRetries: 1,
    timeoutMs: options.timeoutMs ?? 5_000,
    sleep: async () => {},
    observe: (event) => events.push(event),
  });
  return { sora, events };
}

describe('provider request events', () => {
  it('reports each attempt of a retried call with its outcome and time', async () => {
    const { sora, events } = await client([
      json(503, { error: { message: 'busy', type: 'server_error' } }),
      json(200, VIDEO),
    ]);
    await sora.retrieve('video_1');
    expect(events.map((e) => [e.endpoint, e.outcome])).toEqual([
      ['retrieve', '5xx'],
      ['retrieve', '2xx'],
    ]);
    for (const event of events) expect(event.seconds).toBeGreaterThanOrEqual(0);
  });

  it('tells a 429, an unreadable 2xx and a timeout apart', async () => {
    const limited = await client([
      json(
        429,
        { error: { message: 'Too many running tasks', type: 'rate_limit_error' } },
        { 'retry-after': '0' },
      ),
      json(200, { not: 'a video' }),
    ]);
    await expect(limited.sora.create({ prompt: 'a fox' })).rejects.toMatchObject({
      code: 'invalid_response',
    });
    expect(limited.events.map((e) => [e.endpoint, e.outcome])).toEqual([
      ['create', '429'],
      ['create', 'invalid_response'],
    ]);

    // Never answers: each attempt times out (headers never come).
    const silent = await client([() => {}], { timeoutMs: 200 });
    await expect(silent.sora.listPage()).rejects.toMatchObject({ code: 'timeout' });
    expect(silent.events.map((e) => [e.endpoint, e.outcome])).toEqual([
      ['list', 'timeout'],
      ['list', 'timeout'],
    ]);
  });
});
