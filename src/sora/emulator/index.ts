/**
 * The Sora emulator: a local HTTP server that speaks the Videos API (OpenAI `/v1/videos...` and Azure
 * `/openai/v1/videos...`) with the real service's shapes, errors, limits and lifecycle, and serves real
 * MP4/WebP/JPEG files made with ffmpeg. Used by the tests, the benchmarks, and the bot's offline mode.
 * See docs/sora-api.md for the behaviour it reproduces.
 */
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { FaultInjector } from './faults.js';
import { JobStore } from './job-store.js';
import { videoAt } from './lifecycle.js';
import { CreationLimiter } from './limits.js';
import { Renderer } from './render.js';
import { createEmulatorServer } from './server.js';
import type { EmulatorLogger, EmulatorOptions, RunningEmulator } from './types.js';
import { WebhookDispatcher, webhookKey } from './webhooks.js';

export {
  FAIL_MARKER,
  INTERNAL_ERROR,
  MODERATION_BLOCKED_ERROR,
  MODERATION_RULES,
  type ModerationCategory,
  type ModerationVerdict,
  moderatePrompt,
} from './moderation.js';
export type {
  EmulatorClock,
  EmulatorFlavour,
  EmulatorLogger,
  EmulatorOptions,
  FaultOptions,
  RunningEmulator,
  WebhookOptions,
} from './types.js';
export { signWebhook } from './webhooks.js';

export const EMULATOR_DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  renderMs: 10_000,
  maxRunning: 10,
  requestsPerMinute: 0,
  expiresAfterMs: 3_600_000,
} as const;

const rate = z.number().min(0).max(1);

/** The plain-data options, checked at start so a bad value fails with the option's name. */
const SettingsSchema = z.object({
  port: z.number().int().min(0).max(65_535).default(EMULATOR_DEFAULTS.port),
  host: z.string().min(1).default(EMULATOR_DEFAULTS.host),
  renderMs: z.number().int().min(0).default(EMULATOR_DEFAULTS.renderMs),
  maxRunning: z.number().int().min(1).default(EMULATOR_DEFAULTS.maxRunning),
  requestsPerMinute: z.number().int().min(0).default(EMULATOR_DEFAULTS.requestsPerMinute),
  windowMs: z.number().int().min(1).default(60_000),
  apiKey: z.string().min(1).optional(),
  expiresAfterMs: z.number().int().min(0).default(EMULATOR_DEFAULTS.expiresAfterMs),
  faults: z
    .object({
      errorRate: rate.optional(),
      dropRate: rate.optional(),
      latencyMs: z.number().int().min(0).optional(),
      seed: z.number().int().optional(),
      failAfterCreateRate: rate.optional(),
      omitPrompt: z.boolean().optional(),
    })
    .optional(),
  webhook: z
    .object({
      url: z.string().regex(/^https?:\/\//, 'an http(s) URL'),
      secret: z.string().refine((s) => {
        try {
          webhookKey(s);
          return true;
        } catch {
          return false;
        }
      }, 'whsec_ followed by base64'),
    })
    .optional(),
  ffmpegPath: z.string().min(1).optional(),
  cacheDir: z.string().min(1).optional(),
  stateFile: z.string().min(1).optional(),
});

const SILENT: EmulatorLogger = { debug() {}, info() {}, warn() {}, error() {} };

export class EmulatorOptionsError extends Error {
  override readonly name = 'EmulatorOptionsError';
  readonly code = 'emulator_options_invalid';
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const parsed = SettingsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new EmulatorOptionsError(`emulator option ${issue.path.join('.')}: ${issue.message}`);
  }
  const settings = parsed.data;
  const clock = options.clock ?? { now: () => Date.now() };
  const logger = options.logger ?? SILENT;
  const renderer = new Renderer({ ffmpegPath: settings.ffmpegPath, cacheDir: settings.cacheDir });
  const webhooks = settings.webhook ? new WebhookDispatcher(settings.webhook, clock, logger) : undefined;
  const state = {
    renderMs: settings.renderMs,
    expiresAfterMs: settings.expiresAfterMs,
    clock,
    store: new JobStore(settings.stateFile),
    limiter: new CreationLimiter(settings),
    renderer,
    webhooks,
    contentOverride: options.contentOverride,
    logger,
    faults: settings.faults ? new FaultInjector(settings.faults) : undefined,
    outage: null as number | null,
  };
  const server = createEmulatorServer({ state, apiKey: settings.apiKey });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${host}:${port}`;
  logger.info({ url }, 'sora emulator listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    azureEndpoint: url,
    setOutage: (status) => {
      state.outage = status;
    },
    videos: () =>
      state.store.all().map((job) => videoAt(job, clock.now(), { expiresAfterMs: settings.expiresAfterMs })),
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await Promise.all([closed, webhooks?.close(), renderer.close()]);
      })();
      return closing;
    },
  };
}
