/**
 * How fast the Discord adapter acknowledges a burst: 200 interactions dispatched at once through the
 * fake gateway to a whole bot (startBot: discord.js, the core, a SQLite ledger, the embedded emulator),
 * timed from the INTERACTION_CREATE dispatch to the deferred response (callback type 5) arriving at
 * the fake. Discord forgets an interaction not acknowledged within 3 s; the goal is p99 < 500 ms.
 * Scenarios: `/sora generate` (parse, permission check, public defer; then each job is created and its
 * status message written) and `/sora status` (private defer, a ledger read).
 * The fake runs in a child process (bench/discord-fake-process.ts) so it does not compete for the bot's
 * event loop. Run: `npx tsx bench/discord-defer.ts` (BENCH_INTERACTIONS=200). Figures, not assertions.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBot } from '../src/app.js';
import { parseConfig } from '../src/config.js';

const COUNT = Number(process.env.BENCH_INTERACTIONS ?? 200);
const FAKE = fileURLToPath(new URL('./discord-fake-process.ts', import.meta.url));

interface Row {
  scenario: string;
  deferred: number;
  medianMs: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  allAnsweredMs: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  const answer = once(child, 'message') as Promise<[T]>;
  child.send(message as object);
  return (await answer)[0];
}

async function burst(child: ChildProcess, scenario: string, label: string, count = COUNT): Promise<Row> {
  const { times, allAnsweredMs } = await ask<{ times: number[]; allAnsweredMs: number }>(child, {
    cmd: 'burst',
    scenario,
    count,
  });
  const sorted = [...times].sort((a, b) => a - b);
  return {
    scenario: label,
    deferred: times.length,
    medianMs: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    allAnsweredMs,
  };
}

async function main(): Promise<void> {
  const child = fork(FAKE, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const fake = (await once(child, 'message'))[0] as { token: string; applicationId: string; apiBase: string };
  const dataDir = await mkdtemp(join(tmpdir(), 'sora-bench-discord-'));
  const bot = await startBot(
    parseConfig({
      SORA_PROVIDER: 'emulator',
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_URL: fake.apiBase,
      DATA_DIR: dataDir,
      PORT: '0',
      // Nothing finishes during the run: the figures are about acknowledging, not rendering.
      SORA_EMULATOR_RENDER_MS: '600000',
      LOG_LEVEL: 'silent',
    }),
    { print: () => {} },
  );
  const rows: Row[] = [];
  try {
    await burst(child, 'help', 'warm-up', Number(process.env.BENCH_WARMUP ?? 5));
    rows.push(await burst(child, 'generate', '/sora generate (public defer, then job + status message)'));
    rows.push(await burst(child, 'status', '/sora status (private defer, ledger read, answer)'));
  } finally {
    await bot.close();
    child.send({ cmd: 'close' });
    await once(child, 'exit');
    await rm(dataDir, { recursive: true, force: true });
  }
  const fmt = (n: number) => n.toFixed(0);
  console.log(
    `\n${COUNT} interactions dispatched at once through the fake gateway (fake Discord in its own process; Node ${process.version}):\n`,
  );
  console.log('| scenario | deferred (type 5) | median ms | p95 ms | p99 ms | max ms | all answered ms |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.scenario} | ${r.deferred}/${COUNT} | ${fmt(r.medianMs)} | ${fmt(r.p95Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.maxMs)} | ${fmt(r.allAnsweredMs)} |`,
    );
  console.log(
    '\nTime to the deferred response = INTERACTION_CREATE dispatch -> callback type 5 received by the fake. Goal: p99 < 500 ms (Discord allows 3 s).',
  );
}

await main();
