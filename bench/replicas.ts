/**
 * Replicas on one Redis (run: `npx tsx bench/replicas.ts [JOBS] [RENDER_MS]`, default 1000 jobs,
 * 1000 ms renders). Two passes in the same run against one emulator (high quota, no ffmpeg: a fixed
 * small body): one replica alone (the baseline), then three replicas with one killed with SIGKILL
 * once 30% of the videos are out (BENCH_NO_KILL=1: none killed; BENCH_KILL=poller: the one polling for
 * the cluster, so its takeover is measured in every run). Each replica is its own OS process
 * (test/support/replica-bot.ts): a real SoraCore on Redis with a journal surface that appends every
 * post to a shared file. Before each pass is measured, its replicas run BENCH_WARM_UP jobs (200 by
 * default, as bench/core-queue.ts does): a replica that has run a while has compiled its hot code,
 * and without it the three-replica pass pays that start three times in the few seconds measured.
 *
 * Reported: jobs delivered, provider creates per job and posts per job (both must be exactly 1),
 * wall time, throughput, the median and slowest time of each stage (from the job records), the CPU
 * time of the replicas, of this process (front door and emulator) and of Redis, Redis commands per
 * video (the most called: BENCH_REDIS_TOP, 6 by default; Redis counts every namespace, so run it on an
 * otherwise idle Redis), and how long the killed replica's jobs (those whose step lease it held when
 * it died) took to move again, against the lease TTL plus one poll interval.
 *
 * Figures, not assertions: never part of the test suite.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createClient } from '@redis/client';
import { parseConfig } from '../src/config.js';
import type { Job } from '../src/core/job.js';
import { SoraCore } from '../src/core/sora-core.js';
import { startEmulator } from '../src/sora/emulator/index.js';
import { createProvider, EMULATOR_API_KEY } from '../src/sora/index.js';
import { RedisStore } from '../src/store/redis-store.js';
import { fastCoreSettings } from '../test/support/fast-core-settings.js';
import { JournalSurface, readJournal } from '../test/support/journal-surface.js';
import { startScript } from '../test/support/script-process.js';

/** Every video's and still's body: one buffer, so filling 64 KB per download is not the harness's work. */
const CONTENT = Buffer.alloc(64 * 1024, 1);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SCRIPT = join(import.meta.dirname, '../test/support/replica-bot.ts');
const JOBS = Number(process.argv[2] ?? 1000);
const RENDER_MS = Number(process.argv[3] ?? 1000);
// The production lease TTL. A replica declares presence, so its leases end the moment it dies (its
// Redis connection closes), not when the TTL runs out; BENCH_LEASE_MS shows that the TTL no longer
// decides the kill's tail.
const LEASE_MS = Number(process.env.BENCH_LEASE_MS ?? 30_000);
const POLL_MAX_MS = 250;
// The provider's quota for the whole cluster (SORA_MAX_CONCURRENT): what bounds a real deployment.
const MAX_CONCURRENT = Number(process.env.BENCH_MAX_CONCURRENT ?? 500);
/** Jobs run through each pass's replicas before the measured ones (BENCH_WARM_UP=0: none). */
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 200);
/** BENCH_KILL=poller: kill the replica polling for the cluster (its takeover is what is measured). */
const KILL_POLLER = process.env.BENCH_KILL === 'poller';
const REQUESTERS = 50;
/** Replica processes not yet stopped: killed if the benchmark fails, so none outlives it. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

const STAGE_NAMES = {
  queued: 'accepted -> sent to the provider',
  rendering: 'sent -> seen finished',
  delivering: 'seen finished -> posted',
};

interface PassResult {
  replicas: number;
  delivered: number;
  creates: number;
  extraCreates: number;
  postsPerJob: { one: number; more: number };
  wallMs: number;
  /**
   * The jobs no grace held (all of them in a pass with no kill), and when the last of them was posted
   * (ms from the start, by its record). A job the kill caught in a post, or in a create that had not
   * reached the provider, waits out the 3 s grace that keeps a merely disconnected replica from
   * posting or paying twice; a create that had landed is adopted at once, and counts here.
   */
  unheld: { jobs: number; lastPostedMs: number };
  acceptedMs: number;
  killedReplicaJobs: number;
  /** Of the killed replica's step leases, those in the middle of a create or a post (kept for the grace). */
  killedInSideEffect: { create: number; post: number };
  resumedJobs: number;
  /** The jobs caught in a create: had it reached the provider, and when the job moved again. */
  createsCaught: { landed: boolean; movedAfterMs: number | null }[];
  /**
   * Every lease caught in a create or a post, after the kill: when a look started its grace (null
   * if none did: the job moved on first), and when it was free or another replica's.
   */
  gracesCaught: { step: 'submit' | 'deliver'; startedAfterMs: number | null; takenAfterMs: number | null }[];
  resumeMaxMs: number | null;
  /** Whether the killed replica held the cluster's poller lease, and when another replica held it (ms after the kill). */
  poller: { held: boolean; takenAfterMs: number | null };
  /** CPU seconds the replica processes used during the pass (Linux /proc; null elsewhere). */
  replicaCpuS: number | null;
  /** What the Redis server did during the pass (every namespace: run it on an otherwise idle Redis). */
  redis: RedisWork;
  /** Where the jobs' time went, from their records: median and slowest of each stage (ms). */
  stages: Record<'queued' | 'rendering' | 'delivering', { median: number; max: number }>;
  /** CPU seconds of this process: the front door taking the commands, and the emulator. */
  benchCpuS: number;
}

interface RedisWork {
  commands: number;
  cpuS: number;
  /** The commands called most, with their counts (a script's own calls are counted under theirs). */
  top: [string, number][];
}

interface RedisSnapshot {
  calls: Map<string, number>;
  cpuS: number;
}

/** Redis's own counters: calls per command (INFO commandstats) and the server's CPU seconds. */
async function redisSnapshot(): Promise<RedisSnapshot> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    const stats = await client.info('commandstats');
    const cpu = await client.info('cpu');
    const calls = new Map<string, number>();
    for (const m of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? 0);
    return { calls, cpuS: field('used_cpu_user') + field('used_cpu_sys') };
  } finally {
    await client.close();
  }
}

function redisWork(before: RedisSnapshot, after: RedisSnapshot): RedisWork {
  const delta = [...after.calls].map(([name, n]): [string, number] => [
    name,
    n - (before.calls.get(name) ?? 0),
  ]);
  return {
    commands: delta.reduce((sum, [, n]) => sum + n, 0),
    cpuS: after.cpuS - before.cpuS,
    top: delta
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, Number(process.env.BENCH_REDIS_TOP ?? 6)),
  };
}

/** User + system CPU seconds a process has used so far (Linux); null when /proc cannot say. */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

async function pass(replicaCount: number, killOne: boolean): Promise<PassResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sora-bench-replicas-'));
  const namespace = `bench-replicas-${process.pid}-${Date.now()}`;
  const journal = join(dir, 'journal.jsonl');
  const emulator = await startEmulator({
    renderMs: RENDER_MS,
    apiKey: EMULATOR_API_KEY,
    maxRunning: 100_000,
    contentOverride: (_id, variant) =>
      variant === 'video' || variant === 'thumbnail' ? Readable.from([CONTENT]) : undefined,
  });
  const replicas = Array.from({ length: replicaCount }, (_, i) =>
    startScript(SCRIPT, {
      env: {
        ...process.env,
        REDIS_URL,
        NAMESPACE: namespace,
        EMULATOR_URL: emulator.url,
        JOURNAL: journal,
        DATA_DIR: join(dir, `replica-${i}`),
        LEASE_MS: String(LEASE_MS),
        INSTANCE_ID: `replica-${i}`,
        MAX_CONCURRENT: String(MAX_CONCURRENT),
      },
      readyLine: /ready/,
      inheritStderr: true,
    }),
  );
  const children = replicas.map((r) => r.child);
  for (const child of children) running.add(child);
  const ready = replicas.map((r) => r.ready);
  await Promise.all(ready);
  const store = await RedisStore.open(REDIS_URL, namespace);
  const provider = createProvider(parseConfig({ SORA_PROVIDER: 'emulator' }), {
    emulatorUrl: emulator.url,
    emulatorApiKey: EMULATOR_API_KEY,
  });
  const front = new SoraCore({ provider, store, settings: fastCoreSettings(join(dir, 'front')) });
  front.registerSurface(new JournalSurface(journal));
  /** Takes `count` commands through the front door, 16 at a time, as from a busy team. */
  const submit = async (count: number, label: string): Promise<string[]> => {
    const accepted: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = next++; i < count; i = next++) {
          const parsed = front.parse(`bench ${label} ${i}`);
          if (!parsed.ok) throw new Error(parsed.problem.message);
          const outcome = await front.run({
            requester: { platform: 'playground', workspace: 'bench', user: `user${i % REQUESTERS}` },
            channel: 'playground:bench',
            conversation: 'playground:bench',
            intent: parsed.intent,
          });
          if (outcome.kind === 'job') accepted.push(outcome.job.id);
        }
      }),
    );
    return accepted;
  };
  // Warm-up, not measured (why: the header).
  if (WARM_UP > 0) {
    await submit(WARM_UP, 'warm-up job');
    while ((await front.activeJobs()).length > 0) await sleep(50);
  }
  const createsBefore = emulator.videos().length;
  const redisBefore = await redisSnapshot();
  const ownCpuBefore = process.cpuUsage();
  const started = Date.now();
  // Counted from here: the replicas' start-up (loading and compiling the code) is not the work.
  const cpuAtStart = children.map((c) => cpuSeconds(c.pid));
  const cpuAtEnd = [...cpuAtStart];
  const ids = await submit(JOBS, 'replica job');
  const measured = new Set(ids);
  const acceptedMs = Date.now() - started;
  const posts = () => readJournal(journal).filter((l) => l.type === 'delivery' && measured.has(l.jobId!));
  let killedAt = 0;
  let inSideEffect = { create: 0, post: 0 };
  /** The killed replica's jobs caught in a create: whether the create had reached the emulator. */
  const inCreate = new Map<string, boolean>();
  /** The leases caught in a side effect: when their grace started and when they were free. */
  const graces = new Map<string, { step: 'submit' | 'deliver'; startedAt?: number; takenAt?: number }>();
  const orphaned = new Map<string, { state: Job['state']; updatedAt: number }>();
  let pollerHeld = false;
  // The replica killed: replica-0, or with BENCH_KILL=poller whichever polls for the cluster then.
  let victim = 0;
  let victimId = 'replica-0';
  if (killOne) {
    while (posts().length < JOBS * 0.3) await sleep(50);
    const poller = KILL_POLLER ? (await store.leaseHolder('loop:poller'))?.owner : undefined;
    if (poller) [victim, victimId] = [Number(poller.slice('replica-'.length)), poller];
    // What it holds is read twice. Just before the kill, every step lease (all at once, so the picture
    // is milliseconds old, not the length of a thousand round trips): a lease with no side effect
    // begun ends with its holder, so afterwards nobody holds it. Just after the kill, the leases that
    // still name it: those in the middle of a create or a post, which keep the presence grace (exact).
    const held = new Set<string>();
    const heldBy = async (jobs: Job[]) => {
      const holders = await Promise.all(
        jobs.flatMap((job) =>
          (['submit', 'deliver'] as const).map(async (step) => ({
            job,
            step,
            holder: await store.leaseHolder(`${step}:${job.id}`),
          })),
        ),
      );
      return holders.filter((h) => h.holder?.owner === victimId);
    };
    for (const { job } of await heldBy(await front.activeJobs())) held.add(job.id);
    pollerHeld = (await store.leaseHolder('loop:poller'))?.owner === victimId;
    const exited = once(children[victim]!, 'exit');
    cpuAtEnd[victim] = cpuSeconds(children[victim]!.pid);
    children[victim]!.kill('SIGKILL');
    await exited;
    killedAt = Date.now();
    const stillNamed = await heldBy(await front.activeJobs());
    for (const { job } of stillNamed) held.add(job.id);
    // Should Redis not yet have seen its connection close, only a lease with a grace counts.
    const inGrace = stillNamed.filter((h) => h.holder!.graceMs > 0);
    inSideEffect = {
      create: inGrace.filter((h) => h.step === 'submit').length,
      post: inGrace.filter((h) => h.step === 'deliver').length,
    };
    // A create that reached the emulator before the kill can be adopted at once; one that had not
    // waits out the grace (a new create before it ends could pay twice).
    const made = new Set(emulator.videos().map((v) => v.prompt));
    for (const { job, step } of inGrace) {
      if (step === 'submit') inCreate.set(job.id, made.has(job.request.prompt));
      graces.set(`${step}:${job.id}`, { step });
    }
    for (const job of await front.activeJobs())
      if (held.has(job.id) || (pollerHeld && (job.state === 'rendering' || job.state === 'submitted')))
        orphaned.set(job.id, { state: job.state, updatedAt: job.updatedAt });
  }
  const resumedAt = new Map<string, number>();
  let pollerTakenAt: number | null = null;
  for (;;) {
    if (pollerHeld && pollerTakenAt === null) {
      const poller = await store.leaseHolder('loop:poller');
      if (poller && poller.owner !== victimId) pollerTakenAt = Date.now();
    }
    for (const [lease, grace] of graces) {
      if (grace.takenAt) continue;
      const holder = await store.leaseHolder(lease);
      if (holder?.owner !== victimId) grace.takenAt = Date.now();
      else if (!grace.startedAt && holder?.graceEndsAt) grace.startedAt = holder.graceEndsAt - holder.graceMs;
    }
    const active = await front.activeJobs();
    for (const [id, before] of orphaned) {
      if (resumedAt.has(id)) continue;
      const now = await front.jobRecord(id);
      if (now && (now.state !== before.state || now.updatedAt > killedAt)) resumedAt.set(id, Date.now());
    }
    if (active.length === 0) break;
    await sleep(50);
  }
  const wallMs = Date.now() - started;
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const redisAfter = await redisSnapshot();
  const perJob = new Map<string, number>();
  for (const line of posts()) perJob.set(line.jobId!, (perJob.get(line.jobId!) ?? 0) + 1);
  const creates = emulator.videos().length - createsBefore;
  const states = await Promise.all(ids.map((id) => front.jobRecord(id)));
  const stages = stageTimes(states);
  const heldByGrace = new Set(
    [...graces.keys()]
      .map((lease) => lease.slice(lease.indexOf(':') + 1))
      .filter((id) => inCreate.get(id) !== true),
  );
  const unheldPosts = states.flatMap((job) =>
    job?.deliveredAt && !heldByGrace.has(job.id) ? [job.deliveredAt - started] : [],
  );
  children.forEach((child, i) => {
    if (!(killOne && i === victim)) cpuAtEnd[i] = cpuSeconds(child.pid);
  });
  for (const child of children) {
    child.kill('SIGTERM');
    running.delete(child);
  }
  await store.close();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
  const resumes = [...resumedAt.values()].map((at) => at - killedAt);
  return {
    replicas: replicaCount,
    delivered: states.filter((j) => j?.state === 'delivered').length,
    creates,
    extraCreates: creates - JOBS,
    postsPerJob: {
      one: [...perJob.values()].filter((n) => n === 1).length,
      more: [...perJob.values()].filter((n) => n > 1).length,
    },
    wallMs,
    unheld: { jobs: unheldPosts.length, lastPostedMs: Math.max(...unheldPosts) },
    acceptedMs,
    killedReplicaJobs: orphaned.size,
    killedInSideEffect: inSideEffect,
    resumedJobs: resumedAt.size,
    resumeMaxMs: resumes.length > 0 ? Math.max(...resumes) : null,
    poller: { held: pollerHeld, takenAfterMs: pollerTakenAt === null ? null : pollerTakenAt - killedAt },
    gracesCaught: [...graces.values()].map((g) => ({
      step: g.step,
      startedAfterMs: g.startedAt ? g.startedAt - killedAt : null,
      takenAfterMs: g.takenAt ? g.takenAt - killedAt : null,
    })),
    createsCaught: [...inCreate].map(([id, landed]) => ({
      landed,
      movedAfterMs: resumedAt.has(id) ? resumedAt.get(id)! - killedAt : null,
    })),
    replicaCpuS: [...cpuAtStart, ...cpuAtEnd].includes(null)
      ? null
      : cpuAtEnd.reduce<number>((sum, end, i) => sum + end! - cpuAtStart[i]!, 0),
    redis: redisWork(redisBefore, redisAfter),
    stages,
    benchCpuS: (ownCpu.user + ownCpu.system) / 1e6,
  };
}

function stageTimes(jobs: (Job | undefined)[]): PassResult['stages'] {
  const spread = (pick: (job: Job) => number | null) => {
    const values = jobs
      .flatMap((job) => (job ? [pick(job)] : []))
      .filter((v): v is number => v !== null)
      .sort((a, b) => a - b);
    return { median: values[Math.floor(values.length / 2)] ?? 0, max: values.at(-1) ?? 0 };
  };
  const between = (from: number | null, to: number | null) =>
    from !== null && to !== null ? to - from : null;
  return {
    queued: spread((j) => between(j.createdAt, j.submittedAt)),
    rendering: spread((j) => between(j.submittedAt, j.completedAt)),
    delivering: spread((j) => between(j.completedAt, j.deliveredAt)),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!.toFixed(2);
  process.stderr.write(`pass 1: one replica, ${JOBS} jobs\n`);
  const one = await pass(1, false);
  process.stderr.write(
    `pass 2: three replicas, ${JOBS} jobs${process.env.BENCH_NO_KILL === '1' ? '' : ', one killed'}\n`,
  );
  const three = await pass(3, process.env.BENCH_NO_KILL !== '1');
  const loadAfter = loadavg()[0]!.toFixed(2);
  const top = (work: RedisWork) => work.top.map(([name, n]) => `${name} ${(n / JOBS).toFixed(1)}`).join(', ');
  const throughput = (r: PassResult) => (r.delivered / r.wallMs) * 1000;
  /** Leaves out the jobs that waited out the grace: their wait is the grace's, by design. */
  const unheldThroughput = (r: PassResult) => (r.unheld.jobs / r.unheld.lastPostedMs) * 1000;
  /** CPU seconds over a pass, and the cores that makes on average. */
  const cores = (seconds: number | null, r: PassResult) =>
    seconds === null ? 'n/a' : `${seconds.toFixed(1)} s (${((seconds / r.wallMs) * 1000).toFixed(2)} cores)`;
  const cpu = (r: PassResult) => cores(r.replicaCpuS, r);
  const benchCpu = (r: PassResult) => cores(r.benchCpuS, r);
  const rows: [string, string, string][] = [
    ['jobs delivered', `${one.delivered}/${JOBS}`, `${three.delivered}/${JOBS}`],
    [
      'provider creates (extra)',
      `${one.creates} (${one.extraCreates})`,
      `${three.creates} (${three.extraCreates})`,
    ],
    [
      'jobs posted once / more than once',
      `${one.postsPerJob.one} / ${one.postsPerJob.more}`,
      `${three.postsPerJob.one} / ${three.postsPerJob.more}`,
    ],
    [
      'all accepted after',
      `${(one.acceptedMs / 1000).toFixed(1)} s`,
      `${(three.acceptedMs / 1000).toFixed(1)} s`,
    ],
    ...(['queued', 'rendering', 'delivering'] as const).map((stage): [string, string, string] => [
      `${STAGE_NAMES[stage]}, median / slowest`,
      `${one.stages[stage].median} / ${one.stages[stage].max} ms`,
      `${three.stages[stage].median} / ${three.stages[stage].max} ms`,
    ]),
    ['wall time', `${(one.wallMs / 1000).toFixed(1)} s`, `${(three.wallMs / 1000).toFixed(1)} s`],
    ['CPU used by the replicas in the pass', cpu(one), cpu(three)],
    ['CPU used by the front door and the emulator', benchCpu(one), benchCpu(three)],
    [
      'Redis: commands per video, CPU',
      `${(one.redis.commands / JOBS).toFixed(0)}, ${one.redis.cpuS.toFixed(1)} s`,
      `${(three.redis.commands / JOBS).toFixed(0)}, ${three.redis.cpuS.toFixed(1)} s`,
    ],
    ['Redis: most called, per video', top(one.redis), top(three.redis)],
    [
      'throughput',
      `${throughput(one).toFixed(1)} videos/s`,
      `${throughput(three).toFixed(1)} videos/s (${(throughput(three) / throughput(one)).toFixed(2)}x)`,
    ],
    [
      'throughput of the jobs no grace held (jobs, last posted after)',
      `${unheldThroughput(one).toFixed(1)} videos/s (${one.unheld.jobs}, ${seconds(one.unheld.lastPostedMs)})`,
      `${unheldThroughput(three).toFixed(1)} videos/s (${(unheldThroughput(three) / unheldThroughput(one)).toFixed(2)}x; ${three.unheld.jobs}, ${seconds(three.unheld.lastPostedMs)})`,
    ],
    [
      "killed replica's jobs: moving again after",
      '-',
      three.resumeMaxMs === null
        ? `none held (${three.killedReplicaJobs})`
        : `${three.resumedJobs} of its ${three.killedReplicaJobs} jobs (${three.killedInSideEffect.create} in a create, ${three.killedInSideEffect.post} in a post), the last after ${(three.resumeMaxMs / 1000).toFixed(1)} s (lease ${LEASE_MS / 1000} s + poll ${POLL_MAX_MS} ms)`,
    ],
    [
      "the killed replica's poller lease: another replica's after",
      '-',
      three.poller.held ? seconds(three.poller.takenAfterMs) : 'it did not poll',
    ],
    [
      'caught in a create: moving again after',
      '-',
      three.createsCaught.length === 0
        ? 'none'
        : three.createsCaught
            .map(
              (c) =>
                `${c.movedAfterMs === null ? 'never' : `${(c.movedAfterMs / 1000).toFixed(1)} s`} (${c.landed ? 'had reached the provider' : 'had not'})`,
            )
            .join(', '),
    ],
    [
      'caught in a create or a post: grace started / lease free after',
      '-',
      three.gracesCaught.length === 0
        ? 'none'
        : three.gracesCaught
            .map((g) => `${g.step} ${seconds(g.startedAfterMs)} / ${seconds(g.takenAfterMs)}`)
            .join(', '),
    ],
  ];
  console.log(
    `Replicas on one Redis: ${JOBS} jobs after ${WARM_UP} unmeasured, ${RENDER_MS} ms renders (load ${loadBefore} -> ${loadAfter})\n`,
  );
  const killNote =
    process.env.BENCH_NO_KILL === '1'
      ? 'none killed'
      : `${KILL_POLLER ? 'the poller' : 'one'} SIGKILLed at 30%`;
  console.log(`| measure | 1 replica | 3 replicas, ${killNote} |`);
  console.log('|---|---|---|');
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
}

/** A time after the kill, or "-" when it never came. */
function seconds(ms: number | null): string {
  return ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`;
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
