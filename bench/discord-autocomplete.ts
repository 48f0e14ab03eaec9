/**
 * How fast the `video` option's autocomplete answers for a person with many videos: a whole bot
 * (startBot: discord.js, the core, a SQLite ledger, the embedded emulator) behind the fake Discord,
 * autocomplete interactions (type 4) dispatched one at a time (a person typing), timed from the
 * dispatch to the type 8 answer arriving at the fake. Discord drops answers after 3 s; the goal is p99
 * under 150 ms for a person with 1,000 videos. The baseline, in the same run and the same bot, is a
 * person with 10 videos; the ratio says what the history costs.
 *
 * The videos are written to the ledger before the bot starts (delivered jobs, so no loop touches them).
 * Each person's keystrokes rotate through four kinds of typed text: nothing (the newest 25), a word
 * one video in 100 has (`lighthouse`), an id's first characters, and text no video has (the whole
 * scan: 1,000 ids for the big history). The two people's keystrokes alternate, so the machine's load
 * falls on both alike. The fake runs in the bot's process (both sides of every
 * keystroke are in the figure). Run: `npx tsx bench/discord-autocomplete.ts` (BENCH_KEYSTROKES=400
 * per person). Figures, not assertions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startBot } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { JobLedger } from '../src/core/job-ledger.js';
import { silentLogger } from '../src/core/logger.js';
import { openStore } from '../src/store/open-store.js';
import { startFakeDiscord } from '../test/fakes/discord/index.js';

const KEYSTROKES = Number(process.env.BENCH_KEYSTROKES ?? 400);
const WARMUP = 20;
const MANY = '300000000000000001';
const FEW = '300000000000000002';
const ANIMALS = ['fox', 'whale', 'heron', 'otter', 'lynx', 'crow', 'moth', 'seal'];
const PLACES = ['in snow', 'under ice', 'at dusk', 'in the rain', 'over a city', 'in a forest'];

type Kind = 'empty' | 'word' | 'id prefix' | 'no match';
const KINDS: Kind[] = ['empty', 'word', 'id prefix', 'no match'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Writes `count` delivered videos of `user`, oldest first; returns their ids. */
async function seed(
  ledger: JobLedger,
  guildId: string,
  channelId: string,
  user: string,
  count: number,
  start: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + i * 1_000;
    const prompt =
      i % 100 === 50
        ? `a lighthouse in a storm, take ${i}`
        : `a ${ANIMALS[i % ANIMALS.length]} ${PLACES[i % PLACES.length]}, take ${i}`;
    const job = await ledger.create({
      state: 'delivered',
      requester: { platform: 'discord', workspace: guildId, user, displayName: user },
      channel: `discord:${guildId}:${channelId}`,
      conversation: `discord:${guildId}:${channelId}`,
      request: { kind: 'generate', prompt, seconds: '4', size: '720x1280', model: 'sora-2' },
      createdAt: at,
      updatedAt: at,
      deliveredAt: at,
      progress: 100,
    });
    ids.push(job.id);
  }
  return ids;
}

async function main(): Promise<void> {
  const fake = await startFakeDiscord({
    heartbeatIntervalMs: 5_000,
    users: [
      { id: MANY, username: 'many' },
      { id: FEW, username: 'few' },
    ],
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'sora-bench-autocomplete-'));
  const store = await openStore({ dataDir });
  const ledger = new JobLedger(store, silentLogger);
  const start = Date.now() - 2_000_000;
  const seedStarted = performance.now();
  const manyIds = await seed(ledger, fake.guild.id, fake.channelId, MANY, 1_000, start);
  const fewIds = await seed(ledger, fake.guild.id, fake.channelId, FEW, 10, start);
  const seedMs = performance.now() - seedStarted;
  await store.close();

  const bot = await startBot(
    parseConfig({
      SORA_PROVIDER: 'emulator',
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_URL: fake.apiBase,
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'silent',
    }),
    { print: () => {} },
  );

  const typed = (kind: Kind, ids: string[], i: number): string => {
    switch (kind) {
      case 'empty':
        return '';
      case 'word':
        return 'lighthouse';
      case 'id prefix':
        return ids[(((i * 7) % ids.length) + ids.length) % ids.length]!.slice(0, 3);
      case 'no match':
        return 'a submarine on mars';
    }
  };

  /** One keystroke of `user`; its time from dispatch to answer and how many choices came back. */
  const keystroke = async (user: string, ids: string[], kind: Kind, i: number) => {
    const began = performance.now();
    const handle = fake.interactions.autocomplete({
      userId: user,
      subcommand: 'status',
      options: { video: typed(kind, ids, i) },
      focused: 'video',
    });
    const callback = await handle.callback;
    const ms = performance.now() - began;
    if (callback.type !== 8) throw new Error(`expected an autocomplete answer, got type ${callback.type}`);
    return { ms, shown: (callback.data as { choices: unknown[] }).choices.length };
  };

  const person = (user: string, ids: string[]) => ({
    user,
    ids,
    times: new Map<Kind, number[]>(KINDS.map((k) => [k, []])),
    choices: new Map<Kind, number>(),
  });
  // The two people's keystrokes alternate, so the machine's load falls on both alike.
  const run = async () => {
    const few = person(FEW, fewIds);
    const many = person(MANY, manyIds);
    for (let i = -WARMUP; i < KEYSTROKES; i++) {
      const kind = KINDS[(i + WARMUP) % KINDS.length]!;
      for (const p of [few, many]) {
        const { ms, shown } = await keystroke(p.user, p.ids, kind, i);
        if (i < 0) continue;
        p.times.get(kind)!.push(ms);
        p.choices.set(kind, shown);
      }
    }
    return { few, many };
  };

  try {
    const { few, many } = await run();
    const row = (label: string, times: number[], shown: number | string) => {
      const sorted = [...times].sort((a, b) => a - b);
      return {
        label,
        n: sorted.length,
        shown,
        median: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? Number.NaN,
      };
    };
    const rows = [
      ...KINDS.map((k) => row(`10 videos, ${k}`, few.times.get(k)!, few.choices.get(k) ?? 0)),
      row('10 videos, all', [...few.times.values()].flat(), '-'),
      ...KINDS.map((k) => row(`1,000 videos, ${k}`, many.times.get(k)!, many.choices.get(k) ?? 0)),
      row('1,000 videos, all', [...many.times.values()].flat(), '-'),
    ];
    console.log(`seeded 1,010 jobs in ${seedMs.toFixed(0)} ms; ${KEYSTROKES} keystrokes per person`);
    console.log('| keystrokes | n | choices | median | p99 | max |');
    console.log('|---|---|---|---|---|---|');
    for (const r of rows)
      console.log(
        `| ${r.label} | ${r.n} | ${r.shown} | ${r.median.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.max.toFixed(1)} ms |`,
      );
    const at = (times: number[], p: number) =>
      percentile(
        [...times].sort((a, b) => a - b),
        p,
      );
    const all = (m: Map<Kind, number[]>) => [...m.values()].flat();
    const ratios = (a: number[], b: number[]) =>
      `p99 ${(at(a, 99) / at(b, 99)).toFixed(2)}x, median ${(at(a, 50) / at(b, 50)).toFixed(2)}x`;
    console.log(`1,000 videos / 10 videos: ${ratios(all(many.times), all(few.times))}`);
    for (const k of KINDS) console.log(`  ${k}: ${ratios(many.times.get(k)!, few.times.get(k)!)}`);
  } finally {
    await bot.close();
    await fake.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
