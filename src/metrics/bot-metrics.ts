/**
 * The bot's Prometheus series (prom-client), in one registry per running bot: what the core reports
 * through its CoreMetrics port, every provider request the Sora client makes, what the adapters hold
 * back for platform rate budgets, and gauges read from the ledger when Prometheus scrapes.
 *
 * Gauges of the job ledger are computed at scrape time from the sizes of its per-state indexes (a few
 * O(1) store reads, whatever the history), never by listing jobs. Counters and histograms count what
 * this process did, so on several replicas Prometheus sums them; the ledger gauges are cluster-wide
 * (every replica reports the same value: take max() of them, not sum()).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AdapterMetrics } from '../adapter-plugin.js';
import { type FailureCode, type JobState, TERMINAL_STATES } from '../core/job.js';
import type { LiveJobState } from '../core/job-ledger.js';
import type { Logger } from '../core/logger.js';
import type { CoreMetrics } from '../core/metrics.js';
import type { ProviderRequestEvent, RequestObserver } from '../sora/client/request-events.js';

/** What a scrape reads from the core (SoraCore.gauges). */
export interface CoreGaugeSource {
  gauges(): Promise<{
    byState: Record<LiveJobState, number>;
    awaitingApproval: number;
    queueDepth: number;
  }>;
}

type GaugeSnapshot = Awaited<ReturnType<CoreGaugeSource['gauges']>>;

// Bucket bounds in seconds, chosen around what each step takes with a real provider (renders of one to
// several minutes, deliveries of seconds) and with the emulator (renders of a second or less).
const WAIT_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const RENDER_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200];
const DELIVERY_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];
const REQUEST_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface BotMetricsOptions {
  /** Node's process series (CPU, memory, event loop lag, GC); default true. */
  processMetrics?: boolean;
  logger?: Logger;
}

export class BotMetrics implements CoreMetrics, AdapterMetrics {
  readonly registry = new Registry();
  private readonly logger: Logger | undefined;
  private source: CoreGaugeSource | undefined;
  /** One read of the core per scrape, shared by the gauges that collect from it. */
  private snapshot: Promise<GaugeSnapshot | undefined> | undefined;
  private readonly editsWaiting = new Map<string, () => number>();

  private readonly finished: Counter<'state'>;
  private readonly failed: Counter<'code'>;
  private readonly queueWait: Histogram;
  private readonly render: Histogram;
  private readonly delivery: Histogram<'platform'>;
  private readonly deliveryBytes: Counter<'platform'>;
  private readonly providerRequests: Counter<'deployment' | 'endpoint' | 'outcome'>;
  private readonly providerLatency: Histogram<'deployment' | 'endpoint'>;
  private readonly statusEditsDeferred: Counter<'platform'>;
  private readonly spend: Counter;
  private readonly refunds: Counter;

  constructor(options: BotMetricsOptions = {}) {
    this.logger = options.logger;
    const registers = [this.registry];
    const metrics = this;
    // Gauges read at scrape time: nothing else holds on to them.
    new Gauge({
      name: 'sora_jobs',
      help: 'Unfinished jobs by state, cluster-wide (from the ledger at scrape time).',
      labelNames: ['state'],
      registers,
      async collect() {
        const read = await metrics.readCore();
        if (!read) return;
        for (const [state, count] of Object.entries(read.byState)) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'sora_jobs_awaiting_approval',
      help: "Jobs waiting for an admin's approval, cluster-wide (from the ledger at scrape time).",
      registers,
      async collect() {
        const read = await metrics.readCore();
        if (read) this.set(read.awaitingApproval);
      },
    });
    new Gauge({
      name: 'sora_queue_depth',
      help: "Jobs in the team queue waiting for a provider slot, as this process's scheduler last saw them.",
      registers,
      async collect() {
        const read = await metrics.readCore();
        if (read) this.set(read.queueDepth);
      },
    });
    this.finished = new Counter({
      name: 'sora_jobs_finished_total',
      help: 'Jobs this process moved into a terminal state (delivered, failed, deleted).',
      labelNames: ['state'],
      registers,
    });
    this.failed = new Counter({
      name: 'sora_jobs_failed_total',
      help: 'Jobs this process failed, by failure code.',
      labelNames: ['code'],
      registers,
    });
    this.queueWait = new Histogram({
      name: 'sora_queue_wait_seconds',
      help: 'Time from a job being accepted to its submission to the provider.',
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.render = new Histogram({
      name: 'sora_render_seconds',
      help: 'Time from submission to the provider reporting the render completed.',
      buckets: RENDER_BUCKETS,
      registers,
    });
    this.delivery = new Histogram({
      name: 'sora_delivery_seconds',
      help: 'Time from the render completing to the video posted in its conversation.',
      labelNames: ['platform'],
      buckets: DELIVERY_BUCKETS,
      registers,
    });
    this.deliveryBytes = new Counter({
      name: 'sora_delivery_bytes_total',
      help: 'Video bytes uploaded to chat platforms.',
      labelNames: ['platform'],
      registers,
    });
    this.providerRequests = new Counter({
      name: 'sora_provider_requests_total',
      help: 'Requests to the video provider by deployment, endpoint and outcome (2xx, 429, 4xx, 5xx, timeout, network, invalid_response, aborted); each retry counts.',
      labelNames: ['deployment', 'endpoint', 'outcome'],
      registers,
    });
    this.providerLatency = new Histogram({
      name: 'sora_provider_request_duration_seconds',
      help: 'Provider request time to the status line (and the JSON body, for JSON answers), by deployment and endpoint.',
      labelNames: ['deployment', 'endpoint'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'sora_status_edits_waiting',
      help: "Status-message edits held back by a platform's rate budget right now.",
      labelNames: ['platform'],
      registers,
      collect() {
        for (const [platform, waiting] of metrics.editsWaiting) this.set({ platform }, waiting());
      },
    });
    this.statusEditsDeferred = new Counter({
      name: 'sora_status_edits_deferred_total',
      help: "Status-message edits deferred by a platform's rate budget (a newer edit of the same message replaces a deferred one).",
      labelNames: ['platform'],
      registers,
    });
    this.spend = new Counter({
      name: 'sora_spend_dollars_total',
      help: 'Budget reservations settled as charged (the estimated cost of rendered videos), in US dollars.',
      registers,
    });
    this.refunds = new Counter({
      name: 'sora_refunds_dollars_total',
      help: 'Budget reservations refunded (failed, refused or never submitted), in US dollars.',
      registers,
    });
    // Present from the first scrape, so a dashboard shows 0 rather than "no data".
    for (const state of TERMINAL_STATES) this.finished.inc({ state }, 0);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the ledger gauges come from (set once the core exists). */
  watchCore(source: CoreGaugeSource): void {
    this.source = source;
  }

  /** The text Prometheus reads, with its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /**
   * The Sora client's observer (createProvider's `observe`), one per deployment so a pool's series tell
   * its deployments apart: the label is the deployment's name (SORA_POOL's `name`, `default` for a
   * single provider), never its endpoint or key.
   */
  observeProviderRequestsOf(deployment: string): RequestObserver {
    return (event: ProviderRequestEvent) => {
      this.providerRequests.inc({ deployment, endpoint: event.endpoint, outcome: event.outcome });
      this.providerLatency.observe({ deployment, endpoint: event.endpoint }, event.seconds);
    };
  }

  // CoreMetrics

  jobSubmitted(waitMs: number): void {
    this.queueWait.observe(seconds(waitMs));
  }

  renderCompleted(renderMs: number): void {
    this.render.observe(seconds(renderMs));
  }

  videoDelivered(platform: string, completionToDeliveryMs: number, bytes: number): void {
    this.delivery.observe({ platform }, seconds(completionToDeliveryMs));
    this.deliveryBytes.inc({ platform }, bytes);
  }

  jobFinished(state: JobState, failure: FailureCode | null): void {
    this.finished.inc({ state });
    if (state === 'failed') this.failed.inc({ code: failure ?? 'unknown' });
  }

  budgetSettled(outcome: 'charged' | 'refunded', micros: number): void {
    (outcome === 'charged' ? this.spend : this.refunds).inc(micros / 1_000_000);
  }

  // AdapterMetrics

  watchStatusEdits(platform: string, waiting: () => number): void {
    this.editsWaiting.set(platform, waiting);
    this.statusEditsDeferred.inc({ platform }, 0);
  }

  statusEditDeferred(platform: string): void {
    this.statusEditsDeferred.inc({ platform });
  }

  private readCore(): Promise<GaugeSnapshot | undefined> {
    const source = this.source;
    if (!source) return Promise.resolve(undefined);
    this.snapshot ??= source
      .gauges()
      .catch((error: unknown) => {
        // A scrape during a store outage still answers (process series, counters); the gauges keep
        // their last values.
        this.logger?.warn({ err: error }, 'metrics: could not read the job ledger');
        return undefined;
      })
      .finally(() => {
        this.snapshot = undefined;
      });
    return this.snapshot;
  }
}

function seconds(ms: number): number {
  // Clocks of two replicas can disagree by a little: a negative span is zero.
  return Math.max(0, ms) / 1000;
}
