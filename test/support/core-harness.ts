/**
 * The scripted conversation harness for the core: a real SoraCore with a real store (SQLite file or
 * Redis), the real Sora client talking to a real emulator, and a RecordingSurface as the chat.
 * `send('/sora a fox --seconds 8', {user})` runs a command the way an adapter does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config.js';
import type { BudgetSettings } from '../../src/core/budget-book.js';
import type { Clock } from '../../src/core/clock.js';
import type { CoreSettings } from '../../src/core/core-context.js';
import type { Attachment } from '../../src/core/intents.js';
import type { Job } from '../../src/core/job.js';
import { type CommandOutcome, SoraCore } from '../../src/core/sora-core.js';
import { createLogger } from '../../src/logging.js';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { createProvider, EMULATOR_API_KEY } from '../../src/sora/index.js';
import type { VideoProvider } from '../../src/sora/provider.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { fastCoreSettings } from './fast-core-settings.js';
import { RecordingSurface } from './recording-surface.js';
import { redis, skipWithout, TEST_REDIS_URL } from './services.js';
import { until } from './until.js';

export type StoreKind = 'sqlite' | 'redis';
export const REDIS_URL = TEST_REDIS_URL;

/**
 * The stores a store-parametrised test runs on: Redis too when one answers at TEST_REDIS_URL (else a
 * skipped test says why; under CI=true the file fails). Call it while tests are collected.
 */
export function storeKinds(): StoreKind[] {
  return skipWithout(redis) ? ['sqlite'] : ['sqlite', 'redis'];
}

export interface HarnessOptions {
  store?: StoreKind;
  emulator?: EmulatorOptions;
  settings?: Partial<CoreSettings>;
  providerKind?: 'emulator' | 'azure';
  /** Wraps the real client (e.g. to hold a call at a gate for a race test). */
  wrapProvider?: (provider: VideoProvider) => VideoProvider;
  /** The chat surface to use instead of a plain RecordingSurface (e.g. one that pauses an upload). */
  surface?: RecordingSurface;
  /** The client's retries per call (SORA_MAX_RETRIES; default 1). */
  clientRetries?: number;
  /** An existing store (a restart test reopens the same data). */
  openStore?: () => Promise<Store>;
  /** Prices, limits and approvals (default: published prices, no limits). */
  budgets?: Partial<BudgetSettings>;
  /** The core's clock (a test moves time forward with an offset on the real clock). */
  clock?: Clock;
}

export interface SendOptions {
  user?: string;
  workspace?: string;
  channel?: string;
  conversation?: string;
  isAdmin?: boolean;
  attachment?: Attachment;
  idempotencyKey?: string;
}

export class CoreHarness {
  private constructor(
    readonly core: SoraCore,
    readonly surface: RecordingSurface,
    readonly emulator: RunningEmulator,
    readonly store: Store,
    readonly provider: VideoProvider,
    readonly dataDir: string,
  ) {}

  static async start(options: HarnessOptions = {}): Promise<CoreHarness> {
    const dataDir = mkdtempSync(join(tmpdir(), 'sora-core-'));
    const emulator = await startEmulator({ renderMs: 150, apiKey: EMULATOR_API_KEY, ...options.emulator });
    const config = parseConfig({
      SORA_PROVIDER: 'emulator',
      SORA_MAX_RETRIES: String(options.clientRetries ?? 1),
      SORA_REQUEST_TIMEOUT_MS: '10000',
    });
    const realProvider =
      options.providerKind === 'azure'
        ? createProvider(
            {
              ...config,
              SORA_PROVIDER: 'azure',
              AZURE_OPENAI_ENDPOINT: emulator.azureEndpoint,
              AZURE_OPENAI_API_KEY: EMULATOR_API_KEY,
            },
            {},
          )
        : createProvider(config, { emulatorUrl: emulator.url, emulatorApiKey: EMULATOR_API_KEY });
    const provider = options.wrapProvider ? options.wrapProvider(realProvider) : realProvider;
    const store = options.openStore
      ? await options.openStore()
      : options.store === 'redis'
        ? await RedisStore.open(
            REDIS_URL,
            `harness-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
          )
        : await SqliteStore.open(join(dataDir, 'ledger.sqlite'));
    const surface = options.surface ?? new RecordingSurface('playground', join(dataDir, 'delivered'));
    const core = new SoraCore({
      provider,
      store,
      // HARNESS_LOG=debug shows the core's log lines when a test needs explaining.
      ...(process.env.HARNESS_LOG
        ? { logger: createLogger(process.env.HARNESS_LOG as 'debug', process.stderr) }
        : {}),
      settings: fastCoreSettings(dataDir, { admins: ['playground:admin-user'], ...options.settings }),
      ...(options.budgets ? { budgets: options.budgets } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      renderUsageChart: async (input) =>
        (await import('../../src/media/usage-chart.js')).renderUsageChart(input),
    });
    core.registerSurface(surface);
    await core.start();
    return new CoreHarness(core, surface, emulator, store, provider, dataDir);
  }

  /** Parses and runs a command like an adapter does; a usage problem comes back as a reply. */
  async send(text: string, options: SendOptions = {}): Promise<CommandOutcome> {
    const command = text.replace(/^\/sora\s*/, '');
    const parsed = this.core.parse(command, options.attachment ?? null);
    if (!parsed.ok)
      return { kind: 'reply', message: { kind: 'notice', tone: 'warning', text: parsed.problem.message } };
    const channel = options.channel ?? 'playground:room-1';
    return this.core.run({
      requester: {
        platform: 'playground',
        workspace: options.workspace ?? 'local',
        user: options.user ?? 'alice',
        isAdmin: options.isAdmin ?? false,
      },
      channel,
      conversation: options.conversation ?? channel,
      intent: parsed.intent,
      attachment: options.attachment ?? null,
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    });
  }

  async sendJob(text: string, options: SendOptions = {}): Promise<string> {
    const outcome = await this.send(text, options);
    if (outcome.kind !== 'job') throw new Error(`expected a job, got ${JSON.stringify(outcome)}`);
    return outcome.job.id;
  }

  /** Waits until the job reaches one of `states` (no deadline but the test's: test/support/until.ts). */
  async waitFor(jobId: string, states: Job['state'][]): Promise<Job> {
    let seen: Job['state'] | undefined;
    return until(
      async () => {
        const job = await this.core.jobRecord(jobId);
        seen = job?.state;
        return job && states.includes(job.state) ? job : undefined;
      },
      () => `job ${jobId} to reach ${states.join('|')} (last seen ${seen})`,
    );
  }

  /** Waits until `check` returns something truthy (the surface's messages arrive just after state changes). */
  async until<T>(check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
    return until(check);
  }

  async close(): Promise<void> {
    await this.core.stop();
    await this.store.close();
    await this.emulator.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
