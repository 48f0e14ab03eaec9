/**
 * Builds the pool the configuration describes: one client per SORA_POOL entry, each reporting its
 * outcomes to the pool's breaker. Without SORA_POOL the caller passes the single provider it built the
 * usual way (createProvider) to `DeploymentPool.single`.
 */
import type { Dispatcher } from 'undici';
import { CAPABILITIES } from '../capabilities.js';
import { EMULATOR_API_KEY } from '../client/flavour.js';
import { SoraClient, type SoraClientOptions } from '../client/sora-client.js';
import type { ClientLogger } from '../client/transport.js';
import {
  type BreakerSettings,
  type Deployment,
  DeploymentPool,
  keysOf,
  narrowModels,
  retentionOf,
} from './deployment-pool.js';
import type { PoolEntry } from './pool-config.js';
import { ReportingProvider } from './reporting-provider.js';

export interface CreatePoolOptions {
  timeoutMs?: number;
  maxRetries?: number;
  logger?: ClientLogger;
  dispatcher?: Dispatcher;
  /** Extra client options per deployment (e.g. the metrics' request observer, labelled by its name). */
  clientOptions?: (deployment: string) => Pick<SoraClientOptions, 'observe' | 'sleep' | 'random'>;
  /** Benchmarks and tests: a shorter request window, breaker timings, how long a silent deployment is polled. */
  windowMs?: number;
  breaker?: Partial<BreakerSettings>;
  retentionMs?: number;
}

export function createPool(entries: readonly PoolEntry[], options: CreatePoolOptions = {}): DeploymentPool {
  let pool: DeploymentPool | undefined;
  const deployments: Deployment[] = entries.map((entry) => {
    const client = new SoraClient({
      ...flavourOf(entry),
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      logger: options.logger,
      dispatcher: options.dispatcher,
      ...options.clientOptions?.(entry.name),
    });
    return {
      name: entry.name,
      provider: new ReportingProvider(client, (error) => pool?.report(entry.name, error)),
      capabilities: narrowModels(CAPABILITIES[entry.flavour], entry.models),
      maxConcurrent: entry.maxConcurrent,
      rpm: entry.rpm,
      keys: keysOf(entry.name),
      retentionMs: options.retentionMs ?? retentionOf(entry.flavour),
    };
  });
  pool = new DeploymentPool(deployments, {
    named: true,
    ...(options.windowMs ? { windowMs: options.windowMs } : {}),
    ...(options.breaker ? { breaker: options.breaker } : {}),
  });
  return pool;
}

function flavourOf(entry: PoolEntry): SoraClientOptions {
  switch (entry.flavour) {
    case 'azure':
      return { kind: 'azure', endpoint: entry.endpoint, apiKey: entry.apiKey!, deployment: entry.deployment };
    case 'openai':
      return { kind: 'openai', baseUrl: entry.baseUrl, apiKey: entry.apiKey! };
    case 'emulator':
      return { kind: 'emulator', baseUrl: withV1(entry.baseUrl), apiKey: entry.apiKey ?? EMULATOR_API_KEY };
  }
}

/** An emulator entry may name the server (`http://127.0.0.1:4010`) or its API base (`.../v1`). */
function withV1(url: string): string {
  return url.endsWith('/v1') ? url : `${url}/v1`;
}

/** Where each deployment is, for `doctor` and the start-up line: names and hosts, never keys. */
export function describeEntry(entry: PoolEntry): string {
  const where = entry.flavour === 'azure' ? entry.endpoint : entry.baseUrl;
  const deployment = entry.flavour === 'azure' ? `, deployment ${entry.deployment}` : '';
  return `${entry.name} (${entry.flavour} at ${where}${deployment}; ${entry.maxConcurrent} at once, ${entry.rpm}/min)`;
}

/** The pool SORA_POOL describes, and one line saying where its deployments are (no keys). */
export function poolFromConfig(
  entries: readonly PoolEntry[],
  options: CreatePoolOptions,
): { pool: DeploymentPool; describe: string } {
  return {
    pool: createPool(entries, options),
    describe: `a pool of ${entries.length} deployment${entries.length === 1 ? '' : 's'}: ${entries.map(describeEntry).join(', ')}`,
  };
}
