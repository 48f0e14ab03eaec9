/**
 * The Slack adapter under load (run: `npx tsx bench/slack-ack.ts [COMMANDS] [VIDEOS] [VIDEO_MB]`,
 * default 200 commands, 20 videos of 100 MB). Issue 4's performance goals, through the wire-level fake
 * Slack (test/fakes/slack) and real Bolt over Socket Mode:
 * 1. COMMANDS `/sora` commands sent at once: ack latency (the fake times each envelope from writing it
 *    to reading its ack), median / p99 / max. Goal: p99 under 300 ms (Slack's budget is 3 s).
 * 2. VIDEOS files of VIDEO_MB each, generated on disk, delivered at once with SlackSurface.deliverVideo
 *    (the three-step upload, streamed): peak RSS of the bot process. Goal: under 300 MB.
 *
 * Two processes, like production: this one is the bot (SoraCore on SQLite, Bolt, the Slack adapter);
 * a child process (this file with `--slack-side`) runs the fake Slack (counting upload bodies as they
 * stream, keeping nothing) and the Sora emulator, so the bot's RSS and event loop are measured alone
 * and the fake reads acks on its own event loop. Figures, not assertions: never part of the tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { startSlackAdapter } from '../adapters/slack/index.js';
import { parseConfig } from '../src/config.js';
import { systemClock } from '../src/core/clock.js';
import { type Logger, silentLogger } from '../src/core/logger.js';
import type { JobView, ResultMessage, StatusMessage } from '../src/core/messages.js';
import { SoraCore } from '../src/core/sora-core.js';
import type { ThreadStart } from '../src/core/surface.js';
import { HttpServer } from '../src/http/http-server.js';
import { startEmulator } from '../src/sora/emulator/index.js';
import { createProvider, EMULATOR_API_KEY } from '../src/sora/index.js';
import { namespacedValues } from '../src/store/key-values.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { startFakeSlack } from '../test/fakes/slack/index.js';
import { ALL_SCOPES, CHANNEL } from '../test/slack/slack-harness.js';

const MB = 1024 * 1024;
const RSS_SAMPLE_MS = 25;

/** Warnings and errors go to stderr: a benchmark that silently drops work would report nonsense. */
const benchLogger: Logger = {
  debug() {},
  info() {},
  warn: (obj, msg) => process.stderr.write(`warn: ${msg} ${JSON.stringify(obj)}\n`),
  error: (obj, msg) => process.stderr.write(`error: ${msg} ${JSON.stringify(obj)}\n`),
  child: () => benchLogger,
};

// ---------------------------------------------------------------------------------------------------
// Slack side (child process): the fake Slack and the emulator, driven by JSON lines on stdin.

interface Ready {
  apiUrl: string;
  botToken: string;
  appToken: string;
  teamId: string;
  emulatorUrl: string;
}

async function slackSide(): Promise<void> {
  const fake = await startFakeSlack({ scopes: ALL_SCOPES, retainUploadBytes: false, ackTimeoutMs: 120_000 });
  // Renders far longer than the bench: the commands' jobs just queue (status posts and edits still flow).
  const emulator = await startEmulator({ renderMs: 600_000, apiKey: EMULATOR_API_KEY, maxRunning: 1000 });
  const ready: Ready = {
    apiUrl: fake.apiUrl,
    botToken: fake.options.botToken,
    appToken: fake.options.appToken,
    teamId: fake.options.teamId,
    emulatorUrl: emulator.url,
  };
  const say = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  say({ ready });
  for await (const line of createInterface({ input: process.stdin })) {
    const request = JSON.parse(line) as { cmd: 'commands'; n: number } | { cmd: 'uploads' } | { cmd: 'exit' };
    if (request.cmd === 'commands') {
      await fake.socket.waitForConnection(1, 30_000);
      const payloads = Array.from({ length: request.n }, (_, i) =>
        fake.payloads.slashCommand({ text: `a paper boat number ${i} --seconds 4`, channelId: CHANNEL }),
      );
      const started = performance.now();
      const acks = await Promise.all(
        payloads.map((p) => fake.socket.sendSlashCommand(p, { timeoutMs: 120_000 })),
      );
      say({ ackMs: acks.map((a) => a.ackMs), wallMs: performance.now() - started });
    } else if (request.cmd === 'uploads') {
      say({ bytes: fake.workspace.uploads().reduce((sum, u) => sum + u.bytes, 0) });
    } else {
      await fake.close();
      await emulator.close();
      say({ bye: true });
      process.exit(0);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Bot side (this process).

class SlackSide {
  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: Interface,
    readonly ready: Ready,
  ) {}

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

  async ask<T>(request: unknown): Promise<T> {
    const answer = new Promise<string>((resolve) => this.lines.once('line', resolve));
    this.child.stdin!.write(`${JSON.stringify(request)}\n`);
    return JSON.parse(await answer) as T;
  }

  async close(): Promise<void> {
    await this.ask({ cmd: 'exit' });
  }
}

async function startBot(side: SlackSide, dataDir: string) {
  const config = parseConfig({
    SORA_PROVIDER: 'emulator',
    DATA_DIR: dataDir,
    SLACK_BOT_TOKEN: side.ready.botToken,
    SLACK_APP_TOKEN: side.ready.appToken,
    SLACK_API_URL: side.ready.apiUrl,
    LOG_LEVEL: 'silent',
  });
  const store = await SqliteStore.open(join(dataDir, 'ledger.sqlite'));
  const provider = createProvider(config, {
    emulatorUrl: side.ready.emulatorUrl,
    emulatorApiKey: EMULATOR_API_KEY,
  });
  const core = new SoraCore({
    provider,
    store,
    logger: benchLogger,
    settings: {
      dataDir,
      defaultModel: 'sora-2',
      admins: [],
      maxConcurrent: 2,
      requestsPerMinute: 0,
      retentionMs: 7 * 24 * 3600 * 1000,
    },
  });
  const http = new HttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
  const adapter = await startSlackAdapter(
    {
      config,
      core,
      http,
      logger: benchLogger,
      clock: systemClock,
      values: (namespace) => namespacedValues(store, namespace),
    },
    { retryConfig: { retries: 0 } },
  );
  await http.listen();
  await core.start();
  return {
    core,
    adapter,
    async close() {
      await adapter.close();
      await core.stop();
      await http.close();
      await store.close();
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function rssMb(): number {
  return process.memoryUsage().rss / MB;
}

async function writeVideoFile(path: string, bytes: number): Promise<void> {
  const chunk = Buffer.alloc(MB, 0x5a);
  const out = createWriteStream(path);
  for (let written = 0; written < bytes; written += chunk.length) {
    if (!out.write(chunk.subarray(0, Math.min(chunk.length, bytes - written)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function view(id: string): JobView {
  return {
    id,
    prompt: `benchmark video ${id}`,
    seconds: '12',
    size: '1280x720',
    model: 'sora-2',
    state: 'delivering',
    progress: 100,
    requesterUser: 'U0ALICE0001',
    requesterName: 'alice',
    remixOf: null,
    hasImage: false,
    createdAt: Date.now(),
    failureCode: null,
  };
}

async function main(commands: number, videos: number, videoMb: number): Promise<void> {
  const side = await SlackSide.start();
  const dataDir = await mkdtemp(join(tmpdir(), 'sora-slack-bench-'));
  const videoDir = await mkdtemp(join(tmpdir(), 'sora-slack-videos-'));
  const rows: [string, string][] = [];
  try {
    // 1. Ack latency.
    const bot = await startBot(side, dataDir);
    try {
      // Warm-up: Bolt verifies its token (auth.test) on the first event; a running bot has done that.
      await side.ask({ cmd: 'commands', n: 1 });
      const sentAt = performance.now();
      const { ackMs, wallMs } = await side.ask<{ ackMs: number[]; wallMs: number }>({
        cmd: 'commands',
        n: commands,
      });
      const sorted = [...ackMs].sort((a, b) => a - b);
      const scope = `slack:${side.ready.teamId}:${CHANNEL}`;
      const deadline = Date.now() + 120_000;
      const announced = async () => {
        const jobs = await bot.core.channelJobs(scope);
        return jobs.length >= commands + 1 && jobs.every((j) => j.state !== 'accepted');
      };
      while (!(await announced()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const postedMs = performance.now() - sentAt;
      const states = new Map<string, number>();
      for (const job of await bot.core.channelJobs(scope))
        states.set(job.state, (states.get(job.state) ?? 0) + 1);
      const label = `${commands} /sora at once`;
      rows.push([`${label}: ack median`, `${percentile(sorted, 50).toFixed(1)} ms`]);
      rows.push([`${label}: ack p99`, `${percentile(sorted, 99).toFixed(1)} ms`]);
      rows.push([`${label}: ack max`, `${sorted.at(-1)!.toFixed(1)} ms`]);
      rows.push([`${label}: all acked after`, `${wallMs.toFixed(0)} ms`]);
      rows.push([`${label}: every parent message posted after`, `${postedMs.toFixed(0)} ms`]);
      rows.push([
        `${label}: jobs (with the warm-up one)`,
        [...states].map(([state, n]) => `${n} ${state}`).join(', '),
      ]);
    } finally {
      await bot.close();
    }

    // 2. Delivery RSS, with a fresh bot (empty queue) on the same fake.
    const paths = Array.from({ length: videos }, (_, i) => join(videoDir, `video-${i}.mp4`));
    for (const path of paths) await writeVideoFile(path, videoMb * MB);
    const secondDir = await mkdtemp(join(tmpdir(), 'sora-slack-bench-2-'));
    const deliverer = await startBot(side, secondDir);
    try {
      const surface = deliverer.adapter.surface;
      const threads: ThreadStart[] = [];
      for (let i = 0; i < videos; i++) {
        const status: StatusMessage = {
          kind: 'status',
          job: view(`vid${String(i).padStart(3, '0')}`),
          phase: 'delivering',
          progress: 100,
          queuePosition: null,
          etaMs: null,
        };
        threads.push(await surface.startJob(`slack:${side.ready.teamId}:${CHANNEL}`, status));
      }
      const baseline = rssMb();
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssMb());
      }, RSS_SAMPLE_MS);
      const before = (await side.ask<{ bytes: number }>({ cmd: 'uploads' })).bytes;
      const t0 = performance.now();
      await Promise.all(
        paths.map((path, i) => {
          const message: ResultMessage = {
            kind: 'result',
            job: view(`vid${String(i).padStart(3, '0')}`),
            notes: [],
            actions: [],
          };
          return surface.deliverVideo(
            {
              jobId: `vid${String(i).padStart(3, '0')}`,
              conversation: threads[i]!.conversation,
              videoPath: path,
              videoBytes: videoMb * MB,
              thumbnail: async () => null,
              message,
            },
            { checkpoint: async () => undefined },
          );
        }),
      );
      const deliverMs = performance.now() - t0;
      clearInterval(sampler);
      peak = Math.max(peak, rssMb());
      const uploaded = (await side.ask<{ bytes: number }>({ cmd: 'uploads' })).bytes - before;
      const label = `${videos} × ${videoMb} MB delivered at once`;
      rows.push([`${label}: bot RSS before`, `${baseline.toFixed(0)} MB`]);
      rows.push([`${label}: bot peak RSS`, `${peak.toFixed(0)} MB`]);
      rows.push([`${label}: time`, `${(deliverMs / 1000).toFixed(1)} s`]);
      rows.push([`${label}: bytes received by Slack`, `${(uploaded / MB).toFixed(0)} MB`]);
    } finally {
      await deliverer.close();
      await rm(secondDir, { recursive: true, force: true });
    }
  } finally {
    await side.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(videoDir, { recursive: true, force: true });
  }
  process.stdout.write(`\nSlack adapter benchmark (Node ${process.version}, ${process.platform})\n\n`);
  process.stdout.write('| measure | value |\n|---|---|\n');
  for (const [k, v] of rows) process.stdout.write(`| ${k} | ${v} |\n`);
}

if (process.argv[2] === '--slack-side') await slackSide();
else
  await main(Number(process.argv[2] ?? 200), Number(process.argv[3] ?? 20), Number(process.argv[4] ?? 100));
