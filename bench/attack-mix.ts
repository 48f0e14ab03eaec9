/**
 * One bot under an attack mix (run: `npx tsx bench/attack-mix.ts [PHASE_SECONDS] [LEGIT_PER_SECOND]`,
 * default 60 s phases and 5 legitimate `/sora` a second). Issue 10's performance goals:
 * legitimate `/sora` commands keep an ack p99 under 300 ms, the bot's RSS stays under 400 MB, and its
 * open file descriptors return to their starting count afterwards.
 *
 * Three processes: the bot (`startBot`: the Slack adapter in Socket Mode plus the playground on its HTTP
 * server, SQLite, the real Sora client) is alone in its process so that its RSS and /proc/PID/fd are its
 * own; a child runs the fake Slack (test/fakes/slack) and the Sora emulator, and times every envelope
 * from writing it to reading its ack on its own event loop (as bench/slack-ack.ts does); this process
 * drives the attacks on raw sockets and samples the bot from /proc.
 *
 * 1. Baseline: LEGIT_PER_SECOND legitimate `/sora PROMPT` for PHASE_SECONDS, nothing else.
 * 2. Attack: the same legitimate load for PHASE_SECONDS, while
 *    - 50 slow senders trickle headers (half) or a body (half) to the bot's HTTP port, one byte at a
 *      time, reconnecting whenever the bot cuts them off;
 *    - 20 bomb images (PNG files declaring 20000x20000 in their IHDR, about 300 KB of a zlib stream of
 *      zeros) are attached to `/sora` through the modal's file field (Slack files on the fake);
 *    - 200 downloads of a delivered playground video (64 MB, /playground/media/ID/video) are aborted
 *      after their first 256 KB;
 *    - 1,000 fuzzed commands a minute (fast-check's hostileText) go to `/sora` through the fake Slack.
 * 3. Cool-down: the attackers stop; the bot's descriptors are counted until they are back at their
 *    start (or 60 s pass).
 * The emulator's jobs render in ten minutes (its clock is moved forward once, for the playground
 * video), so the commands' jobs just queue: status posts and edits still flow. Figures, not assertions.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { Readable } from 'node:stream';
import { crc32, createDeflate } from 'node:zlib';
import fc from 'fast-check';
import { startBot } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { startEmulator } from '../src/sora/emulator/index.js';
import { EMULATOR_API_KEY } from '../src/sora/index.js';
import { type EnvelopeAck, PayloadBuilders, startFakeSlack } from '../test/fakes/slack/index.js';
import { hostileText } from '../test/fuzz/hostile-text.js';
import { ALL_SCOPES, CHANNEL } from '../test/slack/slack-harness.js';

const MB = 1024 * 1024;
const LEGIT_USER = 'U0ALICE0001';
const FUZZ_USER = 'U0FUZZER001';
const BOMB_USER = 'U0BOMBER001';
const VIDEO_BYTES = 64 * MB;
const ABORT_AFTER_BYTES = 256 * 1024;
const SLOW_SENDERS = 50;
const BOMBS = 20;
const ABORTED_DOWNLOADS = 200;
const FUZZ_PER_MINUTE = 1_000;
const ACK_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------------------------------
// Requests between this process and the Slack side: one JSON line each way, matched by id.

type SideRequest =
  | { cmd: 'legit'; perSecond: number; seconds: number }
  | { cmd: 'fuzz'; perMinute: number; seconds: number; seed: number }
  | { cmd: 'bombs'; count: number; seconds: number }
  | { cmd: 'jump'; ms: number }
  | { cmd: 'exit' };

interface Ready {
  apiUrl: string;
  botToken: string;
  appToken: string;
  openaiBaseUrl: string;
}

interface LegitResult {
  ackMs: number[];
  failed: number;
}
interface FuzzResult {
  sent: number;
  acked: number;
  failed: number;
}
interface BombResult {
  bytes: number;
  submitted: number;
  modalsOpened: number;
  refusedInWords: number;
  jobsStarted: number;
  answers: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `task(i)` `count` times, evenly spread over `seconds`, without waiting for one to finish. */
async function spread<T>(count: number, seconds: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const started = performance.now();
  const runs: Promise<T>[] = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * seconds * 1000) / count;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    runs.push(task(i));
  }
  return Promise.all(runs);
}

// ---------------------------------------------------------------------------------------------------
// Slack side (child process): the fake Slack and the emulator.

/** A PNG declaring `width` x `height` whose IDAT is a zlib stream of `zeros` zero bytes (a small file). */
async function bombPng(width: number, height: number, zeros: number): Promise<Buffer> {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const zerosChunk = Buffer.alloc(MB);
  for (let left = zeros; left > 0; left -= MB) {
    if (!deflate.write(zerosChunk.subarray(0, Math.min(MB, left)))) await once(deflate, 'drain');
  }
  deflate.end();
  await once(deflate, 'end');
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.concat(parts)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Generated bytes, produced on demand (a stand-in for a large rendered video). */
function generated(total: number): Readable {
  const block = Buffer.alloc(MB, 0x5a);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const size = Math.min(block.length, total - sent);
      sent += size;
      this.push(size === block.length ? block : block.subarray(0, size));
    },
  });
}

async function slackSide(): Promise<void> {
  const fake = await startFakeSlack({
    scopes: ALL_SCOPES,
    retainUploadBytes: false,
    ackTimeoutMs: ACK_TIMEOUT_MS,
    users: [
      { id: LEGIT_USER, name: 'alice' },
      { id: FUZZ_USER, name: 'fuzzer' },
      { id: BOMB_USER, name: 'bomber' },
    ],
  });
  let offsetMs = 0;
  // Renders take ten minutes: the commands' jobs queue. The clock is moved once, for one video.
  const emulator = await startEmulator({
    renderMs: 600_000,
    apiKey: EMULATOR_API_KEY,
    maxRunning: 100_000,
    clock: { now: () => Date.now() + offsetMs },
    contentOverride: (_id, variant) => (variant === 'video' ? generated(VIDEO_BYTES) : undefined),
  });
  const say = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  const ready: Ready = {
    apiUrl: fake.apiUrl,
    botToken: fake.options.botToken,
    appToken: fake.options.appToken,
    openaiBaseUrl: emulator.openaiBaseUrl,
  };
  say({ ready });
  const bomb = await bombPng(20_000, 20_000, 300 * MB);

  const slash = (text: string, userId: string) =>
    fake.socket.sendSlashCommand(fake.payloads.slashCommand({ text, userId, channelId: CHANNEL }), {
      timeoutMs: ACK_TIMEOUT_MS,
    });

  const legit = async (perSecond: number, seconds: number): Promise<LegitResult> => {
    await fake.socket.waitForConnection(1, 30_000);
    const acks = await spread(Math.round(perSecond * seconds), seconds, (i) =>
      slash(`a paper boat number ${i} --seconds 4`, LEGIT_USER).then(
        (ack) => ack.ackMs,
        () => undefined,
      ),
    );
    const ackMs = acks.filter((ms): ms is number => ms !== undefined);
    return { ackMs, failed: acks.length - ackMs.length };
  };

  const fuzz = async (perMinute: number, seconds: number, seed: number): Promise<FuzzResult> => {
    const count = Math.round((perMinute * seconds) / 60);
    const texts = fc.sample(hostileText, { numRuns: count, seed });
    const acks = await spread(count, seconds, (i) =>
      slash(texts[i] ?? '', FUZZ_USER).then(
        (ack: EnvelopeAck) => ack,
        () => undefined,
      ),
    );
    const acked = acks.filter(Boolean).length;
    return { sent: count, acked, failed: count - acked };
  };

  const bombs = async (count: number, seconds: number): Promise<BombResult> => {
    const since = fake.calls().at(-1)?.seq ?? 0;
    const opened = await spread(count, seconds, async (i) => {
      const file = fake.workspace.seedFile({
        name: `bomb-${i}.png`,
        bytes: bomb,
        mimetype: 'image/png',
        user: BOMB_USER,
      });
      const payload = fake.payloads.slashCommand({ text: '', userId: BOMB_USER, channelId: CHANNEL });
      await fake.socket.sendSlashCommand(payload, { timeoutMs: ACK_TIMEOUT_MS }).catch(() => undefined);
      const open = await fake
        .waitForCall('views.open', (c) => c.args.trigger_id === payload.trigger_id, 30_000)
        .catch(() => undefined);
      const viewId = (open?.response.view as { id?: string } | undefined)?.id;
      if (!viewId) return false;
      const submitted = await fake.socket
        .sendInteractive(
          fake.payloads.viewSubmission({
            viewId,
            userId: BOMB_USER,
            values: {
              prompt: { value: { type: 'plain_text_input', value: `animate bomb ${i}` } },
              seconds: { value: { type: 'static_select', selected_option: { value: '4' } } },
              size: { value: { type: 'static_select', selected_option: { value: '720x1280' } } },
              model: { value: { type: 'static_select', selected_option: { value: 'sora-2' } } },
              image: { files: PayloadBuilders.fileInputValue([file]) },
            },
          }),
          { timeoutMs: ACK_TIMEOUT_MS },
        )
        .then(
          () => true,
          () => false,
        );
      return submitted;
    });
    // Give the last ones time to be downloaded, sniffed and answered.
    await sleep(5_000);
    const calls = fake.calls().filter((c) => c.seq > since);
    const toBomber = calls.filter(
      (c) =>
        (c.method === 'chat.postEphemeral' && c.args.user === BOMB_USER) ||
        (c.method === 'chat.postMessage' && c.args.channel === BOMB_USER),
    );
    const answers = [
      ...new Set(
        toBomber.map((c) =>
          String(c.args.text ?? '')
            .replace(/bomb-\d+/g, 'bomb-N')
            .slice(0, 160),
        ),
      ),
    ];
    return {
      bytes: bomb.length,
      submitted: opened.filter(Boolean).length,
      modalsOpened: calls.filter((c) => c.method === 'views.open').length,
      refusedInWords: toBomber.length,
      jobsStarted: calls.filter(
        (c) =>
          c.method === 'chat.postMessage' && JSON.stringify(c.args.blocks ?? '').includes('animate bomb'),
      ).length,
      answers,
    };
  };

  for await (const line of createInterface({ input: process.stdin })) {
    const { id, ...request } = JSON.parse(line) as { id: number } & SideRequest;
    const answer = (value: unknown) => say({ id, value });
    switch (request.cmd) {
      case 'legit':
        void legit(request.perSecond, request.seconds).then(answer);
        break;
      case 'fuzz':
        void fuzz(request.perMinute, request.seconds, request.seed).then(answer);
        break;
      case 'bombs':
        void bombs(request.count, request.seconds).then(answer);
        break;
      case 'jump':
        offsetMs += request.ms;
        answer({ offsetMs });
        break;
      case 'exit':
        await fake.close();
        await emulator.close();
        answer({ bye: true });
        process.exit(0);
    }
  }
}

class SlackSide {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (e: Error) => void }
  >();

  private constructor(
    private readonly child: ChildProcess,
    lines: Interface,
    readonly ready: Ready,
  ) {
    lines.on('line', (line) => {
      const { id, value } = JSON.parse(line) as { id: number; value: unknown };
      this.waiting.get(id)?.resolve(value);
      this.waiting.delete(id);
    });
    child.once('exit', (code) => {
      for (const { reject } of this.waiting.values()) reject(new Error(`the Slack side exited with ${code}`));
      this.waiting.clear();
    });
    process.once('exit', () => child.kill());
  }

  static async start(): Promise<SlackSide> {
    const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--slack-side'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the Slack side exited with ${code}`)));
      lines.once('line', resolve);
    });
    return new SlackSide(child, lines, (JSON.parse(first) as { ready: Ready }).ready);
  }

  ask<T>(request: SideRequest): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.child.exitCode !== null) {
        reject(new Error(`the Slack side exited with ${this.child.exitCode}`));
        return;
      }
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.stdin!.write(`${JSON.stringify({ id, ...request })}\n`);
    });
  }

  async close(): Promise<void> {
    await this.ask({ cmd: 'exit' });
  }
}

// ---------------------------------------------------------------------------------------------------
// The bot (child process): startBot with Slack (Socket Mode) and the playground.

async function botSide(): Promise<void> {
  const bot = await startBot(parseConfig(process.env), { print: () => {} });
  process.stdout.write(`${JSON.stringify({ url: bot.url, pid: process.pid })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() !== 'exit') continue;
    await bot.close();
    process.stdout.write(`${JSON.stringify({ bye: true })}\n`);
    process.exit(0);
  }
}

async function startBotProcess(side: SlackSide, dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--bot'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      ...process.env,
      SORA_PROVIDER: 'openai',
      OPENAI_API_KEY: EMULATOR_API_KEY,
      OPENAI_BASE_URL: side.ready.openaiBaseUrl,
      SLACK_BOT_TOKEN: side.ready.botToken,
      SLACK_APP_TOKEN: side.ready.appToken,
      SLACK_API_URL: side.ready.apiUrl,
      PLAYGROUND: '1',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      SORA_MAX_CONCURRENT: '2',
      SORA_RPM: '0',
      SORA_MAX_PENDING_PER_USER: '10000',
      LOG_LEVEL: 'silent',
    },
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bot exited with ${code}`)));
    lines.once('line', resolve);
  });
  const { url, pid } = JSON.parse(first) as { url: string; pid: number };
  const exited = once(child, 'exit').then(
    ([code, signal]) => `the bot exited (code ${code}, signal ${signal})`,
  );
  process.once('exit', () => child.kill());
  return {
    url,
    pid,
    /** Rejects if the bot process dies before `work` is done (a crash is a result, not a hang). */
    async watch<T>(work: Promise<T>): Promise<T> {
      return Promise.race([
        work,
        exited.then((why) => {
          throw new Error(why);
        }),
      ]);
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.write('exit\n');
      await Promise.race([once(lines, 'line'), exited]);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Watching the bot from /proc.

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** The bot's children (ffmpeg), from every process's parent pid. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return Number.NaN; // the process is gone
  }
}

class Sampler {
  rssPeak = 0;
  treePeak = 0;
  childrenPeak = 0;
  fdPeak = 0;
  private timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 100);
  }

  sample(): void {
    if (!existsSync(`/proc/${this.pid}`)) return;
    const rss = rssOf(this.pid);
    const children = childrenOf(this.pid);
    this.rssPeak = Math.max(this.rssPeak, rss);
    this.treePeak = Math.max(this.treePeak, rss + children.reduce((sum, child) => sum + rssOf(child), 0));
    this.childrenPeak = Math.max(this.childrenPeak, children.length);
    this.fdPeak = Math.max(this.fdPeak, fdCount(this.pid));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

// ---------------------------------------------------------------------------------------------------
// Attackers on raw sockets (this process).

type SlowKind = 'headers' | 'body';

interface SlowStats {
  connections: number;
  /** Per kind: how long each connection lasted until the bot cut it, and what it answered. */
  cut: Record<SlowKind, { heldMs: number[]; answers: Map<string, number> }>;
}

/**
 * `count` slow senders until `until`: half send headers one line every 2 s (never finishing), half
 * send complete headers of a 100 KB JSON body, then one byte a second. Each reconnects when cut off.
 */
function slowSenders(port: number, count: number, until: () => boolean): Promise<SlowStats> {
  const stats: SlowStats = {
    connections: 0,
    cut: { headers: { heldMs: [], answers: new Map() }, body: { heldMs: [], answers: new Map() } },
  };
  const sender = async (i: number) => {
    while (!until()) {
      stats.connections += 1;
      const started = performance.now();
      const socket: Socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      let reply = '';
      socket.on('data', (data) => {
        reply += String(data);
      });
      // Not events.once: it rejects on the 'error' (a reset) that comes before every cut-off's 'close'.
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const slowHeaders = i % 2 === 0;
      socket.write(
        slowHeaders
          ? `GET /playground/rooms HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`
          : `POST /playground/rooms/lobby/commands HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"text":"`,
      );
      let n = 0;
      const trickle = setInterval(
        () => {
          if (socket.destroyed) return;
          if (until()) socket.destroy();
          else socket.write(slowHeaders ? `X-Slow-${n++}: y\r\n` : 'x');
        },
        slowHeaders ? 2_000 : 1_000,
      );
      await closed;
      clearInterval(trickle);
      if (!until()) {
        const cut = stats.cut[slowHeaders ? 'headers' : 'body'];
        cut.heldMs.push(performance.now() - started);
        const status = /^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 'no answer';
        cut.answers.set(status, (cut.answers.get(status) ?? 0) + 1);
      }
    }
  };
  return Promise.all(Array.from({ length: count }, (_, i) => sender(i))).then(() => stats);
}

interface DownloadStats {
  started: number;
  gotBytes: number;
  aborted: number;
  statuses: Map<number, number>;
}

/** One GET of `url`, destroyed once `abortAfter` bytes of the body have arrived. */
function abortedDownload(url: string, abortAfter: number, stats: DownloadStats): Promise<void> {
  return new Promise((resolve) => {
    stats.started += 1;
    const req = request(url, (res) => {
      stats.statuses.set(res.statusCode ?? 0, (stats.statuses.get(res.statusCode ?? 0) ?? 0) + 1);
      let got = 0;
      res.on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (got >= abortAfter && !req.destroyed) {
          stats.gotBytes += got;
          stats.aborted += 1;
          req.destroy();
        }
      });
      res.on('end', resolve);
      res.on('error', () => undefined);
    });
    req.on('error', () => undefined);
    req.on('close', () => resolve());
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function playgroundVideo(botUrl: string, side: SlackSide): Promise<string> {
  const res = await fetch(`${botUrl}/playground/rooms/lobby/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'a long take of the sea', name: 'bench', clientId: `bench-${Date.now()}` }),
  });
  const answer = (await res.json()) as { kind: string; jobId?: string };
  if (answer.kind !== 'job' || !answer.jobId) throw new Error(`no playground job: ${JSON.stringify(answer)}`);
  const jobId = answer.jobId;
  // Once the emulator has the job, move its clock past the render.
  await sleep(3_000);
  await side.ask({ cmd: 'jump', ms: 11 * 60_000 });
  const mediaUrl = `${botUrl}/playground/media/${jobId}/video`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const head = await fetch(mediaUrl, { method: 'HEAD' });
    if (head.status === 200) return mediaUrl;
    if (Date.now() > deadline) throw new Error(`the playground video ${jobId} was never delivered`);
    await sleep(500);
  }
}

async function settleFds(
  pid: number,
  start: number,
  limitMs: number,
): Promise<{ count: number; afterMs: number }> {
  const started = Date.now();
  for (;;) {
    const count = fdCount(pid);
    if (count <= start || Date.now() - started > limitMs) return { count, afterMs: Date.now() - started };
    await sleep(500);
  }
}

async function main(phaseSeconds: number, legitPerSecond: number): Promise<void> {
  const command = `npx tsx bench/attack-mix.ts ${phaseSeconds} ${legitPerSecond}`;
  const loadBefore = loadavg();
  const side = await SlackSide.start();
  const dataDir = await mkdtemp(join(tmpdir(), 'sora-attack-bench-'));
  const bot = await startBotProcess(side, dataDir);
  const rows: [string, string][] = [];
  try {
    const port = Number(new URL(bot.url).port);
    const mediaUrl = await bot.watch(playgroundVideo(bot.url, side));
    // Warm-up: Bolt verifies its token on the first event; a running bot has done that.
    await bot.watch(side.ask<LegitResult>({ cmd: 'legit', perSecond: 2, seconds: 2 }));
    await sleep(3_000);
    const fdStart = fdCount(bot.pid);
    const rssStart = rssOf(bot.pid);

    // 1. Baseline.
    const baselineSampler = new Sampler(bot.pid);
    const baseline = await bot.watch(
      side.ask<LegitResult>({ cmd: 'legit', perSecond: legitPerSecond, seconds: phaseSeconds }),
    );
    baselineSampler.stop();
    const fdAfterBaseline = fdCount(bot.pid);

    // 2. Attack.
    const attackSampler = new Sampler(bot.pid);
    let attacking = true;
    const slow = slowSenders(port, SLOW_SENDERS, () => !attacking);
    const downloads: DownloadStats = { started: 0, gotBytes: 0, aborted: 0, statuses: new Map() };
    const downloading = spread(ABORTED_DOWNLOADS / 10, phaseSeconds * 0.9, () =>
      Promise.all(Array.from({ length: 10 }, () => abortedDownload(mediaUrl, ABORT_AFTER_BYTES, downloads))),
    );
    const [underAttack, fuzz, bombs] = await bot
      .watch(
        Promise.all([
          side.ask<LegitResult>({ cmd: 'legit', perSecond: legitPerSecond, seconds: phaseSeconds }),
          side.ask<FuzzResult>({
            cmd: 'fuzz',
            perMinute: FUZZ_PER_MINUTE,
            seconds: phaseSeconds,
            seed: 20261202,
          }),
          side.ask<BombResult>({ cmd: 'bombs', count: BOMBS, seconds: phaseSeconds * 0.8 }),
          downloading,
        ]),
      )
      .finally(() => {
        attacking = false;
      });
    const slowStats = await slow;
    attackSampler.stop();
    const fdEndOfAttack = fdCount(bot.pid);

    // 3. Cool-down.
    const settled = await settleFds(bot.pid, fdStart, 60_000);
    const rssEnd = rssOf(bot.pid);

    const base = [...baseline.ackMs].sort((a, b) => a - b);
    const attack = [...underAttack.ackMs].sort((a, b) => a - b);
    const p99Base = percentile(base, 99);
    const p99Attack = percentile(attack, 99);
    const n = (label: string) => `${label} (${legitPerSecond}/s for ${phaseSeconds} s)`;
    rows.push([n('legit /sora, no attack: acks'), `${base.length} acked, ${baseline.failed} not acked`]);
    rows.push([
      n('legit /sora, no attack: ack median / p99 / max'),
      `${ms(percentile(base, 50))} / ${ms(p99Base)} / ${ms(base.at(-1) ?? Number.NaN)}`,
    ]);
    rows.push([
      n('legit /sora, under attack: acks'),
      `${attack.length} acked, ${underAttack.failed} not acked`,
    ]);
    rows.push([
      n('legit /sora, under attack: ack median / p99 / max'),
      `${ms(percentile(attack, 50))} / ${ms(p99Attack)} / ${ms(attack.at(-1) ?? Number.NaN)}`,
    ]);
    rows.push([
      'ack p99 under attack / without (goal: p99 under 300 ms)',
      `${(p99Attack / p99Base).toFixed(2)}x (${p99Attack < 300 ? 'met' : 'NOT met'})`,
    ]);
    rows.push([
      'bot RSS: at start / peak without attack / peak under attack / at end',
      `${mb(rssStart)} / ${mb(baselineSampler.rssPeak)} / ${mb(attackSampler.rssPeak)} / ${mb(rssEnd)}`,
    ]);
    rows.push([
      'bot RSS peak under attack (goal < 400 MB)',
      `${mb(attackSampler.rssPeak)} (${attackSampler.rssPeak < 400 * MB ? 'met' : 'NOT met'})`,
    ]);
    rows.push([
      'bot + its child processes (ffmpeg): RSS peak, most children at once',
      `${mb(attackSampler.treePeak)}, ${attackSampler.childrenPeak}`,
    ]);
    rows.push([
      'bot open fds: start / after baseline / peak under attack / end of attack',
      `${fdStart} / ${fdAfterBaseline} / ${attackSampler.fdPeak} / ${fdEndOfAttack}`,
    ]);
    rows.push([
      'bot open fds after cool-down (goal: back to its start)',
      `${settled.count} after ${(settled.afterMs / 1000).toFixed(1)} s (${settled.count <= fdStart ? 'met' : 'NOT met'})`,
    ]);
    rows.push([
      `fuzzed /sora (${FUZZ_PER_MINUTE}/min)`,
      `${fuzz.sent} sent, ${fuzz.acked} acked, ${fuzz.failed} not acked`,
    ]);
    rows.push([
      `slow senders (${SLOW_SENDERS} at once, reconnecting when cut)`,
      `${slowStats.connections} connections`,
    ]);
    for (const kind of ['headers', 'body'] as const) {
      const { heldMs, answers } = slowStats.cut[kind];
      const sorted = [...heldMs].sort((a, b) => a - b);
      rows.push([
        kind === 'headers'
          ? '  slow headers (a line every 2 s): cut off'
          : '  slow body (a byte a second): cut off',
        sorted.length === 0
          ? 'none during the phase'
          : `${sorted.length} times, after median ${(percentile(sorted, 50) / 1000).toFixed(1)} s / max ${((sorted.at(-1) ?? 0) / 1000).toFixed(1)} s; answers ${[...answers].map(([k, v]) => `${k}: ${v}`).join(', ')}`,
      ]);
    }
    rows.push([
      `bomb images (${BOMBS} × ${(bombs.bytes / 1024).toFixed(0)} KB PNG declaring 20000x20000, via the /sora modal)`,
      `${bombs.submitted} submitted, ${bombs.refusedInWords} private answers, ${bombs.jobsStarted} jobs started`,
    ]);
    for (const answer of bombs.answers.slice(0, 2))
      rows.push(['  a bomb answer', answer.replace(/\|/g, '\\|')]);
    rows.push([
      `aborted downloads (${ABORTED_DOWNLOADS} of a ${mb(VIDEO_BYTES)} video, cut after ${ABORT_AFTER_BYTES / 1024} KB)`,
      `${downloads.started} started, ${downloads.aborted} aborted mid-body; statuses ${[...downloads.statuses].map(([k, v]) => `${k}: ${v}`).join(', ')}`,
    ]);
  } finally {
    await bot.close().catch(() => undefined);
    await side.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
  const loadAfter = loadavg();
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
  process.stdout.write(
    `\nAttack mix on one bot (Node ${process.version}, ${process.platform}, load average before ${load(loadBefore)}, after ${load(loadAfter)})\n`,
  );
  process.stdout.write(`Command: \`${command}\`\n\n`);
  process.stdout.write('| measure | value |\n|---|---|\n');
  for (const [k, v] of rows) process.stdout.write(`| ${k} | ${v} |\n`);
}

if (process.argv[2] === '--slack-side') await slackSide();
else if (process.argv[2] === '--bot') await botSide();
else await main(Number(process.argv[2] ?? 60), Number(process.argv[3] ?? 5));
