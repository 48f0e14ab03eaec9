/**
 * The team queue and delivery loop under load (run: `npx tsx bench/core-queue.ts [JOBS] [RENDER_MS] [--delivery-concurrency=N]`,
 * default 1000 jobs, 2000 ms renders). Issue 3's performance goals: with the caps raised on both sides,
 * 1,000 jobs from 50 requesters at once through the real SoraCore on a SQLite file; report provider
 * API calls per delivered job for the batched poller and for plain per-job polling at the same
 * intervals (two passes in the same run, after an unreported 200-job warm-up pass), completion-to-
 * delivery latency, and peak RSS.
 *
 * Two processes, like production: this one is the bot (SoraCore, SQLite store, a recording surface);
 * a child process (this file with `--provider-side`) runs the emulator behind a counting HTTP proxy,
 * so the bot's RSS and event loop are measured without the provider's. Every video is the same small
 * real MP4 and WebP, rendered once at start, so ffmpeg does not render 1,000 videos.
 *
 * `--delivery-concurrency=N` repeats the run with more videos downloaded and posted at once than the
 * default: an experiment that shows whether delivery throughput dominates; the plain run is the bot as
 * it ships.
 *
 * Figures, not assertions: this is never part of the test suite.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import {
  createServer,
  Agent as HttpAgent,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parseConfig } from '../src/config.js';
import type { Job } from '../src/core/job.js';
import type { BotMessage, StatusMessage } from '../src/core/messages.js';
import type { CoreMetrics } from '../src/core/metrics.js';
import { SoraCore } from '../src/core/sora-core.js';
import type {
  ChatSurface,
  DeliveredVideo,
  DeliveryProgress,
  ThreadStart,
  VideoDelivery,
} from '../src/core/surface.js';
import { SoraClient } from '../src/sora/client/index.js';
import type { RequestObserver } from '../src/sora/client/request-events.js';
import { startEmulator } from '../src/sora/emulator/index.js';
import { createProvider } from '../src/sora/index.js';
import type { ContentVariant } from '../src/sora/video.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { Store } from '../src/store/store.js';

const MB = 1024 * 1024;
const REQUESTERS = 50;
const RSS_SAMPLE_MS = 25;
const PASS_TIMEOUT_MS = 20 * 60_000;
const WARM_UP_JOBS = 200;

// ---------------------------------------------------------------------------------------------------
// Provider side: the emulator behind a proxy that counts every request by kind.

type CallKind = 'create' | 'retrieve' | 'list' | 'content' | 'other';

interface ProviderStats {
  calls: Record<CallKind, number>;
  /** Non-2xx answers by kind (a 429 would show up here). */
  errors: Record<CallKind, number>;
  /** Per created video: when the proxy forwarded the create, and when the answer came back (ms). */
  creates: [id: string, sentAt: number, answeredAt: number][];
  /** Duration of each content download (video or thumbnail), ms. */
  contentMs: number[];
  contentBytes: number;
  peakRss: number;
}

function classify(method: string, pathname: string): CallKind {
  const parts = pathname
    .replace(/^\/(openai\/)?v1\//, '')
    .split('/')
    .filter(Boolean);
  if (parts[0] !== 'videos') return 'other';
  if (parts.length === 1) return method === 'POST' ? 'create' : method === 'GET' ? 'list' : 'other';
  if (parts.length === 2 && method === 'GET') return 'retrieve';
  if (parts.length === 3 && parts[2] === 'content') return 'content';
  return 'other';
}

function emptyStats(): ProviderStats {
  const zero = () => ({ create: 0, retrieve: 0, list: 0, content: 0, other: 0 });
  return { calls: zero(), errors: zero(), creates: [], contentMs: [], contentBytes: 0, peakRss: 0 };
}

/** Renders one real MP4 and WebP with the emulator's own ffmpeg pipeline; served for every video later. */
async function renderSample(): Promise<Record<'video' | 'thumbnail', Buffer>> {
  const key = 'sk-bench-sample';
  const emulator = await startEmulator({ renderMs: 0, apiKey: key });
  try {
    const client = new SoraClient({ kind: 'openai', baseUrl: emulator.openaiBaseUrl, apiKey: key });
    const video = await client.create({ prompt: 'benchmark sample: a paper boat on a rainy street' });
    const read = async (variant: ContentVariant) => {
      const content = await client.download(video.id, variant);
      const chunks: Buffer[] = [];
      for await (const chunk of content.stream) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks);
    };
    return { video: await read('video'), thumbnail: await read('thumbnail') };
  } finally {
    await emulator.close();
  }
}

async function providerSide(): Promise<void> {
  const renderMs = Number(process.env.BENCH_RENDER_MS ?? 2000);
  const sample = await renderSample();
  const emulator = await startEmulator({
    renderMs,
    maxRunning: 1000,
    requestsPerMinute: 0,
    contentOverride: (_id, variant) =>
      variant === 'video' || variant === 'thumbnail' ? Readable.from([sample[variant]]) : undefined,
  });
  const upstream = new URL(emulator.url);
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 512 });
  let stats = emptyStats();
  const sampler = setInterval(() => {
    stats.peakRss = Math.max(stats.peakRss, process.memoryUsage.rss());
  }, RSS_SAMPLE_MS);
  sampler.unref();

  const forward = (req: IncomingMessage, res: ServerResponse, kind: CallKind) => {
    const sentAt = Date.now();
    stats.calls[kind]++;
    const counted = stats;
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        const status = answer.statusCode ?? 502;
        if (status >= 300) counted.errors[kind]++;
        if (kind === 'create') {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => {
            const body = Buffer.concat(chunks);
            if (status === 200) {
              const id = (JSON.parse(body.toString('utf8')) as { id: string }).id;
              counted.creates.push([id, sentAt, Date.now()]);
            }
            res.writeHead(status, answer.headers);
            res.end(body);
          });
          return;
        }
        res.writeHead(status, answer.headers);
        if (kind === 'content')
          answer.on('data', (c: Buffer) => {
            counted.contentBytes += c.length;
          });
        answer.pipe(res);
        if (kind === 'content') res.on('finish', () => counted.contentMs.push(Date.now() - sentAt));
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  };

  const proxy = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy.local');
    if (url.pathname === '/__bench/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(stats));
      return;
    }
    if (url.pathname === '/__bench/reset') {
      stats = emptyStats();
      res.writeHead(204);
      res.end();
      return;
    }
    forward(req, res, classify(req.method ?? 'GET', url.pathname));
  });
  proxy.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  if (!address || typeof address === 'string') throw new Error('the proxy has no port');
  process.stdout.write(
    `${JSON.stringify({ ready: `http://127.0.0.1:${address.port}`, mp4Bytes: sample.video.length, thumbBytes: sample.thumbnail.length })}\n`,
  );
  // The bot side closes our stdin when it is done (or dies): then we go too.
  process.stdin.resume();
  process.stdin.on('end', () => {
    proxy.closeAllConnections();
    proxy.close();
    void emulator.close().then(() => process.exit(0));
  });
}

// ---------------------------------------------------------------------------------------------------
// Bot side: the real core, a SQLite file, and a surface that records when each video is delivered.

/** Keeps the latest status per message and the time of each delivery; never touches the video files. */
class TimingSurface implements ChatSurface {
  readonly platform = 'playground' as const;
  // The playground's own interval: status edits are throttled the way they are in production.
  readonly limits = { maxUploadBytes: null, progressIntervalMs: 250 };
  readonly deliveredAt = new Map<string, number>();
  readonly deliveryCount = new Map<string, number>();
  readonly failures: string[] = [];
  statusEdits = 0;
  private counter = 0;

  async startJob(conversation: string, _message: StatusMessage): Promise<ThreadStart> {
    return { conversation, statusRef: `s${++this.counter}` };
  }

  async updateStatus(): Promise<void> {
    this.statusEdits++;
  }

  async deliverVideo(delivery: VideoDelivery, progress: DeliveryProgress): Promise<DeliveredVideo> {
    const id = delivery.message.job.id;
    await progress.checkpoint({ ref: `v:${id}` });
    if (!this.deliveredAt.has(id)) this.deliveredAt.set(id, Date.now());
    this.deliveryCount.set(id, (this.deliveryCount.get(id) ?? 0) + 1);
    return { messageRef: `v:${id}`, otherRefs: [] };
  }

  async post(_conversation: string, message: BotMessage): Promise<string> {
    if ('job' in message && message.job) this.failures.push(`${message.job.id}: ${message.kind}`);
    return `p${++this.counter}`;
  }

  async findDelivery(_conversation: string, jobId: string): Promise<DeliveredVideo | undefined> {
    return this.deliveredAt.has(jobId) ? { messageRef: `v:${jobId}`, otherRefs: [] } : undefined;
  }
}

interface StoreOps {
  /** Calls per Store method; `activeReads` counts reads of a ledger work list (an index page of jobs). */
  calls: Record<string, number>;
  /** Summed time callers waited per method (overlapping waits add up). */
  waitMs: Record<string, number>;
  activeReads: number;
}

/** Passes every call to the real store and counts it: where the bot's time goes is the SQLite file. */
function countingStore(inner: Store, ops: StoreOps): Store {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const member = Reflect.get(target, prop, receiver);
      if (typeof member !== 'function') return member;
      const name = String(prop);
      return async (...args: unknown[]) => {
        ops.calls[name] = (ops.calls[name] ?? 0) + 1;
        if (name === 'indexRange' && String(args[0]).startsWith('jobs:')) ops.activeReads++;
        const start = performance.now();
        try {
          return await (member as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          ops.waitMs[name] = (ops.waitMs[name] ?? 0) + performance.now() - start;
        }
      };
    },
  });
}

/** What bench/metrics-scrape.ts adds to a pass: the bot's metrics (src/metrics), wired as startBot does. */
export interface PassExtras {
  metrics?: CoreMetrics & {
    observeProviderRequestsOf(deployment: string): RequestObserver;
    watchCore(core: SoraCore): void;
  };
}

export interface PassResult {
  name: string;
  threshold: number;
  delivered: number;
  duplicates: number;
  failed: number;
  wallMs: number;
  acceptMs: number;
  provider: ProviderStats;
  pollerStats: { listCalls: number; retrieveCalls: number };
  statusEdits: number;
  peakRss: number;
  baselineRss: number;
  peakHeap: number;
  /** The bot's event loop during the pass: utilization, and delay p99 / max (ms). */
  loop: { utilization: number; delayP99Ms: number; delayMaxMs: number };
  storeOps: StoreOps;
  /** One `ledger.active()` right after all jobs were accepted (all of them active). */
  activeReadMs: number;
  /** provider finish -> delivery, and its two parts: finish -> seen by the poller -> delivered. */
  latency: number[];
  detect: number[];
  deliver: number[];
  /** Max uncertainty of the provider's finish time (half the create round trip). */
  finishErrorMs: number;
}

async function fetchJson<T>(url: string, method = 'GET'): Promise<T> {
  const res = await fetch(url, { method });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export async function runPass(
  name: string,
  threshold: number,
  proxyUrl: string,
  jobs: number,
  renderMs: number,
  poll: { pollInitialMs: number; pollMaxMs: number },
  deliveryConcurrency: number | undefined,
  extras: PassExtras = {},
): Promise<PassResult> {
  await fetchJson(`${proxyUrl}/__bench/reset`, 'POST');
  const dataDir = await mkdtemp(join(tmpdir(), 'sora-bench-queue-'));
  const file = join(dataDir, 'ledger.sqlite');
  const storeOps: StoreOps = { calls: {}, waitMs: {}, activeReads: 0 };
  const store = countingStore(await SqliteStore.open(file), storeOps);
  const config = parseConfig({ SORA_PROVIDER: 'emulator' });
  // A key per pass: the emulator lists each key's videos apart, so pass 2 never walks pass 1's.
  const provider = createProvider(config, {
    emulatorUrl: proxyUrl,
    emulatorApiKey: `sk-bench-${threshold}-${name.replace(/\W+/g, '-')}`,
    ...(extras.metrics ? { observe: extras.metrics.observeProviderRequestsOf('default') } : {}),
  });
  const surface = new TimingSurface();
  const core = new SoraCore({
    provider,
    store,
    settings: {
      dataDir,
      defaultModel: 'sora-2',
      admins: [],
      maxConcurrent: 100,
      requestsPerMinute: 0,
      retentionMs: 86_400_000,
      estimatedRenderMs: renderMs,
      pollBatchThreshold: threshold,
      ...(deliveryConcurrency ? { deliveryConcurrency } : {}),
      ...poll,
    },
    ...(extras.metrics ? { metrics: extras.metrics } : {}),
  });
  extras.metrics?.watchCore(core);
  core.registerSurface(surface);
  global.gc?.();
  const baselineRss = process.memoryUsage.rss();
  let peakRss = baselineRss;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const memory = process.memoryUsage();
    peakRss = Math.max(peakRss, memory.rss);
    peakHeap = Math.max(peakHeap, memory.heapUsed);
  }, RSS_SAMPLE_MS);
  await core.start();
  const started = Date.now();
  // How busy the bot's one thread is, and its longest stalls: a delivery waits behind both.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const loopStart = performance.eventLoopUtilization();
  const jobIds: string[] = [];
  // 50 people at once, each sending their share one command after another (as a person types).
  await Promise.all(
    Array.from({ length: REQUESTERS }, async (_, r) => {
      for (let i = r; i < jobs; i += REQUESTERS) {
        const parsed = core.parse(`a paper boat number ${i} drifting down a rainy street`);
        if (!parsed.ok) throw new Error(parsed.problem.message);
        const conversation = `playground:room-${r % 10}`;
        const outcome = await core.run({
          requester: { platform: 'playground', workspace: 'bench', user: `user-${r}` },
          channel: conversation,
          conversation,
          intent: parsed.intent,
        });
        if (outcome.kind !== 'job') throw new Error(`no job: ${JSON.stringify(outcome.message)}`);
        jobIds.push(outcome.job.id);
      }
    }),
  );
  const acceptMs = Date.now() - started;
  const activeStart = performance.now();
  await core.activeJobs();
  const activeReadMs = performance.now() - activeStart;
  let lastReport = 0;
  while (surface.deliveredAt.size + surface.failures.length < jobs) {
    if (Date.now() - started > PASS_TIMEOUT_MS) throw new Error(`${name}: timed out`);
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      process.stderr.write(
        `  ${name}: ${surface.deliveredAt.size}/${jobs} delivered after ${((lastReport - started) / 1000).toFixed(0)} s, rss ${(process.memoryUsage.rss() / MB).toFixed(0)} MB\n`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const wallMs = Date.now() - started;
  loopDelay.disable();
  const loop = {
    utilization: performance.eventLoopUtilization(loopStart).utilization,
    delayP99Ms: loopDelay.percentile(99) / 1e6,
    delayMaxMs: loopDelay.max / 1e6,
  };
  await core.stop();
  clearInterval(sampler);
  const provided = await fetchJson<ProviderStats>(`${proxyUrl}/__bench/stats`);
  const finishAt = new Map<string, number>();
  let finishErrorMs = 0;
  for (const [id, sentAt, answeredAt] of provided.creates) {
    // The emulator stamps the job between our forwarding and its answer; it finishes renderMs later.
    finishAt.set(id, (sentAt + answeredAt) / 2 + renderMs);
    finishErrorMs = Math.max(finishErrorMs, (answeredAt - sentAt) / 2);
  }
  const latency: number[] = [];
  const detect: number[] = [];
  const deliver: number[] = [];
  for (const id of jobIds) {
    const job = (await core.jobRecord(id)) as Job;
    const delivered = surface.deliveredAt.get(id);
    const finished = job.providerVideoId ? finishAt.get(job.providerVideoId) : undefined;
    if (delivered === undefined || finished === undefined || job.completedAt === null) continue;
    latency.push(delivered - finished);
    detect.push(job.completedAt - finished);
    deliver.push(delivered - job.completedAt);
  }
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
  return {
    name,
    threshold,
    delivered: surface.deliveredAt.size,
    duplicates: [...surface.deliveryCount.values()].filter((n) => n > 1).length,
    failed: surface.failures.length,
    wallMs,
    acceptMs,
    provider: provided,
    pollerStats: core.pollStats(),
    statusEdits: surface.statusEdits,
    peakRss,
    baselineRss,
    peakHeap,
    loop,
    storeOps,
    activeReadMs,
    latency: latency.sort((a, b) => a - b),
    detect: detect.sort((a, b) => a - b),
    deliver: deliver.sort((a, b) => a - b),
    finishErrorMs,
  };
}

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

export async function startProviderSide(renderMs: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--provider-side'], {
    env: { ...process.env, BENCH_RENDER_MS: String(renderMs) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the provider side exited with ${code}`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { ready: string }).ready));
  });
  return { child, url };
}

async function botSide(): Promise<void> {
  const args = process.argv.slice(2);
  const concurrencyArg = args.find((a) => a.startsWith('--delivery-concurrency='));
  const deliveryConcurrency = concurrencyArg ? Number(concurrencyArg.split('=')[1]) : undefined;
  const [jobsArg, renderArg] = args.filter((a) => !a.startsWith('--'));
  const jobs = Number(jobsArg ?? 1000);
  const renderMs = Number(renderArg ?? 2000);
  // The intervals startBot picks for the embedded emulator (src/app.ts): a tenth, then a quarter of a render.
  const poll = {
    pollInitialMs: Math.round(Math.max(100, Math.min(2_000, renderMs / 10))),
    pollMaxMs: Math.round(Math.max(250, Math.min(15_000, renderMs / 4))),
  };
  const { child, url } = await startProviderSide(renderMs);
  try {
    process.stderr.write(`provider side ready at ${url}; ${jobs} jobs, renders of ${renderMs} ms\n`);
    // A short pass first, not reported: whichever measured pass ran first paid for the JIT compiling
    // the core, the client and SQLite's first pages (per-job polling's p99 was 962 and 1,173 ms when it
    // ran first, 679 to 886 ms when second), so the comparison favoured the second.
    await runPass('warm-up', 3, url, WARM_UP_JOBS, renderMs, poll, deliveryConcurrency);
    const batched = await runPass(
      'batched (list endpoint)',
      3,
      url,
      jobs,
      renderMs,
      poll,
      deliveryConcurrency,
    );
    const perJob = await runPass(
      'per-job polling',
      Number.MAX_SAFE_INTEGER,
      url,
      jobs,
      renderMs,
      poll,
      deliveryConcurrency,
    );
    printReport(jobs, renderMs, poll, { deliveryConcurrency }, batched, perJob);
  } finally {
    child.stdin?.end();
  }
}

function printReport(
  jobs: number,
  renderMs: number,
  poll: { pollInitialMs: number; pollMaxMs: number },
  experiment: { deliveryConcurrency: number | undefined },
  a: PassResult,
  b: PassResult,
): void {
  const status = (p: PassResult) => p.provider.calls.retrieve + p.provider.calls.list;
  const all = (p: PassResult) => Object.values(p.provider.calls).reduce((x, y) => x + y, 0);
  const per = (n: number, p: PassResult) => (n / Math.max(1, p.delivered)).toFixed(3);
  const ms = (n: number) => `${Math.round(n)} ms`;
  const both = (f: (p: PassResult) => string) => `| ${f(a)} | ${f(b)} |`;
  const ratio = (f: (p: PassResult) => number) => `${(f(b) / Math.max(1e-9, f(a))).toFixed(1)}x`;
  const contentSorted = (p: PassResult) => [...p.provider.contentMs].sort((x, y) => x - y);
  // Per job: one video and one thumbnail download.
  const transferP99 = (p: PassResult) => 2 * percentile(contentSorted(p), 99);
  const rows: [string, (p: PassResult) => string, string][] = [
    ['jobs delivered (failed, delivered twice)', (p) => `${p.delivered} (${p.failed}, ${p.duplicates})`, ''],
    [
      'wall time, all accepted / all delivered',
      (p) => `${ms(p.acceptMs)} / ${(p.wallMs / 1000).toFixed(1)} s`,
      '',
    ],
    ['provider calls, all kinds', (p) => String(all(p)), ratio(all)],
    ['  create', (p) => String(p.provider.calls.create), ''],
    ['  retrieve (GET /videos/{id})', (p) => String(p.provider.calls.retrieve), ''],
    ['  list (GET /videos)', (p) => String(p.provider.calls.list), ''],
    ['  content (videos, and stills a surface asks for)', (p) => String(p.provider.calls.content), ''],
    ['  non-2xx answers', (p) => String(Object.values(p.provider.errors).reduce((x, y) => x + y, 0)), ''],
    [
      'core poller.stats retrieve / list',
      (p) => `${p.pollerStats.retrieveCalls} / ${p.pollerStats.listCalls}`,
      '',
    ],
    ['**status calls per delivered job**', (p) => `**${per(status(p), p)}**`, `**${ratio(status)}**`],
    ['all provider calls per delivered job', (p) => per(all(p), p), ratio(all)],
    [
      '**completion -> delivery, median / p99**',
      (p) => `**${ms(percentile(p.latency, 50))} / ${ms(percentile(p.latency, 99))}**`,
      '',
    ],
    [
      '  finish -> seen by poller, median / p99',
      (p) => `${ms(percentile(p.detect, 50))} / ${ms(percentile(p.detect, 99))}`,
      '',
    ],
    [
      '  seen -> delivered (download + post), median / p99',
      (p) => `${ms(percentile(p.deliver, 50))} / ${ms(percentile(p.deliver, 99))}`,
      '',
    ],
    [
      '  one content download at the proxy, median / p99',
      (p) => `${ms(percentile(contentSorted(p), 50))} / ${ms(percentile(contentSorted(p), 99))}`,
      '',
    ],
    [
      'goal for p99: poll interval + transfer (2 x p99 download)',
      (p) => `${ms(poll.pollMaxMs + transferP99(p))}`,
      '',
    ],
    ['status message edits', (p) => String(p.statusEdits), ''],
    [
      '**bot peak RSS** (baseline before the pass)',
      (p) => `**${(p.peakRss / MB).toFixed(0)} MB** (${(p.baselineRss / MB).toFixed(0)} MB)`,
      '',
    ],
    ['bot peak V8 heap used', (p) => `${(p.peakHeap / MB).toFixed(0)} MB`, ''],
    [
      'bot event loop: busy / delay p99 / longest stall',
      (p) =>
        `${(p.loop.utilization * 100).toFixed(0)}% / ${p.loop.delayP99Ms.toFixed(0)} ms / ${p.loop.delayMaxMs.toFixed(0)} ms`,
      '',
    ],
    [
      'store calls per delivered job (readRecord(sSince) / writeRecord / acquireLease / indexRange)',
      (p) =>
        [['readRecord', 'readRecordsSince'], ['writeRecord'], ['acquireLease'], ['indexRange']]
          .map((ks) =>
            per(
              ks.reduce((n, k) => n + (p.storeOps.calls[k] ?? 0), 0),
              p,
            ),
          )
          .join(' / '),
      '',
    ],
    [
      'work-list reads (an index page of a ledger list)',
      (p) => `${p.storeOps.activeReads} (${per(p.storeOps.activeReads, p)} per job)`,
      '',
    ],
    ['one ledger.active() with all jobs active', (p) => ms(p.activeReadMs), ''],
    [
      'summed store wait: readRecordsSince / writeRecord / acquireLease / indexRange',
      (p) =>
        ['readRecordsSince', 'writeRecord', 'acquireLease', 'indexRange']
          .map((k) => `${((p.storeOps.waitMs[k] ?? 0) / 1000).toFixed(0)} s`)
          .join(' / '),
      '',
    ],
    ['provider-side process peak RSS (not the bot)', (p) => `${(p.provider.peakRss / MB).toFixed(0)} MB`, ''],
  ];
  console.log(
    `\n### Core queue benchmark: ${jobs} jobs, ${REQUESTERS} requesters, renders of ${renderMs} ms, ` +
      `poll ${poll.pollInitialMs}..${poll.pollMaxMs} ms, SQLite on disk (WAL)${experiment.deliveryConcurrency ? `, deliveryConcurrency ${experiment.deliveryConcurrency} (experiment)` : ''}, caps 100 running / no RPM ` +
      `(node ${process.version}, ${new Date().toISOString()})\n`,
  );
  console.log(`| measure | ${a.name} | ${b.name} | per-job / batched |`);
  console.log('|---|---|---|---|');
  for (const [label, f, r] of rows) console.log(`| ${label} ${both(f)} ${r} |`);
  const statusRatio = status(b) / Math.max(1, status(a));
  const p99 = percentile(a.latency, 99);
  const goalP99 = poll.pollMaxMs + transferP99(a);
  console.log('\nGoals (batched pass):');
  console.log(
    `- >= 5x fewer status calls than per-job polling: ${statusRatio.toFixed(1)}x ${statusRatio >= 5 ? 'MET' : 'NOT MET'}`,
  );
  console.log(
    `- completion -> delivery p99 <= one poll interval + transfer (${ms(goalP99)}): ${ms(p99)} ${p99 <= goalP99 ? 'MET' : 'NOT MET'}`,
  );
  const rss = Math.max(a.peakRss, b.peakRss);
  console.log(`- peak RSS < 200 MB: ${(rss / MB).toFixed(0)} MB ${rss < 200 * MB ? 'MET' : 'NOT MET'}`);
  console.log(
    `\n(Provider finish times are the create call's midpoint + ${renderMs} ms, uncertain by at most ${ms(Math.max(a.finishErrorMs, b.finishErrorMs))}.)`,
  );
}

// bench/metrics-scrape.ts imports this file for its passes: only run when started as a script.
if (process.argv[2] === '--provider-side') await providerSide();
else if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  await botSide();
  process.exit(0);
}
