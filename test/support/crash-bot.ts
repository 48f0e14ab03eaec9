/**
 * A bot process for restart tests: the real core, SQLite store and Sora client against an emulator
 * that outlives this process. It kills itself with SIGKILL at a chosen step of a job's life (once per
 * DATA_DIR), so a test can restart it and check that every job is delivered exactly once.
 *
 * Env: DATA_DIR, EMULATOR_URL, JOURNAL, CRASH_AT (`saved:<state>` | `created` | `posted` | none),
 * CRASH_AFTER (how many matching events to let through first), PROMPTS (JSON array, sent on the first run),
 * CRASH_BOT_LOG (the core's log level on stderr, `warn` unless set: `info` shows each step when a run is slow).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/config.js';
import type { Job } from '../../src/core/job.js';
import { SoraCore } from '../../src/core/sora-core.js';
import { createLogger } from '../../src/logging.js';
import { createProvider, EMULATOR_API_KEY } from '../../src/sora/index.js';
import type { VideoProvider } from '../../src/sora/provider.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { RecordWrite, Store } from '../../src/store/store.js';
import { fastCoreSettings } from './fast-core-settings.js';
import { JournalSurface, readJournal } from './journal-surface.js';

const env = process.env;
const dataDir = env.DATA_DIR!;
const crashAt = env.CRASH_AT ?? '';
const crashMarker = join(dataDir, 'crashed');
let remaining = Number(env.CRASH_AFTER ?? '0');

function maybeCrash(event: string): void {
  if (event !== crashAt || existsSync(crashMarker)) return;
  if (remaining-- > 0) return;
  writeFileSync(crashMarker, event);
  process.kill(process.pid, 'SIGKILL');
}

/** Passes everything to the real store; after a job is written in the chosen state, dies. */
function crashingStore(inner: Store): Store {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'writeRecord') {
        return async (write: RecordWrite) => {
          const result = await target.writeRecord(write);
          if (result.ok && write.key.startsWith('job:')) maybeCrash(`saved:${(write.value as Job).state}`);
          return result;
        };
      }
      const member = Reflect.get(target, prop, receiver);
      return typeof member === 'function' ? member.bind(target) : member;
    },
  });
}

function crashingProvider(inner: VideoProvider): VideoProvider {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'create') {
        return async (...args: Parameters<VideoProvider['create']>) => {
          const video = await target.create(...args);
          maybeCrash('created');
          return video;
        };
      }
      const member = Reflect.get(target, prop, receiver);
      return typeof member === 'function' ? member.bind(target) : member;
    },
  });
}

async function main(): Promise<void> {
  const config = parseConfig({ SORA_PROVIDER: 'emulator', SORA_MAX_RETRIES: '2' });
  const provider = crashingProvider(
    createProvider(config, { emulatorUrl: env.EMULATOR_URL!, emulatorApiKey: EMULATOR_API_KEY }),
  );
  const store = crashingStore(await SqliteStore.open(join(dataDir, 'ledger.sqlite'), { exclusive: true }));
  const core = new SoraCore({
    provider,
    store,
    // Warnings (retries, failed steps) go to stderr, which the test prints when it fails.
    logger: createLogger((env.CRASH_BOT_LOG as 'debug' | undefined) ?? 'warn', process.stderr),
    settings: fastCoreSettings(dataDir, { maxConcurrent: 4, deliveryLeaseMs: 500 }),
  });
  core.registerSurface(new JournalSurface(env.JOURNAL!, () => maybeCrash('posted')));
  await core.start();
  // Every run sends every command again, as a platform redelivers what was never acknowledged;
  // the idempotency keys make the repeats no-ops.
  const prompts = JSON.parse(env.PROMPTS ?? '[]') as string[];
  for (const [i, prompt] of prompts.entries()) {
    const parsed = core.parse(prompt);
    if (!parsed.ok) throw new Error(parsed.problem.message);
    const outcome = await core.run({
      requester: { platform: 'playground', workspace: 'local', user: `user${i % 3}` },
      channel: 'playground:room',
      conversation: 'playground:room',
      intent: parsed.intent,
      idempotencyKey: `prompt-${i}`,
    });
    if (env.DEBUG_CRASH_BOT) process.stderr.write(`${prompt}: ${JSON.stringify(outcome)}\n`);
  }
  // Done when every job has reached an end state.
  for (let round = 1; ; round++) {
    const active = await core.activeJobs();
    if (active.length === 0 && readJournal(env.JOURNAL!).some((l) => l.type === 'start')) break;
    // Diagnostics for a test that times out: what is still unfinished, and why.
    if (round % 100 === 0)
      process.stderr.write(
        `still waiting on ${active.map((j) => `${j.id}:${j.state}:attempts=${j.submitAttempts}:notBefore=${j.notBefore}`).join(' ')}\n`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
  await core.stop();
  await store.close();
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(3);
});
