/**
 * The client against a tiny scripted HTTP server (faked only at the wire): what the emulator cannot be
 * made to do on demand, such as answering a wrong shape, echoing the key, or hanging up mid-request.
 */
import { once } from 'node:events';
import { Response } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { SoraClient, type SoraClientOptions } from '../../src/sora/client/index.js';
import { isSoraError, type SoraError } from '../../src/sora/errors.js';
import {
  apiError,
  closeScriptedServers,
  type Handler,
  hangUp,
  json,
  scriptedServer,
  VIDEO,
} from './scripted-server.js';

const KEY = 'sk-wire-test-SECRET-0123456789';

afterEach(closeScriptedServers);

function recordingLogger() {
  const lines: string[] = [];
  const log = (level: string) => (fields: object, message?: string) => {
    lines.push(`${level} ${message ?? ''} ${JSON.stringify(fields)}`);
  };
  return {
    lines,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
  };
}

function client(url: string, extra: Partial<SoraClientOptions> = {}) {
  const sleeps: number[] = [];
  const { lines, logger } = recordingLogger();
  const options = {
    kind: 'openai',
    baseUrl: `${url}/v1`,
    apiKey: KEY,
    maxRetries: 2,
    timeoutMs: 2_000,
    logger,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...extra,
  } as SoraClientOptions;
  return { client: new SoraClient(options), sleeps, logLines: lines };
}

async function failure(promise: Promise<unknown>): Promise<SoraError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSoraError(error)) throw new Error(`expected a SoraError, got ${String(error)}`);
  return error;
}

describe('SoraClient on the wire', () => {
  it('sends the OpenAI bearer header and the Azure api-key header with the deployment as model', async () => {
    const server = await scriptedServer([json(200, VIDEO)]);
    await client(server.url).client.create({ prompt: 'a fox', model: 'sora-2' });
    const azure = new SoraClient({
      kind: 'azure',
      endpoint: `${server.url}/`,
      apiKey: KEY,
      deployment: 'my-sora',
    });
    await azure.create({ prompt: 'a fox', model: 'sora-2', size: '1280x720' });
    const [openaiReq, azureReq] = server.requests;
    expect(openaiReq?.url).toBe('/v1/videos');
    expect(openaiReq?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(openaiReq?.headers['api-key']).toBeUndefined();
    expect(JSON.parse(openaiReq!.body.toString())).toEqual({ prompt: 'a fox', model: 'sora-2' });
    expect(azureReq?.url).toBe('/openai/v1/videos');
    expect(azureReq?.headers['api-key']).toBe(KEY);
    expect(azureReq?.headers.authorization).toBeUndefined();
    expect(JSON.parse(azureReq!.body.toString())).toEqual({
      prompt: 'a fox',
      model: 'my-sora',
      size: '1280x720',
    });
  });

  it('sends an image as multipart input_reference with its type and filename', async () => {
    const server = await scriptedServer([json(200, VIDEO)]);
    const data = new Uint8Array([1, 2, 3, 4]);
    await client(server.url).client.create({
      prompt: 'a fox',
      size: '720x1280',
      image: { data, contentType: 'image/png', filename: 'fox.png' },
    });
    const req = server.requests[0]!;
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const form = await new Response(req.body, {
      headers: { 'content-type': req.headers['content-type']! },
    }).formData();
    expect(form.get('prompt')).toBe('a fox');
    expect(form.get('size')).toBe('720x1280');
    const file = form.get('input_reference') as unknown as {
      name: string;
      type: string;
      arrayBuffer(): Promise<ArrayBuffer>;
    };
    expect(file.name).toBe('fox.png');
    expect(file.type).toBe('image/png');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(data);
  });

  it('reports a 2xx of the wrong shape as invalid_response naming the field, without retrying', async () => {
    const server = await scriptedServer([json(200, { ...VIDEO, progress: 'half' })]);
    const error = await failure(client(server.url).client.retrieve('video_1'));
    expect(error.code).toBe('invalid_response');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('unexpected shape');
    expect(error.message).toContain('progress');
    expect(error.requestId).toBe('req_200');
    expect(server.requests).toHaveLength(1);
  });

  it('reports a 2xx that is not JSON as invalid_response', async () => {
    const server = await scriptedServer([
      (_req, _body, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>proxy login</html>');
      },
    ]);
    const error = await failure(client(server.url).client.listPage());
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain('not JSON');
  });

  it('keeps the provider code, param and request id of an error', async () => {
    const server = await scriptedServer([
      json(400, {
        error: { message: 'bad size', type: 'invalid_request_error', param: 'size', code: 'invalid_value' },
      }),
    ]);
    const error = await failure(client(server.url).client.create({ prompt: 'x', size: '1x1' }));
    expect(error).toMatchObject({
      code: 'invalid_request',
      status: 400,
      providerCode: 'invalid_value',
      param: 'size',
      requestId: 'req_400',
      retryable: false,
    });
    expect(error.toOneLine()).toBe('invalid_request (HTTP 400): bad size [request id req_400]');
  });

  it('honours x-should-retry over the status table', async () => {
    const noRetry = await scriptedServer([apiError(500, 'boom', { 'x-should-retry': 'false' })]);
    expect((await failure(client(noRetry.url).client.retrieve('v'))).code).toBe('server');
    expect(noRetry.requests).toHaveLength(1);
    const retry = await scriptedServer([
      apiError(400, 'try again', { 'x-should-retry': 'true' }),
      json(200, VIDEO),
    ]);
    expect((await client(retry.url).client.retrieve('video_1')).id).toBe('video_1');
    expect(retry.requests).toHaveLength(2);
  });

  it('waits retry-after-ms, then retry-after seconds, then an HTTP date, else full-jitter backoff', async () => {
    const server = await scriptedServer([
      apiError(429, 'slow down', { 'retry-after-ms': '1234', 'retry-after': '9' }),
      apiError(429, 'slow down', { 'retry-after': '3' }),
      apiError(503, 'busy', { 'retry-after': new Date(1_000_000 + 7_000).toUTCString() }),
      apiError(503, 'busy'),
      apiError(429, 'slow down', { 'retry-after': '3600' }),
      json(200, VIDEO),
    ]);
    const { client: c, sleeps } = client(server.url, { maxRetries: 5, now: () => 1_000_000 });
    await c.retrieve('video_1');
    // random() = 0.5: backoff draws half of 500 * 2^attempt; a 1 h retry-after is ignored (over 60 s).
    expect(sleeps).toEqual([1234, 3000, 7000, 0.5 * 500 * 8, 0.5 * 500 * 16]);
  });

  it('gives up after maxRetries with the last error, rate_limited and its retry-after', async () => {
    const server = await scriptedServer([
      apiError(429, 'Too many running tasks', { 'retry-after-ms': '50' }),
    ]);
    const { client: c, sleeps } = client(server.url, { maxRetries: 2 });
    const error = await failure(c.retrieve('video_1'));
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfterMs: 50, retryable: true });
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toEqual([50, 50]);
  });

  it('retries a GET whose connection was closed, and a create only because it carries an Idempotency-Key', async () => {
    const get = await scriptedServer([hangUp, json(200, VIDEO)]);
    expect((await client(get.url).client.retrieve('video_1')).id).toBe('video_1');
    expect(get.requests).toHaveLength(2);

    const post = await scriptedServer([hangUp, json(200, VIDEO)]);
    expect((await client(post.url).client.create({ prompt: 'a fox' })).id).toBe('video_1');
    expect(post.requests).toHaveLength(2);
    const [first, second] = post.requests.map((r) => r.headers['idempotency-key']);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).toBe(first);
  });

  it('retries a POST refused before it was sent (nothing can have been billed)', async () => {
    const server = await scriptedServer([json(200, VIDEO)]);
    const url = server.url;
    await server.close();
    const { client: c, sleeps } = client(url, { maxRetries: 2 });
    const error = await failure(c.create({ prompt: 'a fox' }));
    expect(error.code).toBe('network');
    expect(error.message).toContain('ECONNREFUSED');
    expect(sleeps).toHaveLength(2);
  });

  it('times out a request that gets no answer, and a download body that stalls', async () => {
    const silent = await scriptedServer([() => {}]);
    const error = await failure(
      client(silent.url).client.retrieve('video_1', { timeoutMs: 200, maxRetries: 0 }),
    );
    expect(error.code).toBe('timeout');
    expect(error.retryable).toBe(true);

    const stall = await scriptedServer([
      (_req, _body, res) => {
        res.writeHead(200, { 'content-type': 'video/mp4' });
        res.write(Buffer.alloc(10));
      },
    ]);
    const content = await client(stall.url).client.download('video_1', 'video', { timeoutMs: 200 });
    const stalled = await new Promise<unknown>((resolve) => {
      content.stream.on('error', resolve);
      content.stream.resume();
    });
    expect(isSoraError(stalled) && stalled.code).toBe('timeout');
    expect((stalled as Error).message).toBe('the download of video_1 (video) stalled for more than 200 ms');
  });

  it('reports a download that breaks off as a network SoraError, and frees the connection when abandoned', async () => {
    const server = await scriptedServer([
      (_req, _body, res) => {
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': '1000000' });
        res.write(Buffer.alloc(1000), () => res.socket?.destroy());
      },
      (_req, _body, res) => {
        res.writeHead(200, { 'content-type': 'video/mp4' });
        res.write(Buffer.alloc(1000));
      },
      json(200, VIDEO),
    ]);
    const c = client(server.url).client;
    const broken = await c.download('video_1');
    const error = await new Promise<unknown>((resolve) => {
      broken.stream.on('error', resolve);
      broken.stream.resume();
    });
    expect(isSoraError(error) && error.code).toBe('network');
    expect((error as Error).message).toMatch(/^the download of video_1 \(video\) broke off \(\w+\)$/);

    const abandoned = await c.download('video_1');
    abandoned.stream.destroy();
    await once(abandoned.stream, 'close');
    expect((await c.retrieve('video_1')).id).toBe('video_1');
  });

  it('rejects with the caller’s abort reason and does not retry', async () => {
    const server = await scriptedServer([() => {}]);
    const controller = new AbortController();
    const pending = client(server.url).client.retrieve('video_1', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user cancelled')), 20);
    await expect(pending).rejects.toThrow('user cancelled');
    expect(server.requests).toHaveLength(1);
  });

  it('turns a download error status into a SoraError and streams a success with its length', async () => {
    const server = await scriptedServer([
      apiError(404, 'Video content is not available yet.'),
      (_req, _body, res) => {
        res.writeHead(200, { 'content-type': 'image/webp', 'content-length': '3' });
        res.end(Buffer.from([7, 8, 9]));
      },
    ]);
    const c = client(server.url).client;
    expect((await failure(c.download('video_1'))).code).toBe('not_found');
    const content = await c.download('video_1', 'thumbnail');
    expect(server.requests[1]?.url).toBe('/v1/videos/video_1/content?variant=thumbnail');
    expect(content).toMatchObject({ contentType: 'image/webp', length: 3 });
    const chunks: Buffer[] = [];
    for await (const chunk of content.stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from([7, 8, 9]));
  });

  it('never lets the key out: not in messages, stacks or log lines, even when the provider echoes it', async () => {
    const echo: Handler = (req, _body, res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'x-request-id': 'req_echo' });
      res.end(
        JSON.stringify({
          error: {
            message: `Incorrect API key provided: ${req.headers.authorization}`,
            code: 'invalid_api_key',
          },
        }),
      );
    };
    const echoInShape: Handler = (req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...VIDEO, status: req.headers.authorization }));
    };
    const server = await scriptedServer([echo, echoInShape, hangUp, () => {}, apiError(500, `boom ${KEY}`)]);
    const refused = await scriptedServer([]);
    await refused.close();
    const { client: c, logLines } = client(server.url, { maxRetries: 0 });
    const errors = [
      await failure(c.retrieve('a')),
      await failure(c.retrieve('b')),
      await failure(c.retrieve('c')),
      await failure(c.retrieve('d', { timeoutMs: 100 })),
      await failure(c.retrieve('e')),
      await failure(client(refused.url, { maxRetries: 0 }).client.retrieve('f')),
    ];
    expect(errors.map((e) => e.code)).toEqual([
      'auth',
      'invalid_response',
      'network',
      'timeout',
      'server',
      'network',
    ]);
    expect(errors[0]?.message).toContain('[redacted]');
    for (const error of errors) {
      expect(error.message).not.toContain(KEY);
      expect(error.stack ?? '').not.toContain(KEY);
      expect(error.toOneLine()).not.toContain(KEY);
      expect(JSON.stringify(error)).not.toContain(KEY);
    }
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(line).not.toContain(KEY);
  });

  it('logs method, path, status, duration and request id for each request', async () => {
    const server = await scriptedServer([json(200, VIDEO)]);
    const { client: c, logLines } = client(server.url);
    await c.retrieve('video_1');
    expect(logLines).toHaveLength(1);
    const fields = JSON.parse(logLines[0]!.replace(/^debug sora request /, ''));
    expect(Object.keys(fields).sort()).toEqual(['method', 'ms', 'path', 'requestId', 'status']);
    expect(fields).toMatchObject({
      method: 'GET',
      path: '/videos/video_1',
      status: 200,
      requestId: 'req_200',
    });
  });
});
