/**
 * The discord.js client with only what the bot needs: intents Guilds (channels, roles, interactions)
 * and GuildMessageReactions (🔁 / ❌ on videos), no privileged intent; partials Message, Channel and
 * Reaction so that reactions on messages sent before a restart (not in cache) still arrive
 * (docs/platforms.md, Discord > Reactions). `apiUrl` points REST, and therefore the gateway
 * lookup, at another server (tests, proxies). REST runs on the bot's undici Agent (`dispatcher`).
 */
import { Client, type ClientOptions, DefaultRestOptions, GatewayIntentBits, Partials } from 'discord.js';
import type { Dispatcher } from 'undici';
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
  /** The bot's undici Agent (src/app.ts): Discord's REST calls share it with the Sora client. */
  dispatcher?: Dispatcher | undefined;
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
      makeRequest: discordRequest,
      // Typed against discord.js's bundled undici 6; any undici Dispatcher serves (see discordRequest).
      ...(options.dispatcher ? { agent: options.dispatcher as never } : {}),
      ...(options.apiUrl ? { api: options.apiUrl } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      rejectOnRateLimit: (data) =>
        data.retryAfter > (options.maxRateLimitWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_MS),
    },
  });
}

type RestRequest = NonNullable<NonNullable<ClientOptions['rest']>['makeRequest']>;

/**
 * discord.js's own REST strategy (its bundled undici 6 `request`), with one change: a FormData body
 * (an upload) is encoded to bytes first. The request is carried by undici 7, ours: the bot passes its
 * Agent, and even without that, undici 7 makes itself the process-wide dispatcher as soon as it is
 * loaded (`undici/lib/global.js`), which every copy of undici then uses. undici 7 cannot encode the
 * FormData discord.js builds (Node's class; "action is not a function", shown by
 * test/discord/one-http-stack.test.ts), while bytes go through any undici. The form is in memory
 * anyway: the surface reads the video into a Buffer (docs/discord-adapter.md, "One HTTP stack").
 */
export const discordRequest: RestRequest = async (url, init) => {
  if (!(init.body instanceof FormData)) return DefaultRestOptions.makeRequest(url, init);
  // Node's Response encodes its own FormData, boundary and all.
  const encoded = new Response(init.body);
  const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
  headers.set('content-type', encoded.headers.get('content-type') ?? 'multipart/form-data');
  return DefaultRestOptions.makeRequest(url, {
    ...init,
    headers: Object.fromEntries(headers),
    body: new Uint8Array(await encoded.arrayBuffer()),
  });
};
