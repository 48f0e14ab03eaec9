/**
 * The one schema for every environment variable, parsed once at start. A missing or malformed value
 * fails fast with a single line naming the variable and what it expects (ConfigError).
 * `.env` in the working directory is loaded first (Node's own loader; real env vars win).
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { isTimeZone } from './core/budget-periods.js';
import { parsePrices } from './core/pricing.js';
import { DEFAULTS } from './defaults.js';
import { PROVIDER_KINDS, type ProviderKind } from './sora/capabilities.js';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const url = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^\s]+$/.test(v), `a URL starting with http:// or https:// (${what})`)
    .transform((v) => v.replace(/\/+$/, ''));

const optionalUrl = (what: string) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), url(what).optional());

const int = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
    z
      .number({ error: `a whole number from ${min} to ${max}` })
      .int(`a whole number from ${min} to ${max}`)
      .min(min, `a whole number from ${min} to ${max}`)
      .max(max, `a whole number from ${min} to ${max}`),
  );

/** A dollar amount such as `300` or `12.50` (budgets, the approval threshold). */
const dollarsAmount = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v.trim().replace(/^\$/, '')) : v),
  z
    .number({ error: 'an amount in US dollars, like 300 or 12.50' })
    .min(0, 'an amount in US dollars, like 300 or 12.50')
    .max(10_000_000, 'an amount in US dollars, like 300 or 12.50'),
);

const flag = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''], { error: '1 or 0 (true/false)' })
    .transform((v) => ['1', 'true', 'yes', 'on'].includes(v)),
);

const list = z
  .string()
  .transform((v) =>
    v
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .default([]);

export const EnvSchema = z.object({
  SORA_PROVIDER: z.enum(PROVIDER_KINDS, { error: 'one of azure, openai, emulator' }).optional(),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: url('the OpenAI API base').default(DEFAULTS.openaiBaseUrl),
  AZURE_OPENAI_ENDPOINT: optionalUrl('your Azure OpenAI resource, e.g. https://NAME.openai.azure.com'),
  AZURE_OPENAI_API_KEY: optionalString,
  AZURE_OPENAI_DEPLOYMENT: z.string().trim().min(1).default(DEFAULTS.azureDeployment),
  SORA_MODEL: z.string().trim().min(1).default(DEFAULTS.model),
  OPENAI_WEBHOOK_SECRET: optionalString,
  SORA_REQUEST_TIMEOUT_MS: int(1000, 600_000).default(DEFAULTS.requestTimeoutMs),
  SORA_MAX_RETRIES: int(0, 10).default(DEFAULTS.maxRetries),
  SORA_EMULATOR_RENDER_MS: int(0, 3_600_000).default(DEFAULTS.emulatorRenderMs),
  FFMPEG_PATH: optionalString,
  FFMPEG_MAX_CONCURRENT: int(1, 64).optional(),
  PORT: int(0, 65_535).default(DEFAULTS.port),
  HOST: z.string().trim().min(1).default(DEFAULTS.host),
  PUBLIC_URL: optionalUrl('the public base URL of this bot'),
  DATA_DIR: z.string().trim().min(1).default(DEFAULTS.dataDir),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'one of fatal, error, warn, info, debug, trace, silent',
    })
    .default(DEFAULTS.logLevel),
  STORE_URL: z
    .string()
    .trim()
    .regex(/^(sqlite|redis|rediss):\/\/.+/, 'sqlite://PATH or redis://HOST:PORT')
    .optional(),
  SORA_MAX_CONCURRENT: int(1, 1000).default(DEFAULTS.maxConcurrent),
  SORA_RPM: int(0, 100_000).default(DEFAULTS.requestsPerMinute),
  VIDEO_RETENTION_DAYS: int(1, 3650).default(DEFAULTS.videoRetentionDays),
  SORA_ADMINS: list.superRefine((entries, ctx) => {
    const bare = entries.find((e) => !/^(slack|discord|playground):[^:\s]+(:[^:\s]+)?$/.test(e));
    if (bare)
      ctx.addIssue({
        code: 'custom',
        message: `platform-qualified ids: write slack:${bare} (or discord:${bare}, playground:${bare}) instead of ${bare}`,
      });
  }),
  PLAYGROUND: flag.optional(),
  SLACK_BOT_TOKEN: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_API_URL: optionalUrl('the Slack Web API base, e.g. https://slack.com/api/'),
  SLACK_REMIX_EMOJI: z.string().trim().min(1).default(DEFAULTS.slackRemixEmoji),
  DISCORD_TOKEN: optionalString,
  DISCORD_APPLICATION_ID: optionalString,
  DISCORD_API_URL: optionalUrl('the Discord API base, e.g. https://discord.com/api'),
  DISCORD_REMIX_EMOJI: z.string().trim().min(1).default(DEFAULTS.discordRemixEmoji),
  DOWNLOAD_LINK_SECRET: optionalString,
  SORA_PRICES: z
    .string()
    .transform((v, ctx) => {
      try {
        return parsePrices(v);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  SORA_BUDGET_USER_DAY: dollarsAmount.optional(),
  SORA_BUDGET_USER_MONTH: dollarsAmount.optional(),
  SORA_BUDGET_WORKSPACE_MONTH: dollarsAmount.optional(),
  SORA_BUDGET_TZ: z
    .string()
    .trim()
    .refine(isTimeZone, 'an IANA time zone such as UTC, Europe/Paris or America/New_York')
    .default('UTC'),
  SORA_MAX_PENDING_PER_USER: int(1, 10_000).default(DEFAULTS.maxPendingPerUser),
  SORA_APPROVAL_ABOVE: dollarsAmount.optional(),
});
export type Env = z.infer<typeof EnvSchema>;

export interface Config extends Omit<Env, 'SORA_PROVIDER'> {
  SORA_PROVIDER: ProviderKind;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'config_invalid';
  constructor(
    readonly variable: string,
    readonly expected: string,
  ) {
    super(`${variable}: expected ${expected}`);
  }
}

/** Parses an environment (process.env by default). Throws ConfigError naming the first bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty value means "not set" (as in a .env copied from .env.example).
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const result = EnvSchema.safeParse(given);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, issue.message.replace(/^Invalid input: /, ''));
  }
  const parsed = result.data;
  const provider: ProviderKind =
    parsed.SORA_PROVIDER ??
    (parsed.AZURE_OPENAI_ENDPOINT ? 'azure' : parsed.OPENAI_API_KEY ? 'openai' : 'emulator');
  if (provider === 'azure') {
    if (!parsed.AZURE_OPENAI_ENDPOINT)
      throw new ConfigError('AZURE_OPENAI_ENDPOINT', 'your Azure OpenAI endpoint when SORA_PROVIDER=azure');
    if (!parsed.AZURE_OPENAI_API_KEY)
      throw new ConfigError(
        'AZURE_OPENAI_API_KEY',
        'the key of your Azure OpenAI resource when SORA_PROVIDER=azure',
      );
  }
  if (provider === 'openai' && !parsed.OPENAI_API_KEY)
    throw new ConfigError('OPENAI_API_KEY', 'an OpenAI API key (sk-...) when SORA_PROVIDER=openai');
  if (parsed.SLACK_BOT_TOKEN && !parsed.SLACK_APP_TOKEN && !parsed.SLACK_SIGNING_SECRET)
    throw new ConfigError(
      'SLACK_APP_TOKEN',
      'an app-level token (xapp-...) for Socket Mode, or set SLACK_SIGNING_SECRET for HTTP mode',
    );
  if (parsed.DISCORD_TOKEN && !parsed.DISCORD_APPLICATION_ID)
    throw new ConfigError('DISCORD_APPLICATION_ID', 'the application id of your Discord app');
  return { ...parsed, SORA_PROVIDER: provider };
}

/** Loads `.env` from the working directory when present; variables already set are kept. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
