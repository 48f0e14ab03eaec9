/**
 * The platform-neutral command core. Adapters parse with `parse`, acknowledge the platform, then call
 * `run`; the core creates durable jobs, queues them fairly, polls the provider and delivers the video
 * back through the conversation's ChatSurface. It imports no platform SDK.
 */
import { randomUUID } from 'node:crypto';
import type { ProviderCapabilities } from '../sora/capabilities.js';
import { BudgetBook } from './budget-book.js';
import { BudgetDesk } from './budget-desk.js';
import { systemClock } from './clock.js';
import { type ComposerReading, parseCommand, readForComposer } from './command-parser.js';
import { type CoreContext, DEFAULT_CORE_SETTINGS, SurfaceRegistry } from './core-context.js';
import { CoreLoops } from './core-loops.js';
import {
  type CommandOutcome,
  type CommandRequest,
  DEFAULT_BUDGETS,
  type SoraCoreOptions,
} from './core-options.js';
import { cleanupDeletedJob, deleteJob } from './delete-job.js';
import { poolOf } from './deployment-router.js';
import type { AttachmentMeta, ParseResult } from './intents.js';
import type { Job } from './job.js';
import { JobAnnouncer } from './job-announcer.js';
import { JobControls, postFailure } from './job-controls.js';
import { JobIntake } from './job-intake.js';
import { JobLedger, type LiveJobState } from './job-ledger.js';
import { listJobs } from './list-jobs.js';
import { silentLogger } from './logger.js';
import { type BotMessage, type JobView, toJobView } from './messages.js';
import { NO_METRICS } from './metrics.js';
import { settingsCommand } from './notify-settings.js';
import { type PersonOverview, personOverview } from './person-overview.js';
import { canDelete, findVisibleJob, isConfiguredAdmin } from './policy.js';
import { RecentJobs, type RecentJobsQuery } from './recent-jobs.js';
import { RenderPoller } from './render-poller.js';
import { helpMessage, noSuchVideo, resultActions } from './replies.js';
import { type Requester, type RequesterInput, RequesterSchema } from './requester.js';
import { resumeLedger } from './resume-ledger.js';
import { RetentionSweeper } from './retention-sweeper.js';
import { StatusReporter } from './status-reporter.js';
import { SubmissionScheduler } from './submission-scheduler.js';
import type { ChatSurface } from './surface.js';
import { VideoDelivery } from './video-delivery.js';

export type { CommandOutcome, CommandRequest, SoraCoreOptions } from './core-options.js';

/** Waiting jobs whose status message follows their queue position live. */
const QUEUE_POSITIONS_SHOWN = 10;
export class SoraCore {
  readonly capabilities: ProviderCapabilities;
  private readonly ctx: CoreContext;
  private readonly scheduler: SubmissionScheduler;
  private readonly poller: RenderPoller;
  private readonly delivery: VideoDelivery;
  private readonly reporter: StatusReporter;
  private readonly sweeper: RetentionSweeper;
  private readonly announcer: JobAnnouncer;
  private readonly intake: JobIntake;
  private readonly desk: BudgetDesk;
  private readonly controls: JobControls;
  private readonly loops: CoreLoops;

  constructor(options: SoraCoreOptions) {
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? silentLogger;
    this.ctx = {
      provider: options.provider,
      pool: poolOf(options),
      ledger: new JobLedger(options.store, logger),
      surfaces: new SurfaceRegistry(),
      clock,
      logger,
      settings: { ...DEFAULT_CORE_SETTINGS, ...options.settings },
      instanceId: options.instanceId ?? randomUUID(),
      metrics: options.metrics ?? NO_METRICS,
    };
    this.capabilities = this.ctx.pool.capabilities;
    this.scheduler = new SubmissionScheduler(this.ctx, {
      onSubmitted: async (job) => {
        if (job.submittedAt !== null) this.ctx.metrics.jobSubmitted(job.submittedAt - job.createdAt);
        await this.reporter.report(job, { force: true });
        this.loops.wake('poller');
      },
      onFailed: (job) => this.reportFailure(job),
      onDeletedInFlight: (jobId) => this.cleanUpSoon(jobId),
      onQueueChanged: async (waiting) => {
        // Only the front of the queue sees its position move: with hundreds waiting, editing every
        // status message on every submission would spend the platform's rate limit on noise.
        for (const job of waiting.slice(0, QUEUE_POSITIONS_SHOWN)) await this.reporter.report(job);
      },
    });
    this.reporter = new StatusReporter(this.ctx, (id) => this.scheduler.queueInfo(id));
    this.poller = new RenderPoller(this.ctx, {
      onProgress: (job) => this.reporter.report(job),
      onCompleted: async (job) => {
        if (job.submittedAt && job.completedAt) {
          this.scheduler.recordRenderDuration(job.completedAt - job.submittedAt);
          this.ctx.metrics.renderCompleted(job.completedAt - job.submittedAt);
        }
        await this.reporter.report(job);
        // Any replica may deliver it, and its slot is free for the next job in the queue.
        this.loops.wake('delivery');
        this.loops.wake('scheduler');
      },
      onFailed: async (job) => {
        await this.reportFailure(job);
        this.loops.wake('scheduler');
      },
    });
    this.delivery = new VideoDelivery(this.ctx, {
      onDelivered: (job) => this.reporter.report(job, { force: true }),
      onFailed: (job) => this.reportFailure(job),
      onPhase: (job) => this.reporter.report(job),
      onPlaceFreed: () => this.loops.delivery.wake(),
      onDeletedInFlight: (jobId) => this.cleanUpSoon(jobId),
    });
    this.sweeper = new RetentionSweeper(this.ctx);
    this.announcer = new JobAnnouncer(this.ctx, () => this.scheduler.waitingCount());
    const book = new BudgetBook(
      options.store,
      { ...DEFAULT_BUDGETS, ...options.budgets },
      this.capabilities.provider,
      this.ctx.metrics,
    );
    this.desk = new BudgetDesk(
      this.ctx,
      book,
      {
        onApproved: async (job) => {
          await this.reporter.report(job, { force: true });
          this.loops.wake('scheduler');
        },
        onDeclined: (job) => this.reportFailure(job),
      },
      options.renderUsageChart,
    );
    // Every job that finishes has its reservation charged or refunded at once (the budget loop
    // catches up on any a crash interrupted).
    this.ctx.ledger.onTerminal = (job) => {
      this.ctx.metrics.jobFinished(job.state, job.failure?.code ?? null);
      void this.desk
        .settle(job)
        .catch((error) =>
          this.ctx.logger.warn({ jobId: job.id, err: error }, 'budget settlement failed; will retry'),
        );
    };
    this.intake = new JobIntake(
      this.ctx,
      this.capabilities,
      this.announcer,
      {
        visibleJob: (r, id) => this.visibleJob(r, id),
        onQueued: () => this.loops.wake('scheduler'),
      },
      { book },
    );
    this.controls = new JobControls(this.ctx, {
      intake: this.intake,
      reportCancelled: (job) => this.reporter.report(job, { force: true }),
    });
    this.loops = new CoreLoops(this.ctx, {
      scheduler: () => this.scheduler.tick(),
      poller: () => this.poller.tick(),
      delivery: () => this.delivery.tick(),
      retention: () => this.sweeper.tick(),
      budgets: () => this.desk.tick(),
      orphans: (minAgeMs) => this.announcer.recoverOrphans(minAgeMs),
    });
  }

  /** Runs a deleted job's cleanup now (it stays listed for the cleanup loop if this fails). */
  private cleanUpSoon(jobId: string): void {
    void cleanupDeletedJob(this.ctx, jobId).catch((error) =>
      this.ctx.logger.warn({ jobId, err: error }, 'cleanup of a deleted job failed; will retry'),
    );
  }

  /**
   * What a video with these options would cost, in micro-dollars (format with `formatUsd`), for
   * forms that show the price before anything is asked.
   */
  estimateCost(options: { model: string; size: string; seconds: string }): number {
    return this.desk.book.estimate(options);
  }

  /** A job's estimated cost and how its reservation ended (null while the job is unfinished). */
  async costOf(
    jobId: string,
  ): Promise<{ micros: number; outcome: 'charged' | 'refunded' | null } | undefined> {
    const job = await this.ctx.ledger.get(jobId);
    if (!job?.cost) return undefined;
    return { micros: job.cost.micros, outcome: await this.desk.book.outcome(job) };
  }

  /** SORA_MODEL: the model used when a command names none. */
  get defaultModel(): string {
    return this.ctx.settings.defaultModel;
  }

  /** Unfinished jobs, as the ledger has them (for tests, benchmarks and `doctor`). */
  activeJobs(): Promise<Job[]> {
    return this.ctx.ledger.active();
  }

  /** A channel's jobs, newest first (what `list --all` pages through; for benchmarks and tests). */
  async channelJobs(channel: string, limit = 1_000): Promise<Job[]> {
    return (await this.ctx.ledger.page({ channel }, 0, limit)).jobs;
  }

  /** Ids of job records moved aside because they failed validation. */
  quarantinedJobs(): Promise<string[]> {
    return this.ctx.ledger.quarantined();
  }

  /**
   * What a metrics scrape reads: unfinished jobs per state and those awaiting approval (cluster-wide,
   * from the ledger's index sizes: a few reads whatever the history), and the queue as this process's
   * scheduler last saw it (waiting jobs it may submit, approvals excluded).
   */
  async gauges(): Promise<{
    byState: Record<LiveJobState, number>;
    awaitingApproval: number;
    queueDepth: number;
  }> {
    const counts = await this.ctx.ledger.counts();
    return { ...counts, queueDepth: this.scheduler.waitingCount() };
  }

  /** Provider calls the poller made (benchmarks compare them with per-job polling). */
  pollStats(): { retrieveCalls: number; listCalls: number } {
    return { ...this.poller.stats };
  }

  registerSurface(surface: ChatSurface): void {
    this.ctx.surfaces.register(surface);
  }

  /** Parses a text command and checks its options against the provider's capabilities. Never throws. */
  parse(text: string, attachment?: AttachmentMeta | null): ParseResult {
    return parseCommand(text, {
      capabilities: this.capabilities,
      defaultModel: this.ctx.settings.defaultModel,
      attachment: attachment ?? null,
    });
  }

  /** The same grammar as `parse`, for a composer before sending: a command, or a prompt and the options it sets. */
  readForComposer(text: string): ComposerReading {
    return readForComposer(text, {
      capabilities: this.capabilities,
      defaultModel: this.ctx.settings.defaultModel,
      attachment: null,
    });
  }

  /** Resumes every unfinished job from the ledger and starts the background loops. */
  async start(): Promise<void> {
    // From here on this process's leases end with it: another replica takes a job it was working on
    // the moment it dies, not when the lease's TTL runs out.
    await this.ctx.ledger.store.declarePresence(this.ctx.instanceId);
    await resumeLedger(this.ctx);
    await this.announcer.recoverOrphans(0);
    await this.loops.start();
  }

  async stop(): Promise<void> {
    await this.loops.stop();
    await this.delivery.drain();
    await this.poller.stop();
  }

  /** Wakes every loop (tests with a fake clock call it after advancing time). */
  wake(): void {
    this.loops.wakeAll();
  }

  async run(request: CommandRequest): Promise<CommandOutcome> {
    const requester = this.withAdmin(RequesterSchema.parse(request.requester));
    const intent = request.intent;
    switch (intent.kind) {
      case 'help':
        return reply(helpMessage(this.capabilities, this.ctx.settings.defaultModel));
      case 'list':
        return reply(await listJobs(this.ctx.ledger, requester, request.channel, intent));
      case 'status': {
        const job = await this.visibleJob(requester, intent.jobId);
        if (!job) return reply(noSuchVideo(intent.jobId));
        const view = toJobView(job);
        return reply({
          kind: 'job_details',
          job: view,
          queuePosition: this.scheduler.queueInfo(job.id)?.position ?? null,
          actions: job.state === 'delivered' ? resultActions(view) : [],
        });
      }
      case 'delete': {
        const job = await this.visibleJob(requester, intent.jobId);
        if (!job) return reply(noSuchVideo(intent.jobId));
        return reply(
          await deleteJob(this.ctx, requester, job, (deleted) =>
            this.reporter.report(deleted, { force: true }),
          ),
        );
      }
      case 'generate':
      case 'remix':
        return this.intake.accept(requester, request);
      case 'budget':
        return reply(await this.desk.budget(requester, intent));
      case 'usage':
        return reply(await this.desk.usage(requester, intent));
      case 'approval':
        return reply(await this.desk.decide(requester, intent.jobId, intent.approve));
      case 'control':
        return reply(await this.controls.run(requester, intent.action, intent.jobId));
      case 'settings':
        return reply(await settingsCommand(this.ctx, requester, intent.notify));
    }
  }

  /**
   * A provider event (webhook) says this video changed: poll its job at once rather than at its next
   * scheduled tick. Returns false for a video no job of ours owns.
   */
  async pollVideoNow(videoId: string): Promise<boolean> {
    if (!(await this.poller.pollSoon(videoId))) return false;
    // The webhook may have reached a replica that does not hold the poller lease.
    this.loops.wake('poller');
    return true;
  }

  /** The job a platform message shows (status or video), for reactions and buttons. */
  async jobForMessage(platform: string, messageRef: string): Promise<JobView | undefined> {
    const job = await this.ctx.ledger.byMessage(platform, messageRef);
    return job && job.state !== 'deleted' ? toJobView(job) : undefined;
  }

  /**
   * The requester's own recent videos in their workspace whose id or prompt contains `query.text`,
   * newest first (Discord's autocomplete of a video id; recent-jobs.ts bounds the reading).
   */
  async recentVideos(requester: RequesterInput, query: RecentJobsQuery): Promise<JobView[]> {
    this.recent ??= new RecentJobs(this.ctx.ledger);
    return this.recent.find(RequesterSchema.parse(requester), query);
  }

  /** Made on first use: only an adapter with autocomplete asks (its prompt cache is bounded). */
  private recent: RecentJobs | undefined;

  /** A job as `requester` may see it (same workspace, not deleted). */
  async viewJob(requester: RequesterInput, jobId: string): Promise<JobView | undefined> {
    const job = await this.visibleJob(this.withAdmin(RequesterSchema.parse(requester)), jobId);
    return job ? toJobView(job) : undefined;
  }

  /** Whether `requester` may delete the job (adapters show or hide a Delete offer with it). */
  async mayDelete(requester: RequesterInput, jobId: string): Promise<boolean> {
    const r = this.withAdmin(RequesterSchema.parse(requester));
    const job = await this.ctx.ledger.get(jobId);
    return Boolean(job && canDelete(r, job));
  }

  /** The job's record where its adapter needs more than the view (its conversation, its files). */
  async jobRecord(jobId: string): Promise<Job | undefined> {
    return this.ctx.ledger.get(jobId);
  }

  /**
   * One person's newest jobs (at most `limit`, from their own index) and what their budget leaves:
   * an app's Home (person-overview.ts).
   */
  async overview(requester: RequesterInput, limit: number): Promise<PersonOverview> {
    const r = this.withAdmin(RequesterSchema.parse(requester));
    return personOverview(this.ctx.ledger, this.desk.book, r, this.ctx.clock.now(), limit);
  }

  private withAdmin(r: Requester): Requester {
    return r.isAdmin || !isConfiguredAdmin(this.ctx.settings.admins, r) ? r : { ...r, isAdmin: true };
  }

  private visibleJob(r: Requester, jobId: string): Promise<Job | undefined> {
    return findVisibleJob(this.ctx.ledger, r, jobId);
  }

  private async reportFailure(job: Job): Promise<void> {
    await this.reporter.report(job, { force: true });
    await postFailure(this.ctx, job);
  }
}

function reply(message: BotMessage): CommandOutcome {
  return { kind: 'reply', message };
}
