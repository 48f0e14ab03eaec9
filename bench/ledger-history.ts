/**
 * The job ledger with a long history (run: `npx tsx bench/ledger-history.ts [--store=sqlite|redis|both]`,
 * default both; Redis at REDIS_URL or redis://127.0.0.1:6379, in a fresh namespace deleted at the end). The issue's
 * goals, for a ledger holding 100,000 jobs in one workspace: a create costs within 1.5x of the same
 * create at 1,000 jobs; a `/sora list` page has a p99 under 50 ms; the RSS after start is within 1.2x of
 * the RSS at 1,000 jobs.
 *
 * Per store, in one run:
 * 1. a JobLedger is filled to 1,000 jobs (one workspace, 5 requesters, 4 channels; 2 jobs rendering and
 *    18 waiting, the rest of the history delivered, ~3% failed, ~1% deleted), then 500 creates are timed
 *    one at a time, each followed by its move to `waiting` (as SoraCore.startJob does); the same ledger
 *    grows to 100,000 jobs (creates in batches of BATCH_WIDTH at once) and 500 creates are timed again;
 * 2. `listJobs` (src/core/list-jobs.ts) at 100k: the biggest requester's page 1 and page 200, and
 *    `--all` for the biggest channel, page 1 and page 200;
 * 3. RSS after start in fresh child processes (this file with `--child-start=STORE_URL`): the store is
 *    opened as the bot opens it, a real SoraCore is started on it (its loops included), 1 s later the
 *    heap is collected (`--expose-gc`) and `process.memoryUsage().rss` printed. The 1k ledger is a copy
 *    taken at the 1,000 mark (SQLite: an online backup of the file; Redis: COPY of every key of the
 *    namespace into a second one). The provider is a real client pointed at a port nothing listens on,
 *    wrapped to count calls: nothing is due at start (the 2 rendering jobs hold both provider slots of
 *    the default SORA_MAX_CONCURRENT=2 and poll next in a day), so it must report 0 calls.
 *
 * The timed creates are moved to `delivered` after each round (untimed), so the unfinished jobs stay
 * the same ~20 at both sizes and the two sizes differ only by their history. History jobs carry no
 * files (`filesRemovedAt` set, as after VIDEO_RETENTION_DAYS), so the retention sweeper's work list is
 * empty at both sizes too.
 *
 * Figures, not assertions: this is never part of the test suite.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import KeyvRedis from '@keyv/redis';
import { parseConfig } from '../src/config.js';
import type { JobInput } from '../src/core/job.js';
import { JobLedger } from '../src/core/job-ledger.js';
import { listJobs } from '../src/core/list-jobs.js';
import { silentLogger } from '../src/core/logger.js';
import { type Requester, RequesterSchema } from '../src/core/requester.js';
import { SoraCore } from '../src/core/sora-core.js';
import { PROVIDER_SLOTS } from '../src/core/submission-scheduler.js';
import { createProvider } from '../src/sora/index.js';
import type { VideoProvider } from '../src/sora/provider.js';
import { openStore } from '../src/store/open-store.js';
import { RedisStore } from '../src/store/redis-store.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { Store } from '../src/store/store.js';

// As the other benchmarks: REDIS_URL when set.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SMALL = 1_000;
const LARGE = 100_000;
const TIMED_CREATES = 500;
const LIST_CALLS = 200;
const DEEP_PAGE = 200;
/** Creates in flight at once while filling (SQLite runs each synchronously; Redis pipelines them). */
const BATCH_WIDTH = 64;
/** Child processes per ledger size; the median RSS is compared. */
const RSS_RUNS = 3;
const CHILD_TIMEOUT_MS = 120_000;
const DAY_MS = 86_400_000;
const MB = 1024 * 1024;

const WORKSPACE = 'T0BENCH';
/** Shares of the history: the first requester has ~30% of the jobs (~30k at 100k). */
const REQUESTERS: readonly { user: string; weight: number }[] = [
  { user: 'U01AAAA', weight: 0.3 },
  { user: 'U02BBBB', weight: 0.25 },
  { user: 'U03CCCC', weight: 0.2 },
  { user: 'U04DDDD', weight: 0.15 },
  { user: 'U05EEEE', weight: 0.1 },
];
const CHANNELS: readonly { id: string; weight: number }[] = [
  { id: 'C01VIDEO', weight: 0.4 },
  { id: 'C02DESIGN', weight: 0.3 },
  { id: 'C03MARKETING', weight: 0.2 },
  { id: 'C04RANDOM', weight: 0.1 },
];
const WORDS =
  'a paper boat drifts down a rainy street at dusk neon reflections slow dolly shot golden hour over misty mountains a cat in a tiny astronaut suit floats through a space station cinematic wide angle handheld close-up of coffee being poured steam rising soft light'.split(
    ' ',
  );

type StoreKind = 'sqlite' | 'redis';

interface Figures {
  median: number;
  p99: number;
}

interface RssFigures {
  /** Median of the runs, bytes. */
  rss: number;
  runs: number[];
  startMs: number;
  heapUsed: number;
  activeJobs: number;
  providerCalls: number;
}

interface StoreReport {
  kind: StoreKind;
  fillSmallMs: number;
  growMs: number;
  jobsAtSmall: number;
  jobsAtLarge: number;
  createSmall: Figures;
  createLarge: Figures;
  createAndWaitSmall: Figures;
  createAndWaitLarge: Figures;
  lists: { label: string; figures: Figures; total: number }[];
  rssSmall: RssFigures;
  rssLarge: RssFigures;
  sizeNote: string;
}

// ---------------------------------------------------------------------------------------------------
// Child: start a real SoraCore on a ledger and report its RSS.

async function childStart(storeUrl: string, namespace: string | undefined): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sora-bench-ledger-child-'));
  const config = parseConfig({ SORA_PROVIDER: 'emulator', DATA_DIR: dataDir, STORE_URL: storeUrl });
  const calls: string[] = [];
  // A real client, pointed at a port that was free a moment ago: any call would fail, and is counted.
  const provider = countCalls(
    createProvider(config, { emulatorUrl: `http://127.0.0.1:${await freePort()}` }),
    calls,
  );
  const store = await openStore({
    storeUrl: config.STORE_URL,
    dataDir,
    ...(namespace ? { namespace } : {}),
    exclusive: true,
  });
  const core = new SoraCore({
    provider,
    store,
    settings: {
      dataDir,
      defaultModel: config.SORA_MODEL,
      admins: config.SORA_ADMINS,
      maxConcurrent: config.SORA_MAX_CONCURRENT,
      requestsPerMinute: config.SORA_RPM,
      retentionMs: config.VIDEO_RETENTION_DAYS * DAY_MS,
    },
  });
  const started = performance.now();
  await core.start();
  const startMs = performance.now() - started;
  await sleep(1_000);
  globalThis.gc?.();
  const memory = process.memoryUsage();
  // Read after the measurement, so it does not count in it.
  const activeJobs = (await core.activeJobs()).length;
  process.stdout.write(
    `${JSON.stringify({ rss: memory.rss, heapUsed: memory.heapUsed, startMs, activeJobs, providerCalls: calls.length, calls: calls.slice(0, 5) })}\n`,
  );
  await core.stop();
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
  process.exit(0);
}

function countCalls(provider: VideoProvider, calls: string[]): VideoProvider {
  return new Proxy(provider, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function measureRss(storeUrl: string, namespace: string | undefined): Promise<RssFigures> {
  const samples: {
    rss: number;
    heapUsed: number;
    startMs: number;
    activeJobs: number;
    providerCalls: number;
  }[] = [];
  for (let i = 0; i < RSS_RUNS; i++) samples.push(await runChild(storeUrl, namespace));
  const byRss = [...samples].sort((a, b) => a.rss - b.rss);
  const mid = byRss[Math.floor(byRss.length / 2)]!;
  return {
    rss: mid.rss,
    runs: samples.map((s) => s.rss),
    startMs: mid.startMs,
    heapUsed: mid.heapUsed,
    activeJobs: mid.activeJobs,
    providerCalls: Math.max(...samples.map((s) => s.providerCalls)),
  };
}

function runChild(
  storeUrl: string,
  namespace: string | undefined,
): Promise<{ rss: number; heapUsed: number; startMs: number; activeJobs: number; providerCalls: number }> {
  const self = fileURLToPath(import.meta.url);
  const args = ['--expose-gc', '--import', 'tsx', self, `--child-start=${storeUrl}`];
  if (namespace) args.push(`--namespace=${namespace}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: join(dirname(self), '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`child exited with ${code}: ${err.slice(-2000) || out.slice(-2000)}`));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// The history: deterministic, so both stores hold the same mix.

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T extends { weight: number }>(items: readonly T[], r: number): T {
  let acc = 0;
  for (const item of items) {
    acc += item.weight;
    if (r < acc) return item;
  }
  return items[items.length - 1]!;
}

const REQUESTER_OBJECTS: Requester[] = REQUESTERS.map((r) =>
  RequesterSchema.parse({ platform: 'slack', workspace: WORKSPACE, user: r.user, displayName: r.user }),
);

function requesterOf(user: string): Requester {
  return REQUESTER_OBJECTS.find((r) => r.user === user)!;
}

function channelKey(id: string): string {
  return `slack:${WORKSPACE}:${id}`;
}

function prompt(random: () => number): string {
  const words: string[] = [];
  const n = 12 + Math.floor(random() * 24);
  for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(random() * WORDS.length)]!);
  return words.join(' ');
}

/** The i-th job of the history (i from 0): one a minute, ending now. */
function historyJob(
  i: number,
  random: () => number,
  now: number,
  active?: 'rendering' | 'waiting',
): Omit<JobInput, 'id'> {
  const requester = requesterOf(pick(REQUESTERS, random()).user);
  const channel = channelKey(pick(CHANNELS, random()).id);
  const createdAt = now - (LARGE - i) * 60_000;
  const ts = `${Math.floor(createdAt / 1000)}.${String(i % 1_000_000).padStart(6, '0')}`;
  const base = {
    requester,
    channel,
    conversation: `${channel}:${ts}`,
    idempotencyKey: `bench-history-${i}`,
    statusRef: `${channel.slice('slack:'.length)}:${ts}`,
    request: { kind: 'generate', prompt: prompt(random), seconds: '8', size: '1280x720', model: 'sora-2' },
    createdAt,
    submitAttempts: 1,
    submitKeyGeneration: 0,
  } satisfies Partial<JobInput>;
  const submittedAt = createdAt + 5_000;
  if (active === 'waiting') return { ...base, state: 'waiting', updatedAt: createdAt, submitAttempts: 0 };
  if (active === 'rendering')
    return {
      ...base,
      state: 'rendering',
      updatedAt: submittedAt,
      providerVideoId: `video_bench_${i}`,
      submittedAt,
      progress: 40,
      // Polled next in a day: nothing is due while the RSS children run.
      nextPollAt: now + DAY_MS,
      pollIntervalMs: 15_000,
    };
  const done = createdAt + 95_000;
  const roll = random();
  const rendered = { providerVideoId: `video_bench_${i}`, submittedAt, completedAt: done };
  if (roll < 0.03)
    return {
      ...base,
      ...rendered,
      state: 'failed',
      updatedAt: done,
      failure: { code: 'provider_error', message: 'The render failed at the provider.', requestId: null },
    };
  if (roll < 0.04)
    return {
      ...base,
      ...rendered,
      state: 'deleted',
      progress: 100,
      updatedAt: done + 60_000,
      deletedAt: done + 60_000,
      deletedBy: requester.displayName ?? requester.user,
      cleanupDoneAt: done + 61_000,
      filesRemovedAt: done + 61_000,
    };
  return {
    ...base,
    ...rendered,
    state: 'delivered',
    progress: 100,
    updatedAt: done + 3_000,
    providerExpiresAt: done + DAY_MS,
    deliveredAt: done + 3_000,
    deliveryStartedAt: done + 1_000,
    deliveredRef: `${channel.slice('slack:'.length)}:${ts}:video`,
    deliveryFacts: { file: `F${i}` },
    // Files went with VIDEO_RETENTION_DAYS long ago.
    filesRemovedAt: done + 7 * DAY_MS,
  };
}

async function fill(
  ledger: JobLedger,
  from: number,
  to: number,
  random: () => number,
  now: number,
  activeAt: Map<number, 'rendering' | 'waiting'>,
): Promise<void> {
  for (let start = from; start < to; start += BATCH_WIDTH) {
    const batch: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(to, start + BATCH_WIDTH); i++) {
      const active = activeAt.get(i);
      batch.push(
        ledger.create(historyJob(i, random, now, active)).then(async (job) => {
          // A rendering job holds its provider slot, as the scheduler leaves it.
          if (active === 'rendering')
            await ledger.store.acquireSlot(PROVIDER_SLOTS, job.id, Number.POSITIVE_INFINITY);
        }),
      );
    }
    await Promise.all(batch);
  }
}

/** One command's create, then its move to the queue (SoraCore.startJob, then announce). */
async function timedCreates(
  ledger: JobLedger,
  round: string,
): Promise<{ create: Figures; createAndWait: Figures }> {
  const createMs: number[] = [];
  const bothMs: number[] = [];
  const ids: string[] = [];
  const random = rng(round.length * 7919);
  for (let n = 0; n < TIMED_CREATES; n++) {
    const requester = REQUESTER_OBJECTS[n % REQUESTER_OBJECTS.length]!;
    const channel = channelKey(CHANNELS[n % CHANNELS.length]!.id);
    const t0 = performance.now();
    const now = Date.now();
    const job = await ledger.create({
      state: 'accepted',
      requester,
      channel,
      conversation: channel,
      request: { kind: 'generate', prompt: prompt(random), seconds: '8', size: '1280x720', model: 'sora-2' },
      idempotencyKey: `bench-${round}-${n}`,
      createdAt: now,
      updatedAt: now,
    });
    const t1 = performance.now();
    await ledger.transition(job.id, Date.now(), (j) =>
      j.state === 'accepted'
        ? { state: 'waiting', statusRef: `${channel}:status-${n}`, conversation: `${channel}:${n}` }
        : undefined,
    );
    const t2 = performance.now();
    createMs.push(t1 - t0);
    bothMs.push(t2 - t0);
    ids.push(job.id);
  }
  // Untimed: these jobs become history, so the unfinished set stays the same ~20 at both sizes.
  for (let i = 0; i < ids.length; i += BATCH_WIDTH)
    await Promise.all(
      ids
        .slice(i, i + BATCH_WIDTH)
        .map((id) =>
          ledger.transition(id, Date.now(), (j) =>
            j.state === 'waiting'
              ? { state: 'delivered', progress: 100, deliveredAt: Date.now(), filesRemovedAt: Date.now() }
              : undefined,
          ),
        ),
    );
  return { create: figures(createMs), createAndWait: figures(bothMs) };
}

async function timeList(
  ledger: JobLedger,
  requester: Requester,
  channel: string,
  all: boolean,
  page: number,
): Promise<{ figures: Figures; total: number }> {
  const samples: number[] = [];
  let total = 0;
  for (let n = 0; n < LIST_CALLS; n++) {
    const t0 = performance.now();
    const message = await listJobs(ledger, requester, channel, { kind: 'list', all, page });
    samples.push(performance.now() - t0);
    total = message.total;
    if (message.page !== page || message.jobs.length === 0)
      throw new Error(`list returned page ${message.page} with ${message.jobs.length} jobs`);
  }
  return { figures: figures(samples), total };
}

// ---------------------------------------------------------------------------------------------------
// One store, start to end.

async function benchStore(kind: StoreKind): Promise<StoreReport> {
  const dir = await mkdtemp(join(tmpdir(), 'sora-bench-ledger-'));
  const tag = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  const namespace = `bench-ledger-history-${tag}`;
  const namespaceSmall = `${namespace}-1k`;
  const file = join(dir, 'ledger.sqlite');
  const fileSmall = join(dir, 'ledger-1k.sqlite');
  let store: Store | undefined;
  try {
    store = kind === 'sqlite' ? await SqliteStore.open(file) : await RedisStore.open(REDIS_URL, namespace);
    const ledger = new JobLedger(store, silentLogger);
    const random = rng(42);
    const now = Date.now();
    // The unfinished jobs are among the first 1,000 (2 rendering, 18 waiting), so both sizes have them.
    const activeAt = new Map<number, 'rendering' | 'waiting'>();
    for (let k = 0; k < 20; k++) activeAt.set(940 + 3 * k, k < 2 ? 'rendering' : 'waiting');

    log(`${kind}: filling to ${SMALL} jobs`);
    let t0 = performance.now();
    await fill(ledger, 0, SMALL, random, now, activeAt);
    const fillSmallMs = performance.now() - t0;

    // The 1k ledger for the RSS children, copied before anything else is written.
    if (kind === 'sqlite') await (store as SqliteStore).connection.backup(fileSmall);
    else await withRawRedis((r) => copyNamespace(r, namespace, namespaceSmall));

    log(`${kind}: ${TIMED_CREATES} timed creates at ${SMALL}`);
    const small = await timedCreates(ledger, 'small');

    log(`${kind}: growing to ${LARGE} jobs`);
    t0 = performance.now();
    await fill(ledger, SMALL, LARGE, random, now, activeAt);
    const growMs = performance.now() - t0;

    log(`${kind}: ${TIMED_CREATES} timed creates at ${LARGE}`);
    const large = await timedCreates(ledger, 'large');

    log(`${kind}: /sora list pages`);
    const biggestRequester = REQUESTER_OBJECTS[0]!;
    const biggestChannel = channelKey(CHANNELS[0]!.id);
    const lists: StoreReport['lists'] = [];
    for (const [label, all, page] of [
      [`mine (${biggestRequester.user}), page 1`, false, 1],
      [`mine (${biggestRequester.user}), page ${DEEP_PAGE}`, false, DEEP_PAGE],
      [`--all (${CHANNELS[0]!.id}), page 1`, true, 1],
      [`--all (${CHANNELS[0]!.id}), page ${DEEP_PAGE}`, true, DEEP_PAGE],
    ] as const)
      lists.push({ label, ...(await timeList(ledger, biggestRequester, biggestChannel, all, page)) });

    // The children open the SQLite file as the bot does (with its writer lock): this process lets go first.
    await store.close();
    store = undefined;

    log(`${kind}: RSS after start, ${RSS_RUNS} children per size`);
    const rssSmall =
      kind === 'sqlite'
        ? await measureRss(`sqlite://${fileSmall}`, undefined)
        : await measureRss(REDIS_URL, namespaceSmall);
    const rssLarge =
      kind === 'sqlite'
        ? await measureRss(`sqlite://${file}`, undefined)
        : await measureRss(REDIS_URL, namespace);

    const sizeNote =
      kind === 'sqlite'
        ? `file ${mb((await stat(fileSmall)).size)} at 1k, ${mb((await stat(file)).size)} at 100k (WAL not counted)`
        : `keys in the namespace: ${await withRawRedis(async (r) => `${(await scanKeys(r, namespaceSmall)).length} at 1k, ${(await scanKeys(r, namespace)).length} at 100k`)}`;

    return {
      kind,
      fillSmallMs,
      growMs,
      jobsAtSmall: SMALL,
      jobsAtLarge: LARGE + 2 * TIMED_CREATES,
      createSmall: small.create,
      createLarge: large.create,
      createAndWaitSmall: small.createAndWait,
      createAndWaitLarge: large.createAndWait,
      lists,
      rssSmall,
      rssLarge,
      sizeNote,
    };
  } finally {
    await store?.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    if (kind === 'redis') {
      const deleted = await withRawRedis(
        async (r) => (await deleteNamespace(r, namespace)) + (await deleteNamespace(r, namespaceSmall)),
      );
      log(`redis: deleted ${deleted} keys of ${namespace} and ${namespaceSmall}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Raw Redis, only for copying and deleting this run's namespaces.

interface RawRedis {
  sendCommand(args: string[]): Promise<unknown>;
}

async function withRawRedis<T>(fn: (redis: RawRedis) => Promise<T>): Promise<T> {
  const adapter = new KeyvRedis(REDIS_URL, { throwOnConnectError: true, connectionTimeout: 5_000 });
  const client = (await adapter.getClient()) as unknown as RawRedis;
  try {
    return await fn(client);
  } finally {
    await adapter.disconnect();
  }
}

/** Every key of the namespace (records, indexes, leases, counters, and keyv's `NS::` values). */
async function scanKeys(redis: RawRedis, namespace: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = (await redis.sendCommand([
      'SCAN',
      cursor,
      'MATCH',
      `${namespace}:*`,
      'COUNT',
      '1000',
    ])) as [string, string[]];
    keys.push(...batch);
    cursor = String(next);
  } while (cursor !== '0');
  return [...new Set(keys)];
}

async function copyNamespace(redis: RawRedis, from: string, to: string): Promise<void> {
  const keys = await scanKeys(redis, from);
  for (let i = 0; i < keys.length; i += 200)
    await Promise.all(
      keys
        .slice(i, i + 200)
        .map((key) => redis.sendCommand(['COPY', key, `${to}:${key.slice(from.length + 1)}`])),
    );
}

async function deleteNamespace(redis: RawRedis, namespace: string): Promise<number> {
  const keys = await scanKeys(redis, namespace);
  for (let i = 0; i < keys.length; i += 500) await redis.sendCommand(['DEL', ...keys.slice(i, i + 500)]);
  return keys.length;
}

// ---------------------------------------------------------------------------------------------------
// Figures and the report.

function figures(samples: number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  return { median: at(0.5), p99: at(0.99) };
}

const ms = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
const ratio = (a: number, b: number) => `${(b / a).toFixed(2)}x`;
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' / ');

function table(r: StoreReport): string {
  const rows = [
    '| Measure | 1k jobs | 100k jobs | 100k / 1k | Goal | |',
    '| --- | --- | --- | --- | --- | --- |',
    `| create, median | ${ms(r.createSmall.median)} | ${ms(r.createLarge.median)} | ${ratio(r.createSmall.median, r.createLarge.median)} | ≤ 1.5x | ${verdict(r.createLarge.median <= 1.5 * r.createSmall.median)} |`,
    `| create, p99 | ${ms(r.createSmall.p99)} | ${ms(r.createLarge.p99)} | ${ratio(r.createSmall.p99, r.createLarge.p99)} | ≤ 1.5x | ${verdict(r.createLarge.p99 <= 1.5 * r.createSmall.p99)} |`,
    `| create + move to waiting, median | ${ms(r.createAndWaitSmall.median)} | ${ms(r.createAndWaitLarge.median)} | ${ratio(r.createAndWaitSmall.median, r.createAndWaitLarge.median)} | ≤ 1.5x | ${verdict(r.createAndWaitLarge.median <= 1.5 * r.createAndWaitSmall.median)} |`,
    `| create + move to waiting, p99 | ${ms(r.createAndWaitSmall.p99)} | ${ms(r.createAndWaitLarge.p99)} | ${ratio(r.createAndWaitSmall.p99, r.createAndWaitLarge.p99)} | ≤ 1.5x | ${verdict(r.createAndWaitLarge.p99 <= 1.5 * r.createAndWaitSmall.p99)} |`,
    `| RSS after start (median of ${RSS_RUNS}, after gc) | ${mb(r.rssSmall.rss)} | ${mb(r.rssLarge.rss)} | ${ratio(r.rssSmall.rss, r.rssLarge.rss)} | ≤ 1.2x | ${verdict(r.rssLarge.rss <= 1.2 * r.rssSmall.rss)} |`,
    `| RSS runs | ${r.rssSmall.runs.map(mb).join(', ')} | ${r.rssLarge.runs.map(mb).join(', ')} | | | |`,
    `| heap used after start | ${mb(r.rssSmall.heapUsed)} | ${mb(r.rssLarge.heapUsed)} | ${ratio(r.rssSmall.heapUsed, r.rssLarge.heapUsed)} | | |`,
    `| SoraCore.start() duration | ${ms(r.rssSmall.startMs)} | ${ms(r.rssLarge.startMs)} | | | |`,
    `| unfinished jobs at start / provider calls | ${r.rssSmall.activeJobs} / ${r.rssSmall.providerCalls} | ${r.rssLarge.activeJobs} / ${r.rssLarge.providerCalls} | | | |`,
    ...r.lists.map(
      (l) =>
        `| \`/sora list\` ${l.label} of ${l.total}, median / p99 | | ${ms(l.figures.median)} / ${ms(l.figures.p99)} | | p99 < 50 ms | ${verdict(l.figures.p99 < 50)} |`,
    ),
  ];
  return [
    `### ${r.kind === 'sqlite' ? 'SQLite' : 'Redis'}`,
    '',
    `Filled to ${SMALL.toLocaleString('en-US')} jobs in ${(r.fillSmallMs / 1000).toFixed(1)} s, grown to ${LARGE.toLocaleString('en-US')} in ${(r.growMs / 1000).toFixed(1)} s (${Math.round(((LARGE - SMALL) / r.growMs) * 1000)} creates/s, ${BATCH_WIDTH} at once); ${TIMED_CREATES} timed creates per size, one at a time; the ledger holds ${r.jobsAtLarge.toLocaleString('en-US')} jobs at the end; ${r.sizeNote}.`,
    '',
    ...rows,
  ].join('\n');
}

function log(line: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

async function main(): Promise<void> {
  const which = option('store') ?? 'both';
  if (!['sqlite', 'redis', 'both'].includes(which)) throw new Error('--store=sqlite|redis|both');
  const kinds: StoreKind[] = which === 'both' ? ['sqlite', 'redis'] : [which as StoreKind];
  const loadStart = loadavg();
  const began = performance.now();
  const reports: StoreReport[] = [];
  for (const kind of kinds) reports.push(await benchStore(kind));
  const loadEnd = loadavg();
  const out = [
    `## Ledger history: ${SMALL.toLocaleString('en-US')} vs ${LARGE.toLocaleString('en-US')} jobs in one workspace`,
    '',
    `Node ${process.version}, ${(await import('node:os')).cpus().length} CPUs; load average (1 / 5 / 15 min) ${load(loadStart)} at start, ${load(loadEnd)} at end; whole run ${((performance.now() - began) / 1000).toFixed(0)} s.`,
    '',
    ...reports.flatMap((r) => [table(r), '']),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

const childUrl = option('child-start');
if (childUrl) await childStart(childUrl, option('namespace'));
else await main();
