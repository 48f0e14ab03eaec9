/**
 * A pool of Sora deployments: one client per deployment, with its own quota (jobs at once, job
 * requests a minute), its own capabilities, and the store names its counters go by. A single provider
 * configured the old way is a pool of one whose counters keep their old names, so a bot upgraded in
 * place (or a replica of the previous version) shares them.
 */
import {
  checkAgainstCapabilities,
  type ModelCapabilities,
  type ProviderCapabilities,
  type RenderRequestShape,
  type SoraModel,
} from '../capabilities.js';
import { SoraError, type SoraErrorCode } from '../errors.js';
import type { VideoProvider } from '../provider.js';

export interface Deployment {
  /** What people see (`/sora status`, the caption) and what a job records; never a key or a URL. */
  readonly name: string;
  readonly provider: VideoProvider;
  readonly capabilities: ProviderCapabilities;
  /** Jobs at this deployment at once, and job requests per rolling window. */
  readonly maxConcurrent: number;
  readonly rpm: number;
  /** Store names of its running slots, its request window and its 429 pause. */
  readonly keys: { readonly slots: string; readonly window: string; readonly pausedUntil: string };
  /**
   * How long the provider keeps a job: a job whose deployment stops answering is polled this long
   * after it was submitted, then fails (Azure keeps jobs 24 h, OpenAI about an hour).
   */
  readonly retentionMs: number;
}

/** What the provider reports for each call a deployment answers, for its circuit breaker. */
export type OutcomeListener = (deployment: string, error: unknown) => void;

export interface PoolOptions {
  /** Whether jobs record and show the deployment's name (false for the implicit pool of one). */
  named: boolean;
  /** The length of every request window (60 000; benchmarks scale it down). */
  windowMs?: number;
  breaker?: Partial<BreakerSettings>;
}

/** When a deployment is taken out of the pool, and for how long (the circuit breaker). */
export interface BreakerSettings {
  /** Failures in a row (401, 403, 5xx, no answer) that take a deployment out. */
  failuresToTrip: number;
  /** The first cool-down; each trip without a good spell in between doubles it, up to `maxCoolDownMs`. */
  coolDownMs: number;
  maxCoolDownMs: number;
  /** Every deployment in service is checked this often (a free list call), so an idle one is found out too. */
  healthCheckEveryMs: number;
}

/** The name of a single provider's deployment (a pool of one): in jobs, status lines and metrics. */
export const SINGLE_DEPLOYMENT = 'default';

export const DEFAULT_BREAKER: BreakerSettings = {
  failuresToTrip: 3,
  coolDownMs: 15_000,
  maxCoolDownMs: 10 * 60_000,
  healthCheckEveryMs: 30_000,
};

/** The counter names of the single provider of earlier versions (the implicit pool of one). */
export const LEGACY_KEYS = {
  slots: 'provider:running',
  window: 'provider:creates',
  pausedUntil: 'provider:paused-until',
} as const;

export function keysOf(name: string): Deployment['keys'] {
  return {
    slots: `pool:${name}:running`,
    window: `pool:${name}:creates`,
    pausedUntil: `pool:${name}:paused-until`,
  };
}

export class DeploymentPool {
  readonly named: boolean;
  readonly windowMs: number;
  readonly breaker: BreakerSettings;
  /** What the pool as a whole offers: a request is accepted when some deployment serves it. */
  readonly capabilities: ProviderCapabilities;
  private readonly byName: Map<string, Deployment>;
  private listener: OutcomeListener | undefined;

  constructor(
    readonly deployments: readonly Deployment[],
    options: PoolOptions,
  ) {
    if (deployments.length === 0) throw new Error('a deployment pool needs at least one deployment');
    this.named = options.named;
    this.windowMs = options.windowMs ?? 60_000;
    this.breaker = { ...DEFAULT_BREAKER, ...options.breaker };
    this.byName = new Map(deployments.map((d) => [d.name, d]));
    this.capabilities = unionOf(deployments.map((d) => d.capabilities));
  }

  /** A single provider as the pool of one it always was (counters under their old names). */
  static single(provider: VideoProvider, quota: { maxConcurrent: number; rpm: number }): DeploymentPool {
    return new DeploymentPool(
      [
        {
          name: SINGLE_DEPLOYMENT,
          provider,
          capabilities: provider.capabilities,
          maxConcurrent: quota.maxConcurrent,
          rpm: quota.rpm,
          keys: LEGACY_KEYS,
          retentionMs: retentionOf(provider.kind),
        },
      ],
      { named: false },
    );
  }

  /** The first deployment: where records written before pools (no `deployment`) belong. */
  get primary(): Deployment {
    return this.deployments[0]!;
  }

  /** The deployment a job recorded (null: the primary), or undefined when it left the configuration. */
  get(name: string | null): Deployment | undefined {
    return name === null ? this.primary : this.byName.get(name);
  }

  /** The name a job records: null in the implicit pool of one, so its records read as before. */
  recordedName(deployment: Deployment): string | null {
    return this.named ? deployment.name : null;
  }

  /** Deployments whose capabilities accept the request, in configuration order. */
  serving(request: RenderRequestShape): Deployment[] {
    return this.deployments.filter((d) => checkAgainstCapabilities(d.capabilities, request) === undefined);
  }

  /** The breaker's ears: every call a deployment's client makes reports here. */
  listen(listener: OutcomeListener): void {
    this.listener = listener;
  }

  report(deployment: string, error: unknown): void {
    this.listener?.(deployment, error);
  }
}

/** A provider for a deployment that is no longer configured: every call is a plain not_found. */
export function missingDeployment(name: string, like: VideoProvider): VideoProvider {
  const gone = (): never => {
    throw new SoraError({
      code: 'not_found' satisfies SoraErrorCode,
      message: `the deployment "${name}" that holds this video is no longer configured (SORA_POOL)`,
      retryable: false,
    });
  };
  return {
    kind: like.kind,
    capabilities: like.capabilities,
    create: async () => gone(),
    retrieve: async () => gone(),
    retrieveWithHints: async () => gone(),
    listPage: async () => gone(),
    // biome-ignore lint/correctness/useYield: it fails before yielding anything.
    list: async function* () {
      gone();
    },
    delete: async () => gone(),
    remix: async () => gone(),
    download: async () => gone(),
  };
}

/** How long each kind of provider keeps a job (docs/sora-api.md, "Timing, retention, cost"). */
export function retentionOf(kind: VideoProvider['kind']): number {
  return kind === 'azure' ? 24 * 60 * 60 * 1000 : 60 * 60 * 1000;
}

/** Capabilities narrowed to the models an entry lists. */
export function narrowModels(
  caps: ProviderCapabilities,
  models: readonly SoraModel[] | null,
): ProviderCapabilities {
  if (!models) return caps;
  const kept: Partial<Record<SoraModel, ModelCapabilities>> = {};
  for (const model of models) if (caps.models[model]) kept[model] = caps.models[model];
  return { ...caps, models: kept };
}

function unionOf(all: ProviderCapabilities[]): ProviderCapabilities {
  const models: Partial<Record<SoraModel, ModelCapabilities>> = {};
  for (const caps of all)
    for (const [model, entry] of Object.entries(caps.models) as [SoraModel, ModelCapabilities][]) {
      const known = models[model];
      models[model] = known
        ? {
            ...known,
            sizes: [...new Set([...known.sizes, ...entry.sizes])],
            remix: known.remix || entry.remix,
          }
        : entry;
    }
  return { provider: all[0]!.provider, models, webhooks: all.some((c) => c.webhooks) };
}
