/**
 * A real bot core with the Slack adapter against the fake Slack (test/fakes/slack) and the Sora
 * emulator: the core with a SQLite ledger, the real Sora client, the bot's HTTP server and real Bolt.
 * `stop()` ends the bot but leaves the fake and the emulator running, so a test can start a second
 * bot on the same DATA_DIR (a restart). Logs are recorded, to prove that no token ever reaches them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SLACK_APP_REQUIREMENTS } from '../../adapters/slack/app-requirements.js';
import { channelScope } from '../../adapters/slack/conversation.js';
import type { DownloadLimits } from '../../adapters/slack/file-download.js';
import { type RunningSlackAdapter, startSlackAdapter } from '../../adapters/slack/index.js';
import { parseConfig } from '../../src/config.js';
import type { BudgetSettings } from '../../src/core/budget-book.js';
import { systemClock } from '../../src/core/clock.js';
import type { CoreSettings } from '../../src/core/core-context.js';
import type { Job } from '../../src/core/job.js';
import type { Logger } from '../../src/core/logger.js';
import { type JobView, toJobView } from '../../src/core/messages.js';
import { SoraCore } from '../../src/core/sora-core.js';
import { HttpServer } from '../../src/http/http-server.js';
import { type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { createProvider, EMULATOR_API_KEY } from '../../src/sora/index.js';
import type { VideoProvider } from '../../src/sora/provider.js';
import { namespacedValues } from '../../src/store/key-values.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { type FakeSlack, type StartFakeSlackOptions, startFakeSlack } from '../fakes/slack/index.js';
import { until } from '../support/until.js';

export const CHANNEL = 'C0GENERAL01';
export const ALICE = 'U0ALICE0001';
export const ADMIN = 'U0ADMIN0001';
export const BOB = 'U0BOB000001';

/** Every scope manifest.yml asks for (the fake's default list predates chat:write.public). */
export const ALL_SCOPES: string[] = [...SLACK_APP_REQUIREMENTS.scopes];

export class RecordingLogger implements Logger {
  constructor(readonly lines: string[] = []) {}
  debug(obj: object, msg?: string) {
    this.record('debug', obj, msg);
  }
  info(obj: object, msg?: string) {
    this.record('info', obj, msg);
  }
  warn(obj: object, msg?: string) {
    this.record('warn', obj, msg);
  }
  error(obj: object, msg?: string) {
    this.record('error', obj, msg);
  }
  child(): Logger {
    return this;
  }
  private record(level: string, obj: object, msg?: string) {
    let fields: string;
    try {
      fields = JSON.stringify(obj, (_k, v) =>
        v instanceof Error ? { ...v, message: v.message, stack: v.stack } : v,
      );
    } catch {
      fields = String(obj);
    }
    this.lines.push(`${level} ${msg ?? ''} ${fields}`);
  }
}

export interface SlackHarnessOptions {
  fake?: FakeSlack;
  fakeOptions?: StartFakeSlackOptions;
  emulator?: RunningEmulator;
  renderMs?: number;
  dataDir?: string;
  mode?: 'socket' | 'http';
  settings?: Partial<CoreSettings>;
  statusEdits?: { perMinute: number; burst: number };
  remixEmoji?: string;
  /** Prices, limits and approvals (the core's defaults: published prices, no limits). */
  budgets?: Partial<BudgetSettings>;
  /** Timeouts and byte cap of people's file downloads (the adapter's defaults otherwise). */
  downloads?: Partial<DownloadLimits>;
  /** More environment, over the harness's own (undefined unsets one: OAuth mode drops SLACK_BOT_TOKEN). */
  env?: Record<string, string | undefined>;
  /** Wraps the real Sora client (e.g. test/support/gates.ts holds a create). */
  provider?: (real: VideoProvider) => VideoProvider;
}

export class SlackHarness {
  private constructor(
    readonly fake: FakeSlack,
    readonly emulator: RunningEmulator,
    readonly core: SoraCore,
    readonly adapter: RunningSlackAdapter,
    readonly http: HttpServer,
    readonly store: SqliteStore,
    readonly dataDir: string,
    readonly logger: RecordingLogger,
    private readonly owns: { fake: boolean; emulator: boolean; dataDir: boolean },
  ) {}

  static async start(options: SlackHarnessOptions = {}): Promise<SlackHarness> {
    const fake =
      options.fake ??
      (await startFakeSlack({
        scopes: ALL_SCOPES,
        users: [
          { id: ALICE, name: 'alice' },
          { id: BOB, name: 'bob' },
          { id: ADMIN, name: 'root', isAdmin: true, isOwner: true },
        ],
        ...options.fakeOptions,
      }));
    const emulator =
      options.emulator ??
      (await startEmulator({ renderMs: options.renderMs ?? 200, apiKey: EMULATOR_API_KEY }));
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sora-slack-'));
    const config = parseConfig({
      SORA_PROVIDER: 'emulator',
      SORA_MAX_RETRIES: '1',
      DATA_DIR: dataDir,
      SLACK_BOT_TOKEN: fake.options.botToken,
      ...(options.mode === 'http'
        ? { SLACK_SIGNING_SECRET: fake.options.signingSecret }
        : { SLACK_APP_TOKEN: fake.options.appToken }),
      SLACK_API_URL: fake.apiUrl,
      ...(options.remixEmoji ? { SLACK_REMIX_EMOJI: options.remixEmoji } : {}),
      LOG_LEVEL: 'silent',
      ...options.env,
    });
    const logger = new RecordingLogger();
    const store = await SqliteStore.open(join(dataDir, 'ledger.sqlite'));
    const real = createProvider(config, { emulatorUrl: emulator.url, emulatorApiKey: EMULATOR_API_KEY });
    const provider = options.provider ? options.provider(real) : real;
    const core = new SoraCore({
      provider,
      store,
      logger,
      ...(options.budgets ? { budgets: options.budgets } : {}),
      // The app's own chart renderer (src/app.ts wires the same one).
      renderUsageChart: async (input) =>
        (await import('../../src/media/usage-chart.js')).renderUsageChart(input),
      settings: {
        dataDir,
        defaultModel: 'sora-2',
        admins: [],
        maxConcurrent: 4,
        requestsPerMinute: 0,
        retentionMs: 7 * 24 * 3600 * 1000,
        pollInitialMs: 40,
        pollMaxMs: 80,
        estimatedRenderMs: 200,
        ...options.settings,
      },
    });
    const http = new HttpServer({ host: '127.0.0.1', port: 0, logger });
    const adapter = await startSlackAdapter(
      {
        config,
        core,
        http,
        logger,
        clock: systemClock,
        values: (namespace) => namespacedValues(store, namespace),
      },
      {
        retryConfig: { retries: 0 },
        clientPingTimeoutMs: 1_000,
        shareSettleMs: 500,
        ...(options.statusEdits ? { statusEdits: options.statusEdits } : {}),
        ...(options.downloads ? { downloads: options.downloads } : {}),
      },
    );
    await http.listen();
    await core.start();
    return new SlackHarness(fake, emulator, core, adapter, http, store, dataDir, logger, {
      fake: !options.fake,
      emulator: !options.emulator,
      dataDir: !options.dataDir,
    });
  }

  /** Ends the bot (Slack connection, loops, HTTP, store); the fake, the emulator and DATA_DIR stay. */
  async stop(): Promise<void> {
    await this.adapter.close();
    if (this.adapter.mode === 'socket') await this.fake.socket.waitForNoConnections();
    await this.core.stop();
    await this.http.close();
    await this.store.close();
  }

  async close(): Promise<void> {
    await this.stop();
    if (this.owns.fake) await this.fake.close();
    if (this.owns.emulator) await this.emulator.close();
    if (this.owns.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  get eventsUrl(): string {
    return `${this.http.url}/slack/events`;
  }

  /** Sends `/sora TEXT` over Socket Mode as `user`; resolves with the ack. */
  command(text: string, options: { user?: string; channel?: string } = {}) {
    const payload = this.fake.payloads.slashCommand({
      text,
      userId: options.user ?? ALICE,
      channelId: options.channel ?? CHANNEL,
    });
    return { payload, ack: this.fake.socket.sendSlashCommand(payload) };
  }

  /** The job whose parent message has this ts. */
  async jobByParent(ts: string, channel = CHANNEL): Promise<Job> {
    return this.until(async () => {
      const view = await this.core.jobForMessage('slack', `${this.fake.options.teamId}:${channel}:${ts}`);
      return view ? this.core.jobRecord(view.id) : undefined;
    });
  }

  /** Waits until the job reaches one of `states` (no deadline but the test's: test/support/until.ts). */
  async waitFor(jobId: string, states: Job['state'][]): Promise<Job> {
    return this.until(
      async () => {
        const job = await this.core.jobRecord(jobId);
        return job && states.includes(job.state) ? job : undefined;
      },
      () => `job ${jobId} to reach ${states.join('|')}`,
    );
  }

  async until<T>(
    check: () => T | undefined | false | null | Promise<T | undefined | false | null>,
    describe: () => string = () => 'a condition',
  ): Promise<T> {
    return until(check, describe);
  }

  /** Every job of the channel, newest first (what `/sora list --all` pages through). */
  async jobsInChannel(channel = CHANNEL): Promise<JobView[]> {
    return (await this.core.channelJobs(channelScope(this.fake.options.teamId, channel))).map(toJobView);
  }

  /** Every log line, to check that no secret is in any of them. */
  logText(): string {
    return this.logger.lines.join('\n');
  }
}
