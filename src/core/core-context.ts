/**
 * What the core's parts share: the ports (provider, ledger, surfaces, clock, logger) and the settings.
 */
import type { DeploymentPool } from '../sora/pool/deployment-pool.js';
import type { VideoProvider } from '../sora/provider.js';
import type { Clock } from './clock.js';
import { platformOfConversation } from './conversation.js';
import type { JobLedger } from './job-ledger.js';
import type { Logger } from './logger.js';
import type { CoreMetrics } from './metrics.js';
import type { Platform } from './requester.js';
import type { ChatSurface } from './surface.js';

export interface CoreSettings {
  dataDir: string;
  /** SORA_MODEL: the model used when a command names none. */
  defaultModel: string;
  /** SORA_ADMINS. */
  admins: readonly string[];
  /** SORA_MAX_CONCURRENT: jobs at the provider at once. */
  maxConcurrent: number;
  /** SORA_RPM: job requests sent to the provider per rolling minute (0 = no limit). */
  requestsPerMinute: number;
  /** First status poll after submission; later polls back off up to `pollMaxMs`. */
  pollInitialMs: number;
  pollMaxMs: number;
  /** From this many due jobs on, one list call replaces per-job status reads. */
  pollBatchThreshold: number;
  /** VIDEO_RETENTION_DAYS, in ms. */
  retentionMs: number;
  /** How long a duplicate command is recognised (platform retries). */
  idempotencyTtlMs: number;
  /** How long one process holds the right to deliver a job before another may take over (renewed while it works). */
  deliveryLeaseMs: number;
  /** The same for submitting a job (the create call and recording its answer). */
  submitLeaseMs: number;
  /** The same for polling the provider on behalf of the whole cluster. */
  pollerLeaseMs: number;
  /**
   * How long the poller sleeps with nothing rendering, on a store only this process writes (SQLite): a
   * submit here wakes it. On a shared store (Redis, replicas) it looks again every `pollInitialMs`
   * instead, because a submit on another replica cannot wake the one that holds the poller lease.
   */
  pollerIdleMs: number;
  /** A provider status this version does not know counts as in progress for this long, then the job fails. */
  unknownStatusMaxMs: number;
  /** Used for queue estimates until real renders have been timed. */
  estimatedRenderMs: number;
  /** How many create calls one process has in flight at once (fair order, cluster-wide caps). */
  submitConcurrency: number;
  /** How many videos are downloaded and delivered at once. */
  deliveryConcurrency: number;
  ffmpegPath?: string | undefined;
  /** SORA_NOTIFY: mention the requester on delivery and failure (`mention`, the default) or nobody. */
  notify?: 'mention' | 'none' | undefined;
}

export const DEFAULT_CORE_SETTINGS = {
  pollInitialMs: 2_000,
  pollMaxMs: 15_000,
  pollBatchThreshold: 3,
  idempotencyTtlMs: 24 * 60 * 60 * 1000,
  deliveryLeaseMs: 30_000,
  submitLeaseMs: 30_000,
  pollerLeaseMs: 15_000,
  pollerIdleMs: 30_000,
  unknownStatusMaxMs: 60 * 60 * 1000,
  estimatedRenderMs: 90_000,
  deliveryConcurrency: 16,
  submitConcurrency: 4,
} as const satisfies Partial<CoreSettings>;

export class SurfaceRegistry {
  private readonly surfaces = new Map<Platform, ChatSurface>();

  register(surface: ChatSurface): void {
    this.surfaces.set(surface.platform, surface);
  }

  forConversation(conversation: string): ChatSurface | undefined {
    const platform = platformOfConversation(conversation);
    return platform ? this.surfaces.get(platform) : undefined;
  }
}

export interface CoreContext {
  /** The pool's first deployment (the single provider without SORA_POOL). */
  provider: VideoProvider;
  /** Every deployment; jobs reach theirs through `deploymentOf` (deployment-router.ts). */
  pool: DeploymentPool;
  ledger: JobLedger;
  surfaces: SurfaceRegistry;
  clock: Clock;
  logger: Logger;
  settings: CoreSettings;
  /** Identifies this process in leases. */
  instanceId: string;
  /** Where the steps report their timings and counts (NO_METRICS when nobody scrapes). */
  metrics: CoreMetrics;
}
