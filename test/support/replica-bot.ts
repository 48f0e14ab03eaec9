/**
 * One bot replica as its own OS process, for the replica tests and the benchmark: a real SoraCore on
 * a shared Redis namespace, the real client against a shared emulator, and a JournalSurface that
 * appends every post to a shared file synchronously (so a post survives a SIGKILL and the test can
 * count posts per job across all replicas). Runs until SIGTERM, or until killed.
 *
 * Environment: REDIS_URL, NAMESPACE, EMULATOR_URL, JOURNAL, DATA_DIR, LEASE_MS (default 2000),
 * INSTANCE_ID (its name in leases), MAX_CONCURRENT (default 64), RPM (default 0), CLOCK=woken-only (its
 * loops never wake on their own time, only when woken: locally or by another process's signal),
 * PRESENCE_GRACE_MS (its store's count of the grace, see RedisStore.open), HOLD_BEFORE_CREATE and
 * HOLD_AFTER_CREATE (a prompt whose create it holds forever before sending it, or after the provider
 * made the job: a replica to kill in the middle of a create).
 */
import { parseConfig } from '../../src/config.js';
import type { Clock } from '../../src/core/clock.js';
import { SoraCore } from '../../src/core/sora-core.js';
import { createLogger } from '../../src/logging.js';
import { createProvider, EMULATOR_API_KEY } from '../../src/sora/index.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { fastCoreSettings } from './fast-core-settings.js';
import { Gate, gatedProvider } from './gates.js';
import { JournalSurface } from './journal-surface.js';

const env = process.env;

/** Real time, but a sleep ends only when its loop is woken: what a replica does then is a wake's doing. */
const wokenOnlyClock: Clock = {
  now: () => Date.now(),
  sleep: (_ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) resolve();
      else signal?.addEventListener('abort', () => resolve(), { once: true });
    }),
};

async function main(): Promise<void> {
  const leaseMs = Number(env.LEASE_MS ?? '2000');
  const config = parseConfig({ SORA_PROVIDER: 'emulator', SORA_MAX_RETRIES: '2' });
  const provider = createProvider(config, {
    emulatorUrl: env.EMULATOR_URL!,
    emulatorApiKey: EMULATOR_API_KEY,
  });
  const store = await RedisStore.open(env.REDIS_URL!, env.NAMESPACE!, {
    ...(env.PRESENCE_GRACE_MS ? { presenceGraceMs: Number(env.PRESENCE_GRACE_MS) } : {}),
  });
  const held = (prompt: string | undefined) => new Map(prompt ? [[prompt, new Gate()]] : []);
  const core = new SoraCore({
    provider:
      env.HOLD_BEFORE_CREATE || env.HOLD_AFTER_CREATE
        ? gatedProvider(provider, {
            beforeCreate: held(env.HOLD_BEFORE_CREATE),
            afterCreate: held(env.HOLD_AFTER_CREATE),
          })
        : provider,
    store,
    ...(env.INSTANCE_ID ? { instanceId: env.INSTANCE_ID } : {}),
    ...(env.CLOCK === 'woken-only' ? { clock: wokenOnlyClock } : {}),
    logger: createLogger((env.LOG_LEVEL as 'warn' | undefined) ?? 'warn', process.stderr),
    settings: fastCoreSettings(env.DATA_DIR!, {
      maxConcurrent: Number(env.MAX_CONCURRENT ?? '64'),
      requestsPerMinute: Number(env.RPM ?? '0'),
      deliveryLeaseMs: leaseMs,
      submitLeaseMs: leaseMs,
      pollerLeaseMs: leaseMs,
      pollInitialMs: 100,
      pollMaxMs: 250,
      deliveryConcurrency: 16,
    }),
  });
  core.registerSurface(new JournalSurface(env.JOURNAL!));
  await core.start();
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.once('SIGTERM', resolve));
  await core.stop();
  await store.close();
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(3);
});
