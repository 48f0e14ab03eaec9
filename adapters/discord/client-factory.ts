/**
 * The discord.js client with only what the bot needs: intents Guilds (channels, roles, interactions)
 * and GuildMessageReactions (🔁 / ❌ on videos), no privileged intent; partials Message, Channel and
 * Reaction so that reactions on messages sent before a restart (not in cache) still arrive
 * (docs/platforms.md, Discord > Reactions). `apiUrl` points REST, and therefore the gateway
 * lookup, at another server (tests, proxies).
 */
import { Client, type ClientOptions, DefaultRestOptions, GatewayIntentBits, Partials } from 'discord.js';
import { NO_MENTIONS } from './render-message.js';

export interface DiscordClientOptions {
  /** e.g. `https://discord.com/api` (discord.js appends `/v10/...`). Default: Discord itself. */
  apiUrl?: string | undefined;
  /** REST retries on 5xx and network errors. */
  retries?: number;
  /**
   * A 429 asking for a longer wait than this is not waited out: the call fails with RateLimitError
   * (a `rate_limited` SurfaceError), so a delivery is retried later instead of holding its slot.
   */
  maxRateLimitWaitMs?: number;
}

/** Waits Discord asks for up to this long are waited out inside the call (discord.js's default is always). */
export const DEFAULT_MAX_RATE_LIMIT_WAIT_MS = 60_000;

export function createDiscordClient(options: DiscordClientOptions = {}): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions],
    partials: [Partials.Message, Partials.Channel, Partials.Reaction],
    // A default for every send/reply/edit, on top of the explicit NO_MENTIONS in each payload.
    allowedMentions: NO_MENTIONS,
    rest: {
      makeRequest: discordFetch,
      ...(options.apiUrl ? { api: options.apiUrl } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      rejectOnRateLimit: (data) =>
        data.retryAfter > (options.maxRateLimitWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_MS),
    },
  });
}

/**
 * Multipart bodies (file uploads) through Node's own fetch, everything else through @discordjs/rest's
 * default (its private undici 6 `request`, the faster of the two under a burst of interactions). The
 * default sends Node's global FormData through the process-wide undici dispatcher; once our undici 7
 * (the Sora client) has installed that dispatcher, the two undici versions disagree about FormData
 * and every upload fails with "action is not a function". Node's fetch encodes the form itself before
 * any dispatcher sees it, so uploads work whichever undici got there first.
 */
export const discordFetch: NonNullable<NonNullable<ClientOptions['rest']>['makeRequest']> = (url, init) =>
  init.body instanceof FormData ? fetch(url, init as RequestInit) : DefaultRestOptions.makeRequest(url, init);
