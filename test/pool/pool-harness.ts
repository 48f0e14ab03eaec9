/**
 * A pool of emulated deployments behind one or more real SoraCores: each deployment is its own
 * emulator (its own quota, its own outage switch), the pool is built from a SORA_POOL string through the
 * real config path, and the cores share one store (SQLite, or Redis for two replicas).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseConfig } from '../../src/config.js';
import type { CoreSettings } from '../../src/core/core-context.js';
import type { Job } from '../../src/core/job.js';
import { type CommandOutcome, SoraCore } from '../../src/core/sora-core.js';
import { createLogger } from '../../src/logging.js';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { type BreakerSettings, createPool, type DeploymentPool } from '../../src/sora/pool/index.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { REDIS_URL } from '../support/core-harness.js';
import { fastCoreSettings } from '../support/fast-core-settings.js';
import { RecordingSurface } from '../support/recording-surface.js';

export interface DeploymentSpec {
  name: string;
  /** The SORA_POOL entry's quota (the emulator enforces the same one, answering 429 above it). */
  maxConcurrent?: number;
  rpm?: number;
  models?: string[];
  emulator?: EmulatorOptions;
}

export interface PoolHarnessOptions {
  deployments: DeploymentSpec[];
  /** How many cores (replicas) share the store and the pool. */
  replicas?: number;
  store?: 'sqlite' | 'redis';
  settings?: Partial<CoreSettings>;
  breaker?: Partial<BreakerSettings>;
  /** How long a job at a deployment that stopped answering is still polled. */
  retentionMs?: number;
  /** The length of the request window (the benchmark scales the minute down). */
  windowMs?: number;
}

/** Quick breakers for tests: two failures take a deployment out for 150 ms, probes every pass after. */
const TEST_BREAKER: Partial<BreakerSettings> = {
  failuresToTrip: 2,
  coolDownMs: 150,
  maxCoolDownMs: 600,
  healthCheckEveryMs: 200,
};

export class PoolHarness {
  private constructor(
    readonly emulators: Map<string, RunningEmulator>,
    readonly cores: SoraCore[],
    readonly pools: DeploymentPool[],
    readonly surface: RecordingSurface,
    readonly stores: Store[],
    private readonly dataDir: string,
  ) {}

  get core(): SoraCore {
    return this.cores[0]!;
  }

  static async start(options: PoolHarnessOptions): Promise<PoolHarness> {
    const dataDir = mkdtempSync(join(tmpdir(), 'sora-pool-'));
    const emulators = new Map<string, RunningEmulator>();
    for (const spec of options.deployments)
      emulators.set(
        spec.name,
        await startEmulator({
          renderMs: 150,
          apiKey: `sk-${spec.name}`,
          maxRunning: spec.maxConcurrent ?? 2,
          // Routing is under test, not ffmpeg: a few stand-in bytes instead of a rendered MP4.
          contentOverride: () => Readable.from([Buffer.from('not really an mp4')]),
          ...spec.emulator,
        }),
      );
    // The real configuration path: a SORA_POOL string, keys named by apiKeyEnv.
    const env: Record<string, string> = { SORA_MAX_RETRIES: '0', SORA_REQUEST_TIMEOUT_MS: '5000' };
    const entries = options.deployments.map((spec) => {
      const keyVar = `KEY_${spec.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
      env[keyVar] = `sk-${spec.name}`;
      return {
        name: spec.name,
        flavour: 'emulator',
        baseUrl: emulators.get(spec.name)!.openaiBaseUrl,
        apiKeyEnv: keyVar,
        maxConcurrent: spec.maxConcurrent ?? 2,
        ...(spec.rpm !== undefined ? { rpm: spec.rpm } : { rpm: 0 }),
        ...(spec.models ? { models: spec.models } : {}),
      };
    });
    env.SORA_POOL = JSON.stringify(entries);
    const config = parseConfig(env);
    const namespace = `pool-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const openStore = async (): Promise<Store> =>
      options.store === 'redis'
        ? RedisStore.open(REDIS_URL, namespace)
        : SqliteStore.open(join(dataDir, 'ledger.sqlite'));
    const surface = new RecordingSurface('playground', join(dataDir, 'delivered'));
    const cores: SoraCore[] = [];
    const pools: DeploymentPool[] = [];
    const stores: Store[] = [];
    // SQLite is one process's file: replicas need Redis.
    const replicas = options.store === 'redis' ? (options.replicas ?? 1) : 1;
    for (let i = 0; i < replicas; i++) {
      const pool = createPool(config.SORA_POOL!, {
        maxRetries: 0,
        timeoutMs: 5_000,
        breaker: { ...TEST_BREAKER, ...options.breaker },
        ...(options.retentionMs !== undefined ? { retentionMs: options.retentionMs } : {}),
        ...(options.windowMs !== undefined ? { windowMs: options.windowMs } : {}),
      });
      const store = await openStore();
      const core = new SoraCore({
        provider: pool.primary.provider,
        pool,
        store,
        ...(process.env.HARNESS_LOG
          ? { logger: createLogger(process.env.HARNESS_LOG as 'debug', process.stderr) }
          : {}),
        settings: fastCoreSettings(dataDir, { ...options.settings }),
      });
      core.registerSurface(surface);
      await core.start();
      cores.push(core);
      pools.push(pool);
      stores.push(store);
    }
    return new PoolHarness(emulators, cores, pools, surface, stores, dataDir);
  }

  emulator(name: string): RunningEmulator {
    return this.emulators.get(name)!;
  }

  /** Runs a command like an adapter does (on the first core unless told). */
  async send(text: string, user = 'alice', core = this.core): Promise<CommandOutcome> {
    const parsed = core.parse(text.replace(/^\/sora\s*/, ''), null);
    if (!parsed.ok)
      return { kind: 'reply', message: { kind: 'notice', tone: 'warning', text: parsed.problem.message } };
    return core.run({
      requester: { platform: 'playground', workspace: 'local', user, isAdmin: false },
      channel: 'playground:room-1',
      conversation: 'playground:room-1',
      intent: parsed.intent,
    });
  }

  async sendJob(text: string, user = 'alice', core = this.core): Promise<string> {
    const outcome = await this.send(text, user, core);
    if (outcome.kind !== 'job') throw new Error(`expected a job, got ${JSON.stringify(outcome)}`);
    return outcome.job.id;
  }

  job(id: string): Promise<Job | undefined> {
    return this.core.jobRecord(id);
  }

  /** Waits for a condition, polling every 20 ms (no fixed sleeps; vitest's timeout is the limit). */
  async until<T>(check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
    for (;;) {
      const value = await check();
      if (value) return value;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async waitFor(id: string, states: Job['state'][]): Promise<Job> {
    return this.until(async () => {
      const job = await this.job(id);
      return job && states.includes(job.state) ? job : undefined;
    });
  }

  /** Every video each emulated deployment has, by deployment name. */
  videosAt(name: string): string[] {
    return this.emulator(name)
      .videos()
      .map((v) => v.id);
  }

  async close(): Promise<void> {
    for (const core of this.cores) await core.stop();
    for (const store of this.stores) await store.close();
    for (const emulator of this.emulators.values()) await emulator.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
