/**
 * Costs in the playground over real HTTP against a real bot on the built-in emulator: the options
 * and estimate routes (zod on the query, the provider's capabilities, the price table), Approve and
 * Deny on a video above SORA_APPROVAL_ABOVE (only SORA_ADMINS count), and `/sora usage` answered
 * privately with the chart inline as a PNG data: URL.
 */
import { rm } from 'node:fs/promises';
import { fetch, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireEntry, WireUsageMessage } from '../../adapters/playground/wire-message.js';
import type { RunningBot } from '../../src/app.js';
import type { ResultMessage, StatusMessage } from '../../src/core/messages.js';
import { newDataDir, RoomStream, sendAction, sendCommand, startTestBot } from './playground-client.js';

const ROOM = 'money';
const ADMIN = 'Boss';

function statusOf(jobId: string) {
  return (s: RoomStream): StatusMessage | undefined =>
    s
      .entries()
      .map((e) => e.message)
      .find((m): m is StatusMessage => m.kind === 'status' && m.job.id === jobId);
}

function phaseIs(jobId: string, phase: StatusMessage['phase']) {
  return (s: RoomStream) => {
    const status = statusOf(jobId)(s);
    return status?.phase === phase ? status : undefined;
  };
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('playground costs, approvals and usage over HTTP', () => {
  let dataDir: string;
  let bot: RunningBot;
  let stream: RoomStream;

  beforeAll(async () => {
    dataDir = await newDataDir();
    bot = await startTestBot(dataDir, 300, {
      SORA_APPROVAL_ABOVE: '0.50',
      SORA_ADMINS: `playground:${ADMIN.toLowerCase()}`,
      SORA_RPM: '0',
    });
    stream = await RoomStream.open(bot.url, ROOM);
  });

  afterAll(async () => {
    stream?.close();
    await bot?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the options a new video can have, with the defaults a bare prompt gets', async () => {
    const { status, body } = await getJson(`${bot.url}/playground/options`);
    expect(status).toBe(200);
    expect(body.defaultModel).toBe('sora-2');
    const models = body.models as { model: string; sizes: string[]; seconds: string[] }[];
    expect(models.map((m) => m.model)).toEqual(['sora-2', 'sora-2-pro']);
    expect(models[0]).toMatchObject({
      sizes: ['720x1280', '1280x720'],
      seconds: ['4', '8', '12'],
      defaultSize: '720x1280',
      defaultSeconds: '4',
    });
    expect(models[1]?.sizes).toContain('1792x1024');
  });

  it('estimates from the price table and refuses what the provider would not render', async () => {
    const at = (query: string) => getJson(`${bot.url}/playground/estimate?${query}`);
    const eight = await at('model=sora-2&size=720x1280&seconds=8');
    expect(eight.status).toBe(200);
    expect(eight.body.estimate).toEqual({
      micros: 800_000,
      usd: '$0.80',
      model: 'sora-2',
      size: '720x1280',
      seconds: '8',
      text: 'about $0.80 · 8 s · 720x1280 · sora-2',
    });
    const pro = await at('model=sora-2-pro&size=1792x1024&seconds=12');
    expect((pro.body.estimate as { text: string }).text).toBe('about $6.00 · 12 s · 1792x1024 · sora-2-pro');

    const refused: [string, number, string, RegExp][] = [
      ['model=sora-2&size=1792x1024&seconds=8', 400, 'unavailable', /sora-2 renders 720x1280, 1280x720/],
      ['model=sora-2&size=720x1280&seconds=5', 400, 'unavailable', /4, 8, 12 seconds/],
      ['model=dall-e&size=720x1280&seconds=4', 400, 'unavailable', /isn't available/],
      ['model=sora-2&size=big&seconds=4', 400, 'bad_request', /^size: WIDTHxHEIGHT/],
      ['model=sora-2&size=720x1280', 400, 'bad_request', /^seconds:/],
      ['model=%3Cb%3E&size=720x1280&seconds=4', 400, 'bad_request', /^model:/],
    ];
    for (const [query, status, code, message] of refused) {
      const answer = await at(query);
      expect(answer.status, query).toBe(status);
      expect(answer.body.error, query).toMatchObject({ code, message: expect.stringMatching(message) });
    }
    // The estimate is a playground route like the others: a foreign Host is refused.
    const port = new URL(bot.url).port;
    const rebound = await request(`${bot.url}/playground/estimate?model=sora-2&size=720x1280&seconds=4`, {
      headers: { host: `evil.example:${port}` },
    });
    expect(rebound.statusCode).toBe(403);
    await rebound.body.dump();
  });

  it('holds a video above the approval line for an admin: others may not approve, the admin may', async () => {
    const cheap = await sendCommand(bot.url, ROOM, { text: 'a small cloud', name: 'Ann' });
    if (cheap.kind !== 'job') throw new Error('expected a job');
    const answer = await sendCommand(bot.url, ROOM, {
      text: '/sora a lighthouse in a storm --seconds 8',
      name: 'Ann',
    });
    if (answer.kind !== 'job') throw new Error(`expected a job, got ${JSON.stringify(answer)}`);
    const jobId = answer.jobId;
    const waiting = await stream.waitFor(phaseIs(jobId, 'approval'), 'the approval card');
    expect(waiting.actions).toEqual([
      { kind: 'approve', jobId, label: 'Approve' },
      { kind: 'deny', jobId, label: 'Deny' },
      { kind: 'cancel', jobId, label: 'Cancel' },
    ]);
    expect(waiting.job.costMicros).toBe(800_000);
    const entry = stream
      .entries()
      .find((e) => e.role === 'status' && (e.message as StatusMessage).job.id === jobId);
    expect(entry?.text).toContain('about $0.80');
    expect(entry?.text).toContain('Waiting for an admin to approve');
    // $0.40 is under the line: that one never waited.
    await stream.waitFor(phaseIs(cheap.jobId, 'done'), 'the cheap video');
    expect(
      stream
        .allVersions()
        .some(
          (e) =>
            e.message.kind === 'status' && e.message.job.id === cheap.jobId && e.message.phase === 'approval',
        ),
    ).toBe(false);

    const notAdmin = await sendAction(bot.url, ROOM, { name: 'Ann', action: { kind: 'approve', jobId } });
    if (notAdmin.kind !== 'reply') throw new Error('expected a private reply');
    expect(notAdmin.reply.message).toMatchObject({ kind: 'notice', tone: 'warning' });
    expect(notAdmin.reply.text).toBe('Only admins can approve or deny videos.');
    expect(statusOf(jobId)(stream)?.phase).toBe('approval');

    const approved = await sendAction(bot.url, ROOM, { name: ADMIN, action: { kind: 'approve', jobId } });
    if (approved.kind !== 'reply') throw new Error('expected a private reply');
    expect(approved.reply.message).toMatchObject({ kind: 'notice', tone: 'success' });
    expect(approved.reply.text).toContain(`Approved: video \`${jobId}\``);
    const result = await stream.waitFor(
      (s) => s.entries().find((e) => e.role === 'result' && (e.message as ResultMessage).job?.id === jobId),
      'the approved video',
    );
    expect(result.media).not.toBeNull();
    const done = await stream.waitFor(phaseIs(jobId, 'done'), 'the status to say done');
    expect(done.actions ?? []).toEqual([]);

    const again = await sendAction(bot.url, ROOM, { name: ADMIN, action: { kind: 'deny', jobId } });
    expect(again).toMatchObject({ kind: 'reply', reply: { message: { kind: 'notice', tone: 'info' } } });
  });

  it('lets an admin deny a video: it fails plainly and nothing is made', async () => {
    const answer = await sendCommand(bot.url, ROOM, { text: 'a castle --seconds 12', name: 'Ann' });
    if (answer.kind !== 'job') throw new Error('expected a job');
    await stream.waitFor(phaseIs(answer.jobId, 'approval'), 'the approval card');
    const denied = await sendAction(bot.url, ROOM, {
      name: ADMIN,
      action: { kind: 'deny', jobId: answer.jobId },
    });
    expect(denied).toMatchObject({ kind: 'reply', reply: { message: { kind: 'notice', tone: 'success' } } });
    const failed = await stream.waitFor(phaseIs(answer.jobId, 'failed'), 'the status to say failed');
    expect(failed.actions ?? []).toEqual([]);
    expect((await bot.core.jobRecord(answer.jobId))?.approval?.state).toBe('denied');
  });

  it('refuses malformed and cross-site presses', async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${bot.url}/playground/rooms/${ROOM}/actions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const bad = await post({ name: ADMIN, action: { kind: 'publish', jobId: 'k3f9qz' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'bad_request', message: /^action\.kind/ } });
    const badId = await post({ name: ADMIN, action: { kind: 'approve', jobId: '../etc' } });
    expect(badId.status).toBe(400);
    await badId.arrayBuffer();
    const crossSite = await post(
      { name: ADMIN, action: { kind: 'approve', jobId: 'k3f9qz' } },
      { origin: 'http://evil.example' },
    );
    expect(crossSite.status).toBe(403);
    await crossSite.arrayBuffer();
    const unknown = await sendAction(bot.url, ROOM, {
      name: ADMIN,
      action: { kind: 'approve', jobId: 'zzzzzz' },
    });
    expect(unknown).toMatchObject({ kind: 'reply' });
  });

  it('answers /sora usage privately, with the chart inline as a PNG', async () => {
    const before = stream.events.length;
    const admin = await sendCommand(bot.url, ROOM, { text: '/sora usage', name: ADMIN });
    if (admin.kind !== 'reply' || admin.reply.message.kind !== 'usage') throw new Error('expected usage');
    const usage: WireUsageMessage = admin.reply.message;
    expect(usage.title).toMatch(/^Sora spend, \d{4}-\d{2} \(UTC\), the workspace$/);
    // The cheap video ($0.40) and the approved one ($0.80) were rendered; the denied one was refunded.
    expect(usage.lines[0]).toBe('Total: $1.20 · 2 videos delivered or rendered');
    expect(usage.lines.join('\n')).toContain('Ann $1.20 (2)');
    expect(usage.lines.join('\n')).toMatch(/Refunds: \$1\.20 \(1 videos/);
    expect(admin.reply.text.split('\n')[0]).toBe(usage.title);
    if (!usage.chart) throw new Error('expected a chart');
    expect(usage.chart.src.startsWith('data:image/png;base64,')).toBe(true);
    const png = Buffer.from(usage.chart.src.slice('data:image/png;base64,'.length), 'base64');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.byteLength).toBeGreaterThan(1_000);
    expect(usage.chart.alt).toContain('Spend per day');
    expect(JSON.stringify(usage)).not.toContain('"png"');

    const ann = await sendCommand(bot.url, ROOM, { text: 'usage 2020-01', name: 'Ann' });
    if (ann.kind !== 'reply' || ann.reply.message.kind !== 'usage') throw new Error('expected usage');
    expect(ann.reply.message.title).toBe('Sora spend, 2020-01 (UTC), you');
    expect(ann.reply.message.lines[0]).toBe('You: $0.00 · 0 videos · workspace total: $0.00');
    // Private: nothing reached the room's stream.
    expect(
      stream.events.slice(before).filter((e) => (e.data as WireEntry).message?.kind === 'usage'),
    ).toEqual([]);
  });
});
