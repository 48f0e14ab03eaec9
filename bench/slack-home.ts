/**
 * The Slack App Home with a long history (run: `npx tsx bench/slack-home.ts [OPENS]`, default 60 timed
 * opens per person). The goal: for a person with 1,000 videos, `app_home_opened` to `views.publish`
 * within 1 s; the baseline in the same run is a person with 10 videos, and the ratio of the two is
 * the figure to trust on a noisy machine.
 *
 * One process: the wire-level fake Slack (test/fakes/slack), real Bolt over Socket Mode, the real
 * core on a SQLite ledger on disk (test/slack/slack-harness.ts). The ledger is seeded through the
 * core's own JobLedger with 1,000 jobs of HEAVY, 10 of LIGHT and 4,000 of other people in the same
 * workspace and channel (mostly delivered, each delivered job's message posted in the fake, so every
 * link on the Home is a real chat.getPermalink answer). An open is timed from writing the event
 * envelope on the socket to the fake answering the matching `views.publish` (so the Web API round
 * trips the Home makes are inside). The first open of each person is reported apart (its permalinks
 * are not cached yet); then opens alternate LIGHT, HEAVY, … and median / p95 / max are compared.
 * Figures, not assertions: never part of the test suite.
 */
import { performance } from 'node:perf_hooks';
import { HOME_VIDEOS } from '../adapters/slack/home-view.js';
import type { JobInput } from '../src/core/job.js';
import { JobLedger } from '../src/core/job-ledger.js';
import { silentLogger } from '../src/core/logger.js';
import { CHANNEL, SlackHarness } from '../test/slack/slack-harness.js';

const OPENS = Number(process.argv[2] ?? 60);
const WARMUP = 5;
const HEAVY = { id: 'U0HEAVY0001', name: 'heavy', videos: 1_000 };
const LIGHT = { id: 'U0LIGHT0001', name: 'light', videos: 10 };
const OTHERS = 4_000;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), max: sorted.at(-1) ?? Number.NaN };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

async function main(): Promise<void> {
  const h = await SlackHarness.start({ budgets: { userDay: 20_000_000, userMonth: 200_000_000 } });
  try {
    const team = h.fake.options.teamId;
    const ledger = new JobLedger(h.store, silentLogger);
    for (const person of [HEAVY, LIGHT]) h.fake.workspace.addUser({ id: person.id, name: person.name });
    const seedStarted = performance.now();
    const t0 = Date.now() - 30 * 86_400_000;
    const people = [
      ...Array.from({ length: HEAVY.videos }, () => HEAVY.id),
      ...Array.from({ length: LIGHT.videos }, () => LIGHT.id),
      ...Array.from({ length: OTHERS }, (_, i) => `U0OTHER${String(i % 40).padStart(4, '0')}`),
    ];
    // Interleaved in time, as a shared workspace's history is.
    for (let i = people.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [people[i], people[j]] = [people[j]!, people[i]!];
    }
    for (const [i, user] of people.entries()) {
      // Only HEAVY's and LIGHT's messages are ever linked from a measured Home: others get refs alone.
      const mine = user === HEAVY.id || user === LIGHT.id;
      const parent = mine
        ? h.fake.workspace.seedMessage({ channel: CHANNEL, user: h.fake.options.botUserId, text: 'status' })
        : { ts: `${1_700_000_000 + i}.000100` };
      const video = mine
        ? h.fake.workspace.seedMessage({
            channel: CHANNEL,
            user: h.fake.options.botUserId,
            text: 'video',
            thread_ts: parent.ts,
          })
        : { ts: `${1_700_000_000 + i}.000200` };
      const failed = i % 25 === 0;
      const job: Omit<JobInput, 'id'> = {
        state: failed ? 'failed' : 'delivered',
        requester: { platform: 'slack', workspace: team, user, isAdmin: false },
        channel: `slack:${team}:${CHANNEL}`,
        conversation: `slack:${team}:${CHANNEL}:${parent.ts}`,
        statusRef: `${team}:${CHANNEL}:${parent.ts}`,
        deliveredRef: failed ? null : `${team}:${CHANNEL}:${video.ts}`,
        request: {
          kind: 'generate',
          prompt: `video ${i}: a paper boat on a rainy street, take ${i % 13}`,
          seconds: '4',
          size: '720x1280',
          model: 'sora-2',
        },
        ...(failed ? { failure: { code: 'provider_error' as const, message: 'x', requestId: null } } : {}),
        createdAt: t0 + i * 60_000,
        updatedAt: t0 + i * 60_000,
      };
      await ledger.create(job);
    }
    const seedMs = performance.now() - seedStarted;

    const open = async (user: string): Promise<number> => {
      const seq = h.fake.calls('views.publish').at(-1)?.seq ?? -1;
      const payload = h.fake.home.payloads.appHomeOpened({ userId: user });
      const published = h.fake.waitForCall(
        'views.publish',
        (c) => c.seq > seq && c.args.user_id === user,
        60_000,
      );
      const started = performance.now();
      await h.fake.socket.sendEvent(payload);
      const call = await published;
      if (call.response.ok !== true)
        throw new Error(`views.publish failed: ${JSON.stringify(call.response)}`);
      return performance.now() - started;
    };

    const coldLight = await open(LIGHT.id);
    const coldHeavy = await open(HEAVY.id);
    const blocks = (h.fake.home.views.get(HEAVY.id)?.blocks ?? []).length;
    for (let i = 0; i < WARMUP; i++) {
      await open(LIGHT.id);
      await open(HEAVY.id);
    }
    const light: number[] = [];
    const heavy: number[] = [];
    for (let i = 0; i < OPENS; i++) {
      light.push(await open(LIGHT.id));
      heavy.push(await open(HEAVY.id));
    }
    // The core's read alone (the ledger page and the budget counters), for the breakdown.
    const readTimes = async (user: string) => {
      const samples: number[] = [];
      for (let i = 0; i < OPENS; i++) {
        const started = performance.now();
        await h.core.overview({ platform: 'slack', workspace: team, user }, HOME_VIDEOS);
        samples.push(performance.now() - started);
      }
      return summary(samples);
    };
    const readLight = await readTimes(LIGHT.id);
    const readHeavy = await readTimes(HEAVY.id);
    const l = summary(light);
    const hv = summary(heavy);
    console.log(
      `seeded ${people.length} jobs (${HEAVY.videos} heavy, ${LIGHT.videos} light) in ${(seedMs / 1000).toFixed(1)} s`,
    );
    console.log(`Home of the 1,000-video person: ${blocks} blocks (${HOME_VIDEOS} videos shown)`);
    console.log(`first open (permalinks not cached): light ${ms(coldLight)}, heavy ${ms(coldHeavy)}`);
    console.log(`app_home_opened -> views.publish, ${OPENS} opens each:`);
    console.log(`  10 videos (baseline): median ${ms(l.median)} / p95 ${ms(l.p95)} / max ${ms(l.max)}`);
    console.log(`  1,000 videos:         median ${ms(hv.median)} / p95 ${ms(hv.p95)} / max ${ms(hv.max)}`);
    console.log(
      `  ratio heavy/baseline: median ${(hv.median / l.median).toFixed(2)}x, p95 ${(hv.p95 / l.p95).toFixed(2)}x`,
    );
    console.log(
      `core.overview alone: 10 videos median ${ms(readLight.median)} / p95 ${ms(readLight.p95)}; 1,000 videos median ${ms(readHeavy.median)} / p95 ${ms(readHeavy.p95)}`,
    );
    console.log(`goal (1,000 videos within 1 s): ${hv.max < 1_000 ? 'met' : 'NOT met'} (max ${ms(hv.max)})`);
  } finally {
    await h.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
