/**
 * One front-door replica for bench/budgets.ts, in its own OS process: a real SoraCore on a shared
 * Redis namespace with the budgets the parent gives it. Reads commands as JSON lines on stdin
 * (`{"i": 3, "user": "user3", "text": "..."}`), answers each with a JSON line on stdout: whether a job
 * was made, the answer's first words, and how long `core.run` took. The store calls of the budget
 * check (the limits read and the atomic reservation) are timed on the side and reported at exit.
 *
 * Environment: REDIS_URL, NAMESPACE, EMULATOR_URL, DATA_DIR, WORKSPACE_MONTH (dollars, optional),
 * BUDGET_CHECK=off (the baseline).
 */
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseConfig } from '../src/config.js';
import { dollars, PriceTable } from '../src/core/pricing.js';
import { SoraCore } from '../src/core/sora-core.js';
import { createProvider, EMULATOR_API_KEY } from '../src/sora/index.js';
import { RedisStore } from '../src/store/redis-store.js';
import type { Store } from '../src/store/store.js';
import { fastCoreSettings } from '../test/support/fast-core-settings.js';
import { JournalSurface } from '../test/support/journal-surface.js';

const env = process.env;
const budgetCalls: number[] = [];

/**
 * Times the store calls that only the budget check makes. With BUDGET_CHECK=off (the baseline pass)
 * they answer at once without touching Redis instead: the same run with no budget check at all.
 */
function timed(store: Store): Store {
  const off = env.BUDGET_CHECK === 'off';
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if ((prop !== 'postEntry' && prop !== 'counterValues') || typeof value !== 'function') return value;
      if (off)
        return async (...args: unknown[]) =>
          prop === 'postEntry' ? { ok: true, values: [] } : (args[0] as string[]).map(() => 0);
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          budgetCalls.push(performance.now() - started);
        }
      };
    },
  });
}

async function main(): Promise<void> {
  mkdirSync(env.DATA_DIR!, { recursive: true });
  const provider = createProvider(parseConfig({ SORA_PROVIDER: 'emulator' }), {
    emulatorUrl: env.EMULATOR_URL!,
    emulatorApiKey: EMULATOR_API_KEY,
  });
  const store = await RedisStore.open(env.REDIS_URL!, env.NAMESPACE!);
  const workspaceMonth = env.WORKSPACE_MONTH ? dollars(Number(env.WORKSPACE_MONTH)) : null;
  const core = new SoraCore({
    provider,
    store: timed(store),
    settings: fastCoreSettings(env.DATA_DIR!, { maxConcurrent: 1 }),
    budgets: { prices: new PriceTable(), workspaceMonth, maxPendingPerUser: 10_000 },
  });
  core.registerSurface(new JournalSurface(`${env.DATA_DIR}/journal.jsonl`));
  await core.start();
  process.stdout.write('ready\n');
  const pending: Promise<void>[] = [];
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line === 'end') break;
    const command = JSON.parse(line) as { i: number; user: string; text: string };
    pending.push(
      (async () => {
        const parsed = core.parse(command.text);
        if (!parsed.ok) throw new Error(parsed.problem.message);
        const started = performance.now();
        const outcome = await core.run({
          requester: { platform: 'slack', workspace: 'T-bench', user: command.user },
          channel: 'playground:bench',
          conversation: 'playground:bench',
          intent: parsed.intent,
        });
        const ms = performance.now() - started;
        const answer =
          outcome.kind === 'job'
            ? 'job'
            : outcome.message.kind === 'notice' || outcome.message.kind === 'failure'
              ? outcome.message.text.slice(0, 120)
              : outcome.message.kind;
        process.stdout.write(
          `${JSON.stringify({ i: command.i, job: outcome.kind === 'job', answer, ms })}\n`,
        );
      })(),
    );
  }
  await Promise.all(pending);
  process.stdout.write(`${JSON.stringify({ budgetCalls })}\n`);
  await core.stop();
  await store.close();
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(3);
});
