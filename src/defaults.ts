/**
 * Every default in one place, typed; the README's configuration table quotes these values.
 * All durations are milliseconds.
 */
export const DEFAULTS = {
  openaiBaseUrl: 'https://api.openai.com/v1',
  azureDeployment: 'sora-2',
  model: 'sora-2',
  port: 3000,
  host: '127.0.0.1',
  dataDir: './data',
  logLevel: 'info',
  /** Per HTTP request to the provider. */
  requestTimeoutMs: 60_000,
  maxRetries: 3,
  /** Azure's default Sora 2 quota: 2 jobs running, 2 job requests a minute. */
  maxConcurrent: 2,
  /** SORA_MAX_PENDING_PER_USER: unfinished videos one person may have at once. */
  maxPendingPerUser: 5,
  requestsPerMinute: 2,
  videoRetentionDays: 7,
  /** How long the embedded emulator takes to "render" a video when the bot runs on it. */
  emulatorRenderMs: 12_000,
  slackRemixEmoji: 'repeat',
  slackDeleteEmoji: 'x',
  discordRemixEmoji: '🔁',
  discordDeleteEmoji: '❌',
  /** How long a signed download link stays valid. */
  downloadLinkTtlMs: 24 * 60 * 60 * 1000,
} as const satisfies Record<string, string | number>;
