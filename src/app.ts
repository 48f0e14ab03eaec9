/**
 * `sora-bot start`: wires the configured provider (or an embedded emulator), the store, the core,
 * the HTTP server and every adapter whose credentials are set. With no chat credentials it runs the
 * local playground, so `npm install && npm start` works on a fresh machine.
 */

import { join } from 'node:path';
import { Agent } from 'undici';
import type { AdapterContext, AdapterStarter, RunningAdapter } from './adapter-plugin.js';
import { budgetSettings } from './budget-settings.js';
import { type Config, slackConfigured } from './config.js';
import { type Clock, systemClock } from './core/clock.js';
import type { Logger } from './core/logger.js';
import { SoraCore } from './core/sora-core.js';
import { mountHealth } from './http/health-route.js';
import { HttpServer } from './http/http-server.js';
import { mountMetrics } from './http/metrics-route.js';
import { mountOpenAiWebhook } from './http/openai-webhook-route.js';
import { createLogger } from './logging.js';
import { setFfmpegConcurrency } from './media/ffmpeg.js';
import { BotMetrics } from './metrics/bot-metrics.js';
import { metricsAccess } from './metrics/metrics-access.js';
import type { RequestObserver } from './sora/client/request-events.js';
import { createProvider, EMULATOR_API_KEY } from './sora/index.js';
import { type DeploymentPool, SINGLE_DEPLOYMENT } from './sora/pool/deployment-pool.js';
import { poolFromConfig } from './sora/pool/index.js';
import type { VideoProvider } from './sora/provider.js';
import { namespacedValues } from './store/key-values.js';
import { openStore } from './store/open-store.js';

export interface StartBotOptions {
  clock?: Clock;
  logger?: Logger;
  /** Where to print the start-up summary (default stdout); tests pass a no-op. */
  print?: (line: string) => void;
}

export interface RunningBot {
  url: string;
  core: SoraCore;
  provider: VideoProvider;
  adapters: RunningAdapter[];
  close(): Promise<void>;
}

interface AdapterEntry {
  name: string;
  enabled(config: Config): boolean;
  load(): Promise<AdapterStarter>;
}

/** Each adapter starts when its credentials are set; the playground when no other does (or PLAYGROUND=1). */
const ADAPTERS: AdapterEntry[] = [
  {
    name: 'playground',
    enabled: (config) =>
      config.PLAYGROUND === true || (config.PLAYGROUND === undefined && !hasChatCredentials(config)),
    load: async () => (await import('../adapters/playground/index.js')).startPlayground,
  },
  {
    name: 'slack',
    enabled: (config) => slackConfigured(config),
    load: async () => (await import('../adapters/slack/index.js')).startSlack,
  },
  {
    name: 'discord',
    enabled: (config) => Boolean(config.DISCORD_TOKEN),
    load: async () => (await import('../adapters/discord/index.js')).startDiscord,
  },
];

export function hasChatCredentials(config: Config): boolean {
  return Boolean(slackConfigured(config) || config.DISCORD_TOKEN);
}

export async function startBot(config: Config, options: StartBotOptions = {}): Promise<RunningBot> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    if (config.FFMPEG_MAX_CONCURRENT) setFfmpegConcurrency(config.FFMPEG_MAX_CONCURRENT);
    // The port first: a taken PORT is one line (ListenError) before anything is written to DATA_DIR.
    // Routes are mounted below as their parts start; until then a request gets a 404.
    const http = new HttpServer({ host: config.HOST, port: config.PORT, logger });
    const url = await http.listen();
    closers.push(() => http.close());
    // Series are kept only when /metrics can be read (otherwise every report is a no-op).
    const access = metricsAccess(config);
    const metrics = access.mode === 'off' ? undefined : new BotMetrics({ logger });
    const observe = metrics
      ? (deployment: string) => metrics.observeProviderRequestsOf(deployment)
      : undefined;
    // The bot's one undici Agent, passed to the provider and the adapters (uploads, Discord's REST);
    // nothing of ours installs a global dispatcher (docs/discord-adapter.md, "One HTTP stack").
    const dispatcher = new Agent();
    closers.push(() => dispatcher.close());
    const { provider, describe, pool } = await openProvider(config, logger, closers, dispatcher, observe);
    const store = await openStore({ storeUrl: config.STORE_URL, dataDir: config.DATA_DIR, exclusive: true });
    if (store.kind === 'redis' && config.SORA_PROVIDER === 'emulator')
      // Another replica could never poll or download this process's stand-in renders.
      logger.warn(
        {},
        'STORE_URL is Redis but the provider is the embedded emulator, which lives in this process only: run one emulator (sora-bot emulator) and point every replica at it, or use a real provider',
      );
    closers.push(() => store.close());
    const renderMs = config.SORA_PROVIDER === 'emulator' ? config.SORA_EMULATOR_RENDER_MS : undefined;
    const core = new SoraCore({
      provider,
      ...(pool ? { pool } : {}),
      store,
      clock: options.clock,
      logger,
      budgets: budgetSettings(config),
      metrics,
      renderUsageChart: async (input) => (await import('./media/usage-chart.js')).renderUsageChart(input),
      settings: {
        dataDir: config.DATA_DIR,
        defaultModel: config.SORA_MODEL,
        admins: config.SORA_ADMINS,
        maxConcurrent: config.SORA_MAX_CONCURRENT,
        requestsPerMinute: config.SORA_RPM,
        retentionMs: config.VIDEO_RETENTION_DAYS * 24 * 60 * 60 * 1000,
        ffmpegPath: config.FFMPEG_PATH,
        notify: config.SORA_NOTIFY,
        // The emulator renders in seconds: poll it proportionally so the demo feels live.
        ...(renderMs !== undefined
          ? {
              pollInitialMs: clamp(renderMs / 10, 100, 2_000),
              pollMaxMs: clamp(renderMs / 4, 250, 15_000),
              estimatedRenderMs: Math.max(renderMs, 1_000),
            }
          : {}),
      },
    });
    mountHealth(http, { store, provider });
    metrics?.watchCore(core);
    mountMetrics(http, { access, exposition: async () => metrics!.exposition() });
    if (config.OPENAI_WEBHOOK_SECRET)
      mountOpenAiWebhook(http, {
        secret: config.OPENAI_WEBHOOK_SECRET,
        core,
        clock: options.clock ?? systemClock,
        logger,
        values: namespacedValues(store, 'webhooks'),
      });
    const ctx: AdapterContext = {
      config,
      core,
      http,
      logger,
      clock: options.clock ?? systemClock,
      dispatcher,
      values: (namespace) => namespacedValues(store, namespace),
      ...(metrics ? { metrics } : {}),
    };
    const adapters: RunningAdapter[] = [];
    for (const entry of ADAPTERS) {
      if (!entry.enabled(config)) continue;
      const start = await entry.load();
      const adapter = await start(ctx);
      adapters.push(adapter);
      closers.push(() => adapter.close());
    }
    await core.start();
    closers.push(() => core.stop());
    // The first /sora usage would otherwise pay for loading the chart libraries (about a second).
    const preload = setTimeout(() => {
      import('./media/usage-chart.js')
        .then((chart) => chart.preloadChartLibraries())
        .catch((error) => logger.warn({ err: error }, 'chart libraries could not be loaded'));
    }, 2_000);
    preload.unref();
    closers.push(async () => clearTimeout(preload));
    print(`sora-bot is running: Sora via ${describe}; HTTP on ${url}`);
    for (const adapter of adapters) print(`  ${adapter.name}: ${adapter.summary}`);
    logger.info({ url, provider: provider.kind, adapters: adapters.map((a) => a.name) }, 'sora-bot started');
    return { url, core, provider, adapters, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function openProvider(
  config: Config,
  logger: Logger,
  closers: (() => Promise<void>)[],
  dispatcher: Agent,
  observe: ((deployment: string) => RequestObserver) | undefined,
): Promise<{ provider: VideoProvider; describe: string; pool?: DeploymentPool }> {
  if (config.SORA_POOL) {
    // Several deployments (SORA_POOL): each entry names its own endpoint; no embedded emulator.
    const timeouts = { timeoutMs: config.SORA_REQUEST_TIMEOUT_MS, maxRetries: config.SORA_MAX_RETRIES };
    const { pool, describe } = poolFromConfig(config.SORA_POOL, {
      ...timeouts,
      dispatcher,
      logger,
      // Each deployment's requests under its own name (sora_provider_requests_total{deployment}).
      ...(observe ? { clientOptions: (name: string) => ({ observe: observe(name) }) } : {}),
    });
    return { provider: pool.primary.provider, describe, pool };
  }
  if (config.SORA_PROVIDER !== 'emulator') {
    const where = config.SORA_PROVIDER === 'azure' ? config.AZURE_OPENAI_ENDPOINT : config.OPENAI_BASE_URL;
    return {
      provider: createProvider(config, { dispatcher, logger, observe: observe?.(SINGLE_DEPLOYMENT) }),
      describe: `${config.SORA_PROVIDER} at ${where}`,
    };
  }
  const { startEmulator } = await import('./sora/emulator/index.js');
  // The embedded emulator has no account limits of its own: the bot's queue (SORA_MAX_CONCURRENT,
  // SORA_RPM) is what is being demonstrated.
  const emulator = await startEmulator({
    renderMs: config.SORA_EMULATOR_RENDER_MS,
    apiKey: EMULATOR_API_KEY,
    maxRunning: 1000,
    ffmpegPath: config.FFMPEG_PATH,
    // Jobs survive a restart of the bot, so a render in flight is still delivered afterwards.
    stateFile: join(config.DATA_DIR, 'emulator', 'jobs.json'),
  });
  closers.push(() => emulator.close());
  return {
    provider: createProvider(config, {
      emulatorUrl: emulator.url,
      emulatorApiKey: EMULATOR_API_KEY,
      dispatcher,
      logger,
      observe: observe?.(SINGLE_DEPLOYMENT),
    }),
    describe: `the built-in emulator (no key needed; renders in ${config.SORA_EMULATOR_RENDER_MS} ms)`,
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.round(Math.max(min, Math.min(max, value)));
}
