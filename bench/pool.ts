/**
 * A pool of deployments against one (run: `npx tsx bench/pool.ts [JOBS] [SCALE]`, default 60 jobs,
 * time scaled down 40x). Every emulated deployment has Azure's default Sora 2 quota: 2 jobs running
 * and 2 job requests a minute, enforced by the emulator (429 above it) and respected by the bot. To
 * finish in minutes, time is scaled: the quota's minute is 60 000 / SCALE ms (the bot's request
 * window and the emulator's alike) and a render takes 30 000 / SCALE ms (a short 30 s render).
 *
 * Passes, in the same run, each a real SoraCore on SQLite with the real client against emulators:
 *   1. one deployment (the baseline);
 *   2. three deployments, then remixes of half the videos (each must go to the deployment holding
 *      its source);
 *   3. three deployments, one taken down (every request answered 503) once half the videos are
 *      out and brought back 10 scaled minutes later: every job must still be delivered exactly once.
 * Reported: wall time and throughput of each pass against the baseline, creates per job, posts per
 * job, and how many remixes went to their source's deployment. Figures, not assertions.
 */
import { loadavg } from 'node:os';
import type { Job } from '../src/core/job.js';
import { PoolHarness } from '../test/pool/pool-harness.js';

const JOBS = Number(process.argv[2] ?? 60);
const SCALE = Number(process.argv[3] ?? 40);
const MINUTE_MS = Math.round(60_000 / SCALE);
const RENDER_MS = Math.round(30_000 / SCALE);
const AZURE_QUOTA = { maxConcurrent: 2, rpm: 2 };
const REQUESTERS = 10;

interface PassResult {
  label: string;
  wallMs: number;
  delivered: number;
  createsPerJob: number;
  postsPerJob: number;
  byDeployment: Record<string, number>;
  remixes?: { total: number; toOwner: number };
}

function deployments(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    name: `az${i + 1}`,
    ...AZURE_QUOTA,
    emulator: { renderMs: RENDER_MS, requestsPerMinute: AZURE_QUOTA.rpm, windowMs: MINUTE_MS },
  }));
}

async function pass(
  label: string,
  count: number,
  options: { fail?: boolean; remix?: boolean },
): Promise<PassResult> {
  const h = await PoolHarness.start({
    deployments: deployments(count),
    windowMs: MINUTE_MS,
    // The breaker's defaults, scaled like the rest.
    breaker: {
      failuresToTrip: 3,
      coolDownMs: Math.round(15_000 / SCALE),
      maxCoolDownMs: Math.round(600_000 / SCALE),
      healthCheckEveryMs: Math.round(30_000 / SCALE),
    },
    settings: { pollInitialMs: Math.round(RENDER_MS / 5), pollMaxMs: Math.round(RENDER_MS / 3) },
  });
  try {
    const started = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++)
      ids.push(await h.sendJob(`a short render ${i}`, `person${i % REQUESTERS}`));
    let outage: Promise<void> | undefined;
    const done = await Promise.all(
      ids.map(async (id) => {
        const job = await h.waitFor(id, ['delivered', 'failed']);
        const out = (await Promise.all(ids.map((j) => h.job(j)))).filter((j) => j?.state === 'delivered');
        if (options.fail && !outage && out.length >= JOBS / 2) {
          // Half-way: the last deployment goes down, and comes back ten (scaled) minutes later.
          const down = h.emulator(`az${count}`);
          down.setOutage(503);
          outage = new Promise<void>((resolve) =>
            setTimeout(() => {
              down.setOutage(null);
              resolve();
            }, 10 * MINUTE_MS),
          );
        }
        return job;
      }),
    );
    const wallMs = Date.now() - started;
    await outage;
    const result = summarise(label, h, done, wallMs);
    if (options.remix) result.remixes = await remixes(h, done.slice(0, Math.floor(JOBS / 2)));
    return result;
  } finally {
    await h.close();
  }
}

function summarise(label: string, h: PoolHarness, done: Job[], wallMs: number): PassResult {
  const creates = [...h.emulators.keys()].reduce((sum, name) => sum + h.videosAt(name).length, 0);
  const posts = h.surface.chat.messages.filter((m) => m.message.kind === 'result').length;
  const byDeployment: Record<string, number> = {};
  for (const job of done)
    byDeployment[job.deployment ?? '?'] = (byDeployment[job.deployment ?? '?'] ?? 0) + 1;
  return {
    label,
    wallMs,
    delivered: done.filter((j) => j.state === 'delivered').length,
    createsPerJob: creates / done.length,
    postsPerJob: posts / done.length,
    byDeployment,
  };
}

async function remixes(h: PoolHarness, sources: Job[]): Promise<{ total: number; toOwner: number }> {
  const ids: string[] = [];
  for (const [i, source] of sources.entries())
    ids.push(await h.sendJob(`remix ${source.id} at dusk`, `person${i % REQUESTERS}`));
  const made = await Promise.all(ids.map((id) => h.waitFor(id, ['delivered', 'failed'])));
  const toOwner = made.filter(
    (job, i) =>
      job.state === 'delivered' &&
      job.deployment === sources[i]!.deployment &&
      h.videosAt(job.deployment!).includes(job.providerVideoId!),
  ).length;
  return { total: made.length, toOwner };
}

const single = await pass('1 deployment', 1, {});
const pool = await pass('3 deployments', 3, { remix: true });
const failing = await pass('3 deployments, 1 down half-way', 3, { fail: true });
const throughput = (r: PassResult) => (r.delivered / r.wallMs) * MINUTE_MS;
console.log(
  `${JOBS} jobs, time scaled ${SCALE}x (quota minute ${MINUTE_MS} ms, render ${RENDER_MS} ms), load ${loadavg()[0]!.toFixed(1)}`,
);
for (const r of [single, pool, failing])
  console.log(
    `${r.label.padEnd(32)} ${(r.wallMs / 1000).toFixed(1).padStart(6)} s  ${throughput(r).toFixed(1).padStart(6)} jobs/scaled-min  ${(throughput(r) / throughput(single)).toFixed(2)}x  delivered ${r.delivered}/${JOBS}  creates/job ${r.createsPerJob.toFixed(2)}  posts/job ${r.postsPerJob.toFixed(2)}  ${JSON.stringify(r.byDeployment)}`,
  );
if (pool.remixes)
  console.log(`remixes to the deployment holding the source: ${pool.remixes.toOwner}/${pool.remixes.total}`);
process.exit(0);
