/**
 * Who may reach the playground, over real sockets against the real bot bound to 0.0.0.0 (the
 * Dockerfile's default): a foreign Host (DNS rebinding) is refused, this machine's names pass,
 * PLAYGROUND_HOSTS adds names, another site's Origin is refused; with PLAYGROUND_TOKEN every request
 * needs it (the cookie set by `/?token=`, or a Bearer header); and a bot that would answer to another
 * name without a token refuses to start, in one line.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBot, startBot } from '../../src/app.js';
import { ConfigError, parseConfig } from '../../src/config.js';
import { lines, runCli } from '../cli/run-cli.js';
import { clientId, newDataDir, RoomStream, startTestBot } from './playground-client.js';

const TOKEN = 'pg-test-token-0123456789abcdef';

/** Every kind of playground route: the page, its assets, rooms, events, media, options, estimates. */
const GET_PATHS = [
  '/',
  '/playground/app.js',
  '/playground/rooms',
  '/playground/rooms/lobby/events',
  '/playground/media/k3f9qz/video',
  '/playground/options',
  '/playground/estimate?model=sora-2&size=720x1280&seconds=4',
];

async function get(bot: RunningBot, path: string, headers: Record<string, string>) {
  const res = await request(`${bot.url}${path}`, { headers });
  if (res.statusCode === 200 && path.endsWith('/events')) {
    // An open event stream never ends: the status is the answer, then let go.
    res.body.on('error', () => undefined);
    res.body.destroy();
    return { status: res.statusCode, headers: res.headers, text: '' };
  }
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

async function postCommand(bot: RunningBot, headers: Record<string, string>, text = 'a fox') {
  const res = await request(`${bot.url}/playground/rooms/lobby/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ text, name: 'Mallory', clientId: clientId() }),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

function portOf(bot: RunningBot): string {
  return new URL(bot.url).port;
}

describe('the playground bound to 0.0.0.0, without a token', () => {
  let dataDir: string;
  let bot: RunningBot;

  beforeAll(async () => {
    dataDir = await newDataDir();
    // localhost:8080: this machine under another port (`docker run -p 127.0.0.1:8080:3000`).
    bot = await startTestBot(dataDir, 300, { HOST: '0.0.0.0', PLAYGROUND_HOSTS: 'localhost:8080' });
  });

  afterAll(async () => {
    await bot?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a foreign Host on every route with one plain line naming PLAYGROUND_HOSTS', async () => {
    const host = `evil.example:${portOf(bot)}`;
    for (const path of GET_PATHS) {
      const res = await get(bot, path, { host });
      expect(res.status, path).toBe(403);
      expect(res.headers['content-type'], path).toMatch(/^text\/plain/);
      expect(res.text.trimEnd().split('\n'), path).toHaveLength(1);
      expect(res.text, path).toContain('PLAYGROUND_HOSTS');
      expect(res.text, path).toContain(`not ${host}`);
    }
    const write = await postCommand(bot, { host });
    expect(write.status).toBe(403);
    expect(write.text).toContain('PLAYGROUND_HOSTS');
    // Nothing reached the room.
    const room = await RoomStream.open(bot.url, 'lobby');
    const history = await room.waitFor(
      (r) => (r.events.some((e) => e.event === 'history') ? r.entries() : undefined),
      'history',
    );
    room.close();
    expect(history).toEqual([]);
  });

  it("lets this machine's names in on the server's port, and the names PLAYGROUND_HOSTS adds", async () => {
    const port = portOf(bot);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost:8080']) {
      const res = await get(bot, '/', { host });
      expect(res.status, host).toBe(200);
      expect(res.text, host).toContain('<script src="/playground/app.js"');
    }
    for (const host of ['localhost:9999', `127.0.0.2:${port}`, `0.0.0.0:${port}`, 'localhost'])
      expect((await get(bot, '/', { host })).status, host).toBe(403);
  });

  it("refuses another site's Origin, on writes and reads", async () => {
    const port = portOf(bot);
    for (const origin of ['http://evil.example', 'null', `http://evil.example:${port}`, 'file://'])
      expect((await postCommand(bot, { origin })).status, origin).toBe(403);
    expect((await get(bot, '/playground/rooms', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(bot, '/playground/rooms', { origin: `http://localhost:${port}` })).status).toBe(200);
    const rooms = await fetch(`${bot.url}/playground/rooms`);
    expect(await rooms.json()).toEqual({ rooms: [{ id: 'lobby' }] });
  });

  it('refuses a request with no Host at all (HTTP/1.0)', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(portOf(bot)), '127.0.0.1', () => socket.write('GET / HTTP/1.0\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString('latin1');
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 403 Forbidden');
  });
});

describe('the playground with PLAYGROUND_HOSTS and PLAYGROUND_TOKEN', () => {
  let dataDir: string;
  let bot: RunningBot;

  beforeAll(async () => {
    dataDir = await newDataDir();
    bot = await startTestBot(dataDir, 300, {
      HOST: '0.0.0.0',
      PLAYGROUND_HOSTS: 'sora.lan',
      PLAYGROUND_TOKEN: TOKEN,
    });
  });

  afterAll(async () => {
    await bot?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('says how to open it without printing the token', () => {
    const summary = bot.adapters.find((a) => a.name === 'playground')?.summary ?? '';
    expect(summary).toContain('?token=YOUR_PLAYGROUND_TOKEN');
    expect(summary).not.toContain(TOKEN);
  });

  it('refuses every request without the token, by any name, with one plain line', async () => {
    for (const host of ['sora.lan', `127.0.0.1:${portOf(bot)}`]) {
      for (const path of GET_PATHS) {
        const res = await get(bot, path, { host });
        expect(res.status, `${host}${path}`).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
        expect(res.text.trimEnd().split('\n')).toHaveLength(1);
        expect(res.text).toContain('PLAYGROUND_TOKEN');
      }
      expect((await postCommand(bot, { host })).status).toBe(401);
    }
    const wrong = { host: 'sora.lan' };
    expect((await get(bot, '/', { ...wrong, authorization: 'Bearer nope-nope-nope-nope' })).status).toBe(401);
    expect((await get(bot, `/?token=${TOKEN}x`, wrong)).status).toBe(401);
    expect(
      (await get(bot, '/', { ...wrong, cookie: `sora_playground_${portOf(bot)}=${TOKEN.slice(1)}` })).status,
    ).toBe(401);
    // `?token=` is for opening the page only: it never unlocks an API route (links to media leak).
    expect((await get(bot, `/playground/rooms?token=${TOKEN}`, wrong)).status).toBe(401);
    // The token does not open the door to a foreign name.
    expect((await get(bot, '/', { host: 'evil.example', authorization: `Bearer ${TOKEN}` })).status).toBe(
      403,
    );
  });

  it('opens with /?token= once: an HttpOnly SameSite=Strict cookie carries it from then on', async () => {
    const page = await get(bot, `/?token=${TOKEN}`, { host: 'sora.lan' });
    expect(page.status).toBe(200);
    const setCookie = String(page.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^sora_playground_${portOf(bot)}=${TOKEN};`));
    for (const attribute of ['HttpOnly', 'SameSite=Strict', 'Path=/']) expect(setCookie).toContain(attribute);
    const cookie = setCookie.split(';')[0]!;
    const headers = { host: 'sora.lan', cookie };
    expect((await get(bot, '/playground/rooms', headers)).status).toBe(200);
    expect((await get(bot, '/playground/rooms/lobby/events', headers)).status).toBe(200);
    const sent = await postCommand(bot, { ...headers, origin: 'http://sora.lan' }, 'a lighthouse at dusk');
    expect(sent.status).toBe(200);
    const answer = JSON.parse(sent.text) as { kind: string; jobId: string };
    expect(answer.kind).toBe('job');
    // The page's script takes the token out of the address bar once the cookie is set.
    expect((await get(bot, '/playground/app.js', headers)).text).toContain("params.delete('token')");

    // And the finished video, by cookie or by Bearer (scripts).
    const deadline = Date.now() + 30_000;
    while ((await bot.core.jobRecord(answer.jobId))?.state !== 'delivered') {
      if (Date.now() > deadline) throw new Error('the video was not delivered');
      await new Promise((r) => setTimeout(r, 50));
    }
    const media = `/playground/media/${answer.jobId}/video`;
    expect((await get(bot, media, headers)).status).toBe(200);
    expect((await get(bot, media, { host: 'sora.lan', authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await get(bot, media, { host: 'sora.lan' })).status).toBe(401);
  });
});

describe('a playground that would answer to another name without PLAYGROUND_TOKEN', () => {
  it('does not start: the CLI says so in one line and exits', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'sora-playground-cli-'));
    try {
      const envs: Record<string, string>[] = [
        { PLAYGROUND_HOSTS: 'sora.lan' },
        { PUBLIC_URL: 'https://sora.example.com' },
      ];
      for (const env of envs) {
        const run = await runCli(['start'], { cwd, env: { ...env, DATA_DIR: join(cwd, 'data'), PORT: '0' } });
        expect(run.code, JSON.stringify(env)).not.toBe(0);
        expect(run.stdout).not.toContain('sora-bot is running');
        expect(lines(run.stderr)).toHaveLength(1);
        expect(run.stderr).toMatch(/^PLAYGROUND_TOKEN: expected a secret because the playground answers to /);
        expect(run.stderr).toContain('openssl rand -hex 24');
      }
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('does not start in-process either, from a configuration that skipped the check', async () => {
    const dataDir = await newDataDir();
    try {
      const config = {
        ...parseConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' }),
        PLAYGROUND_HOSTS: ['sora.lan'],
      };
      const started = startBot(config, { print: () => {} });
      await expect(started).rejects.toBeInstanceOf(ConfigError);
      await expect(started).rejects.toThrow(/^PLAYGROUND_TOKEN: expected .*sora\.lan \(PLAYGROUND_HOSTS\)/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('starts once the token is set', async () => {
    const dataDir = await newDataDir();
    const bot = await startTestBot(dataDir, 300, { PLAYGROUND_HOSTS: 'sora.lan', PLAYGROUND_TOKEN: TOKEN });
    try {
      expect(bot.adapters.map((a) => a.name)).toEqual(['playground']);
      expect((await get(bot, '/', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    } finally {
      await bot.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
