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
import { PoolConfigError, type PoolEntry, parsePoolEntries } from './sora/pool/pool-config.js';

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

/** The names that always reach the playground: this machine's own (no DNS name can rebind them). */
export const LOOPBACK_HOST_NAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** `sora.example.com`, `192.168.1.20:3000`, `[fd00::5]:3000`: a host name or address, an optional port. */
const HOST_PORT =
  /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?::(\d{1,5}))?$/i;

/**
 * A `host[:port]` as a URL spells it (lowercase, IPv6 in brackets; port null when none is written),
 * or undefined when it is not one. PLAYGROUND_HOSTS entries and the playground's Host check share it.
 */
export function parseHostPort(text: string): { name: string; port: number | null } | undefined {
  const match = HOST_PORT.exec(text);
  const port = match?.[2] === undefined ? null : Number(match[2]);
  if (!match || (port !== null && port > 65_535)) return undefined;
  try {
    return { name: new URL(`http://${match[1]}`).hostname, port };
  } catch {
    return undefined;
  }
}

function urlHostName(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

export const EnvSchema = z.object({
  SORA_PROVIDER: z.enum(PROVIDER_KINDS, { error: 'one of azure, openai, emulator' }).optional(),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: url('the OpenAI API base').default(DEFAULTS.openaiBaseUrl),
  AZURE_OPENAI_ENDPOINT: optionalUrl('your Azure OpenAI resource, e.g. https://NAME.openai.azure.com'),
  AZURE_OPENAI_API_KEY: optionalString,
  AZURE_OPENAI_DEPLOYMENT: z.string().trim().min(1).default(DEFAULTS.azureDeployment),
  SORA_MODEL: z.string().trim().min(1).default(DEFAULTS.model),
  OPENAI_WEBHOOK_SECRET: optionalString,
  // Several deployments, a JSON array (src/sora/pool/pool-config.ts); read in parseConfig, keys and all.
  SORA_POOL: optionalString,
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
  // Mention the requester when their video is delivered, fails or is refused (src/core/notify-settings.ts).
  SORA_NOTIFY: z.enum(['mention', 'none'], { error: 'one of mention, none' }).default('mention'),
  SORA_ADMINS: list.superRefine((entries, ctx) => {
    const bare = entries.find((e) => !/^(slack|discord|playground):[^:\s]+(:[^:\s]+)?$/.test(e));
    if (bare)
      ctx.addIssue({
        code: 'custom',
        message: `platform-qualified ids: write slack:${bare} (or discord:${bare}, playground:${bare}) instead of ${bare}`,
      });
  }),
  PLAYGROUND: flag.optional(),
  PLAYGROUND_HOSTS: list.superRefine((entries, ctx) => {
    const bad = entries.find((e) => parseHostPort(e) === undefined);
    if (bad)
      ctx.addIssue({
        code: 'custom',
        message: `host names with an optional port, comma-separated (e.g. sora.lan,192.168.1.20:3000), not "${bad.slice(0, 80)}"`,
      });
  }),
  // It goes in a URL (`/?token=`), a cookie and a header, so URL-safe characters only.
  PLAYGROUND_TOKEN: z
    .string()
    .trim()
    .regex(
      /^[A-Za-z0-9._~-]{16,256}$/,
      'a secret of 16 to 256 letters, digits, ., _, ~ or - (e.g. openssl rand -hex 24)',
    )
    .optional(),
  /** /metrics: on or off; unset, it is on for a loopback HOST or with METRICS_TOKEN (src/metrics/metrics-access.ts). */
  METRICS: flag.optional(),
  // Sent by Prometheus as `Authorization: Bearer TOKEN`.
  METRICS_TOKEN: z
    .string()
    .trim()
    .regex(
      /^[A-Za-z0-9._~-]{16,256}$/,
      'a secret of 16 to 256 letters, digits, ., _, ~ or - (e.g. openssl rand -hex 24)',
    )
    .optional(),
  SLACK_BOT_TOKEN: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_API_URL: optionalUrl('the Slack Web API base, e.g. https://slack.com/api/'),
  SLACK_REMIX_EMOJI: z.string().trim().min(1).default(DEFAULTS.slackRemixEmoji),
  // OAuth installs into many workspaces (adapters/slack/oauth-install.ts); unset: one workspace, SLACK_BOT_TOKEN.
  SLACK_CLIENT_ID: optionalString,
  SLACK_CLIENT_SECRET: optionalString,
  // Signs the OAuth `state` so a forged one is refused before the store is asked.
  SLACK_STATE_SECRET: z
    .string()
    .trim()
    .min(16, 'a secret of at least 16 characters (e.g. openssl rand -hex 24)')
    .optional(),
  // The AES-256-GCM key the installed workspaces' bot tokens are encrypted with in the store.
  SLACK_TOKEN_KEY: z
    .string()
    .trim()
    .refine(
      (v) => decodeTokenKey(v) !== undefined,
      '32 random bytes as 64 hex characters or base64 (e.g. openssl rand -base64 32)',
    )
    .optional(),
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

export interface Config extends Omit<Env, 'SORA_PROVIDER' | 'SORA_POOL'> {
  SORA_PROVIDER: ProviderKind;
  /** SORA_POOL's deployments, validated, keys read from their apiKeyEnv; undefined without a pool. */
  SORA_POOL?: readonly PoolEntry[] | undefined;
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
  const { SORA_POOL: poolText, ...parsed } = result.data;
  const pool = poolText ? parsePool(poolText, given, parsed) : undefined;
  const provider: ProviderKind =
    parsed.SORA_PROVIDER ??
    pool?.[0]?.flavour ??
    (parsed.AZURE_OPENAI_ENDPOINT ? 'azure' : parsed.OPENAI_API_KEY ? 'openai' : 'emulator');
  if (provider === 'azure' && !pool) {
    if (!parsed.AZURE_OPENAI_ENDPOINT)
      throw new ConfigError('AZURE_OPENAI_ENDPOINT', 'your Azure OpenAI endpoint when SORA_PROVIDER=azure');
    if (!parsed.AZURE_OPENAI_API_KEY)
      throw new ConfigError(
        'AZURE_OPENAI_API_KEY',
        'the key of your Azure OpenAI resource when SORA_PROVIDER=azure',
      );
  }
  if (provider === 'openai' && !pool && !parsed.OPENAI_API_KEY)
    throw new ConfigError('OPENAI_API_KEY', 'an OpenAI API key (sk-...) when SORA_PROVIDER=openai');
  if (parsed.SLACK_CLIENT_ID) checkSlackOAuth(parsed);
  if (
    (parsed.SLACK_BOT_TOKEN || parsed.SLACK_CLIENT_ID) &&
    !parsed.SLACK_APP_TOKEN &&
    !parsed.SLACK_SIGNING_SECRET
  )
    throw new ConfigError(
      'SLACK_APP_TOKEN',
      'an app-level token (xapp-...) for Socket Mode, or set SLACK_SIGNING_SECRET for HTTP mode',
    );
  if (parsed.DISCORD_TOKEN && !parsed.DISCORD_APPLICATION_ID)
    throw new ConfigError('DISCORD_APPLICATION_ID', 'the application id of your Discord app');
  if (provider === 'emulator' && !parsed.SORA_PROVIDER && (slackConfigured(parsed) || parsed.DISCORD_TOKEN))
    // The emulator is the default only for the playground: in a real channel its stand-in videos must
    // be asked for, or a misspelt key name would quietly post fakes to a team.
    throw new ConfigError(
      'SORA_PROVIDER',
      `a real provider for ${slackConfigured(parsed) ? 'Slack' : 'Discord'} (no Sora key is set, so it would post emulator stand-ins): set AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY, or SORA_PROVIDER=emulator to post stand-ins on purpose`,
    );
  const foreignName = playgroundForeignName(parsed);
  if (foreignName && !parsed.PLAYGROUND_TOKEN)
    // Any name but this machine's can be reached by others (or by a page through DNS rebinding), and
    // the playground spends money: refuse to run it open.
    throw playgroundTokenMissing(foreignName.name, foreignName.from);
  return { ...parsed, SORA_PROVIDER: provider, ...(pool ? { SORA_POOL: pool } : {}) };
}

function parsePool(text: string, env: NodeJS.ProcessEnv, parsed: Omit<Env, 'SORA_POOL'>): PoolEntry[] {
  try {
    return parsePoolEntries(text, env, { maxConcurrent: parsed.SORA_MAX_CONCURRENT, rpm: parsed.SORA_RPM });
  } catch (error) {
    if (error instanceof PoolConfigError) throw new ConfigError('SORA_POOL', error.message);
    throw error;
  }
}

/** The one line for a playground that would answer to `name` (from `from`) with no token set. */
export function playgroundTokenMissing(name: string, from: string): ConfigError {
  return new ConfigError(
    'PLAYGROUND_TOKEN',
    `a secret because the playground answers to ${name} (${from}); set PLAYGROUND_TOKEN=$(openssl rand -hex 24) and open /?token=THAT_VALUE once`,
  );
}

/**
 * The first name other than this machine's that the playground would answer to, when it runs. Whether
 * it runs follows the playground's entry in src/app.ts (PLAYGROUND, or no chat credentials).
 */
function playgroundForeignName(parsed: Env): { name: string; from: string } | undefined {
  const runs =
    parsed.PLAYGROUND === true ||
    (parsed.PLAYGROUND === undefined && !slackConfigured(parsed) && !parsed.DISCORD_TOKEN);
  if (!runs) return undefined;
  const names = [
    ...parsed.PLAYGROUND_HOSTS.map((entry) => ({
      name: parseHostPort(entry)?.name ?? entry,
      from: 'PLAYGROUND_HOSTS',
    })),
    ...(parsed.PUBLIC_URL ? [{ name: urlHostName(parsed.PUBLIC_URL), from: 'PUBLIC_URL' }] : []),
  ];
  return names.find(({ name }) => !LOOPBACK_HOST_NAMES.includes(name));
}

/** Slack runs with one workspace's bot token, or with OAuth installs into many (SLACK_CLIENT_ID). */
export function slackConfigured(config: Pick<Env, 'SLACK_BOT_TOKEN' | 'SLACK_CLIENT_ID'>): boolean {
  return Boolean(config.SLACK_BOT_TOKEN || config.SLACK_CLIENT_ID);
}

/**
 * OAuth installs need the app's secret, a state secret and the key that encrypts the stored tokens;
 * the single-workspace token would make it ambiguous which workspace a call is for.
 */
function checkSlackOAuth(parsed: Omit<Env, 'SORA_POOL'>): void {
  if (parsed.SLACK_BOT_TOKEN)
    throw new ConfigError(
      'SLACK_BOT_TOKEN',
      'no value with SLACK_CLIENT_ID: OAuth installs keep one token per workspace (unset one of the two)',
    );
  const needed = [
    ['SLACK_CLIENT_SECRET', "the Client Secret from the app's Basic Information when SLACK_CLIENT_ID is set"],
    [
      'SLACK_STATE_SECRET',
      'a secret of at least 16 characters when SLACK_CLIENT_ID is set (e.g. openssl rand -hex 24)',
    ],
    [
      'SLACK_TOKEN_KEY',
      '32 random bytes (openssl rand -base64 32) when SLACK_CLIENT_ID is set: it encrypts the stored tokens',
    ],
  ] as const;
  for (const [variable, expected] of needed) if (!parsed[variable]) throw new ConfigError(variable, expected);
}

/** SLACK_TOKEN_KEY's 32 bytes, from 64 hex characters or base64; undefined for anything else. */
export function decodeTokenKey(text: string): Buffer | undefined {
  const value = text.trim();
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return undefined;
  const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

/** Loads `.env` from the working directory when present; variables already set are kept. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
