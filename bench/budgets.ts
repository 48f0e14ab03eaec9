/**
 * Budgets (run: `npx tsx bench/budgets.ts`). Two measurements, figures not assertions:
 *
 * 1. 500 `/sora` at once from 50 people, spread over 2 front-door replicas (separate OS processes,
 *    bench/budget-replica.ts) sharing one Redis, against a workspace budget that fits exactly 100 of
 *    the videos; before it, the same run with a budget every command fits in (same work, checked), and
 *    the same run with the budget check taken out (its store calls answered
 *    at once, without Redis: the baseline, same run). Reported: accepted,
 *    refusals answered, what the workspace counter holds against the limit, the answer's latency
 *    (median, p99) in both passes, and the budget check's own store calls.
 * 2. `/sora usage` for a workspace whose month holds 100,000 usage-log entries (50,000 videos
 *    reserved and settled), on SQLite and on Redis, chart included: the first answer (libraries
 *    loading) and the median of 5 warm ones.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseConfig } from '../src/config.js';
import { BudgetBook } from '../src/core/budget-book.js';
import { periodAt } from '../src/core/budget-periods.js';
import { JobSchema } from '../src/core/job.js';
import { dollars, PriceTable } from '../src/core/pricing.js';
import { SoraCore } from '../src/core/sora-core.js';
import { renderUsageChart } from '../src/media/usage-chart.js';
import { startEmulator } from '../src/sora/emulator/index.js';
import { createProvider, EMULATOR_API_KEY } from '../src/sora/index.js';
import { RedisStore } from '../src/store/redis-store.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { fastCoreSettings } from '../test/support/fast-core-settings.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REPLICA = join(import.meta.dirname, 'budget-replica.ts');
const TSX = import.meta.resolve('tsx');
const COMMANDS = 500;
const PEOPLE = 50;
const FITS = 100;
const COST = 0.4; // 4 s of sora-2

interface Answer {
  i: number;
  job: boolean;
  answer: string;
  ms: number;
}

interface Replica {
  child: ChildProcess;
  answers: Answer[];
  budgetCalls: number[];
  ready: Promise<void>;
  done: Promise<void>;
}

function startReplica(env: NodeJS.ProcessEnv): Replica {
  const child = spawn(process.execPath, ['--import', TSX, REPLICA], {
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const replica: Replica = {
    child,
    answers: [],
    budgetCalls: [],
    ready: Promise.resolve(),
    done: Promise.resolve(),
  };
  const lines = createInterface({ input: child.stdout! });
  let readyResolve: () => void = () => undefined;
  replica.ready = new Promise<void>((r) => {
    readyResolve = r;
  });
  replica.done = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`replica exited with ${code}`))));
  });
  lines.on('line', (line) => {
    if (line === 'ready') return readyResolve();
    const parsed = JSON.parse(line) as Answer | { budgetCalls: number[] };
    if ('budgetCalls' in parsed) replica.budgetCalls = parsed.budgetCalls;
    else replica.answers.push(parsed);
  });
  return replica;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function frontDoorPass(emulatorUrl: string, workspaceMonth: number | null) {
  const dir = mkdtempSync(join(tmpdir(), 'sora-bench-budgets-'));
  const namespace = `bench-budgets-${process.pid}-${Date.now()}`;
  const replicas = [0, 1].map((i) =>
    startReplica({
      ...process.env,
      REDIS_URL,
      NAMESPACE: namespace,
      EMULATOR_URL: emulatorUrl,
      DATA_DIR: join(dir, `replica-${i}`),
      ...(workspaceMonth !== null ? { WORKSPACE_MONTH: String(workspaceMonth) } : { BUDGET_CHECK: 'off' }),
    }),
  );
  await Promise.all(replicas.map((r) => r.ready));
  for (let i = 0; i < COMMANDS; i++) {
    const command = { i, user: `user${i % PEOPLE}`, text: `budget bench video ${i} --seconds 4` };
    replicas[i % 2]!.child.stdin!.write(`${JSON.stringify(command)}\n`);
  }
  for (const r of replicas) r.child.stdin!.end('end\n');
  await Promise.all(replicas.map((r) => r.done));
  const store = await RedisStore.open(REDIS_URL, namespace);
  const month = periodAt('month', Date.now(), 'UTC').key;
  const spent = await store.counterValue(`spend:slack:T-bench:month:${month}`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  const answers = replicas.flatMap((r) => r.answers);
  return {
    answered: answers.length,
    accepted: answers.filter((a) => a.job).length,
    refusedByBudget: answers.filter((a) => a.answer.includes("workspace's monthly budget")).length,
    spent,
    ms: answers.map((a) => a.ms),
    budgetCalls: replicas.flatMap((r) => r.budgetCalls),
  };
}

async function usagePass(kind: 'sqlite' | 'redis') {
  const dir = mkdtempSync(join(tmpdir(), 'sora-bench-usage-'));
  const store: Store =
    kind === 'sqlite'
      ? await SqliteStore.open(join(dir, 'ledger.sqlite'))
      : await RedisStore.open(REDIS_URL, `bench-usage-${process.pid}-${Date.now()}`);
  const settings = {
    prices: new PriceTable(),
    userDay: null,
    userMonth: null,
    workspaceMonth: null,
    maxPendingPerUser: 1_000_000,
    timeZone: 'UTC',
    approvalAbove: null,
  };
  const book = new BudgetBook(store, settings, 'openai');
  const month = periodAt('month', Date.now(), 'UTC');
  const span = Math.min(Date.now(), month.endsAt - 1) - month.startsAt;
  const videos = 50_000;
  const filled = Date.now();
  for (let start = 0; start < videos; start += 500) {
    await Promise.all(
      Array.from({ length: 500 }, async (_, k) => {
        const i = start + k;
        const at = month.startsAt + Math.floor((span * i) / videos);
        const requester = {
          platform: 'slack' as const,
          workspace: 'T-usage',
          user: `U${i % 120}`,
          isAdmin: false,
        };
        const model = i % 5 === 0 ? 'sora-2-pro' : 'sora-2';
        const cost = dollars(i % 5 === 0 ? 1.2 : 0.4);
        await book.reserve(`u${i}`, requester, { model }, cost, at);
        const job = JobSchema.parse({
          id: `u${i}`,
          state: i % 9 === 0 ? 'failed' : 'delivered',
          requester,
          channel: 'slack:T-usage:C1',
          conversation: 'slack:T-usage:C1',
          request: { kind: 'generate', prompt: 'p', seconds: '4', size: '720x1280', model },
          createdAt: at,
          updatedAt: at,
          completedAt: i % 9 === 0 ? null : at + 60_000,
          cost: { micros: cost, reservedAt: at, day: periodAt('day', at, 'UTC').key, month: month.key },
        });
        await book.settle(job, at + 60_000);
      }),
    );
  }
  const fillMs = Date.now() - filled;
  const provider = createProvider(parseConfig({ SORA_PROVIDER: 'emulator' }), {
    emulatorUrl: 'http://127.0.0.1:9',
    emulatorApiKey: EMULATOR_API_KEY,
  });
  const core = new SoraCore({
    provider,
    store,
    settings: fastCoreSettings(dir),
    renderUsageChart,
  });
  const ask = async () => {
    const started = performance.now();
    const outcome = await core.run({
      requester: { platform: 'slack', workspace: 'T-usage', user: 'U1', isAdmin: true },
      channel: 'slack:T-usage:C1',
      conversation: 'slack:T-usage:C1',
      intent: { kind: 'usage', period: { kind: 'month', year: null, month: null } },
    });
    const ms = performance.now() - started;
    if (outcome.kind !== 'reply' || outcome.message.kind !== 'usage' || !outcome.message.chart)
      throw new Error('usage answered without a chart');
    return { ms, first: outcome.message.lines[0]!, png: outcome.message.chart.png.length };
  };
  const first = await ask();
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push((await ask()).ms);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    entries: videos * 2,
    fillMs,
    firstMs: first.ms,
    warmMs: quantile(warm, 0.5),
    line: first.first,
    png: first.png,
  };
}

async function main(): Promise<void> {
  const load = loadavg()[0]!.toFixed(2);
  // Renders far longer than the run: nothing finishes, so no refund muddles the counts.
  const emulator = await startEmulator({ renderMs: 600_000, apiKey: EMULATOR_API_KEY, maxRunning: 100_000 });
  process.stderr.write('pass 1: no budget check (baseline)\n');
  const open = await frontDoorPass(emulator.url, null);
  process.stderr.write('pass 2: a workspace budget every command fits in (same work as the baseline)\n');
  const roomy = await frontDoorPass(emulator.url, COMMANDS * COST * 10);
  process.stderr.write(`pass 3: workspace budget of $${FITS * COST}\n`);
  const limited = await frontDoorPass(emulator.url, FITS * COST);
  await emulator.close();
  process.stderr.write('usage: 100,000 entries on sqlite, then redis\n');
  const usageSqlite = await usagePass('sqlite');
  const usageRedis = await usagePass('redis');

  const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
  console.log(
    `Budgets, ${new Date().toISOString().slice(0, 10)}, load ${load} -> ${loadavg()[0]!.toFixed(2)}\n`,
  );
  console.log(
    `${COMMANDS} /sora at once from ${PEOPLE} people on 2 replicas (Redis), ${COST * 100} cents each:\n`,
  );
  console.log('| measure | no budget check (baseline) | workspace budget fitting 100 | |');
  console.log('|---|---|---|---|');
  console.log(
    `| answered / accepted | ${open.answered} / ${open.accepted} | ${limited.answered} / ${limited.accepted} | |`,
  );
  console.log(
    `| refused naming the workspace budget | ${open.refusedByBudget} | ${limited.refusedByBudget} | |`,
  );
  console.log(
    `| workspace counter / limit | $${(open.spent / 1e6).toFixed(2)} / none | $${(limited.spent / 1e6).toFixed(2)} / $${(FITS * COST).toFixed(2)} (${Math.round((limited.spent - dollars(FITS * COST)) / 1e4)} cents over) | |`,
  );
  const p50 = (x: number[]) => quantile(x, 0.5);
  const p99 = (x: number[]) => quantile(x, 0.99);
  console.log(
    `| answer to /sora, median / p99 | ${fmt(p50(open.ms))} / ${fmt(p99(open.ms))} | ${fmt(p50(limited.ms))} / ${fmt(p99(limited.ms))} | p99 ${(p99(limited.ms) - p99(open.ms)).toFixed(1)} ms (${(p99(limited.ms) / p99(open.ms)).toFixed(2)}x) |`,
  );
  console.log(
    `| budget check store calls (limits read + reservation), median / p99 | ${fmt(p50(open.budgetCalls))} / ${fmt(p99(open.budgetCalls))} | ${fmt(p50(limited.budgetCalls))} / ${fmt(p99(limited.budgetCalls))} | |`,
  );
  console.log(
    `\nSame run, a budget every command fits in (all ${roomy.accepted} accepted, checked and reserved): answer median / p99 ${fmt(p50(roomy.ms))} / ${fmt(p99(roomy.ms))}, p99 ${(p99(roomy.ms) - p99(open.ms)).toFixed(1)} ms over the baseline (${(p99(roomy.ms) / p99(open.ms)).toFixed(2)}x); budget store calls median / p99 ${fmt(p50(roomy.budgetCalls))} / ${fmt(p99(roomy.budgetCalls))}.`,
  );
  console.log('\n/sora usage for one month of 100,000 entries, chart included:\n');
  console.log('| store | entries written in | first answer | warm answer (median of 5) | PNG | first line |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, u] of [
    ['SQLite', usageSqlite],
    ['Redis', usageRedis],
  ] as const)
    console.log(
      `| ${name} | ${(u.fillMs / 1000).toFixed(1)} s | ${fmt(u.firstMs)} | ${fmt(u.warmMs)} | ${(u.png / 1024).toFixed(0)} KB | ${u.line} |`,
    );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
