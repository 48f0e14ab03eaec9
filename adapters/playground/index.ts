/**
 * The local web playground: the default adapter when no Slack or Discord credentials are set. It
 * serves a small chat page on the bot's HTTP server. It answers only to this machine's names unless
 * PLAYGROUND_HOSTS or PUBLIC_URL add others, and then only with PLAYGROUND_TOKEN (request-guard.ts),
 * with rooms, live progress over Server-Sent Events and the finished videos playing inline. The
 * composer shows what a new video will cost (estimate-route.ts); videos above SORA_APPROVAL_ABOVE get
 * Approve/Deny buttons (action-route.ts); `/sora usage` shows its chart inline (wire-message.ts).
 */
import type { AdapterContext, AdapterStarter, RunningAdapter } from '../../src/adapter-plugin.js';
import { mountActionRoute } from './action-route.js';
import { mountCommandRoute } from './command-route.js';
import { PLAYGROUND_PLATFORM } from './conversation.js';
import { mountEstimateRoutes } from './estimate-route.js';
import { mountMediaRoutes } from './media-route.js';
import { mountPageRoutes } from './page-routes.js';
import { PlaygroundSurface } from './playground-surface.js';
import { guardedRoutes, requestPolicy } from './request-guard.js';
import { RoomHistory } from './room-history.js';
import { EventStreams, mountRoomRoutes } from './room-routes.js';

export { DEFAULT_ROOM, decodeConversation, encodeConversation, requesterFor } from './conversation.js';
export { PlaygroundSurface } from './playground-surface.js';
export { RoomHistory } from './room-history.js';

export interface RunningPlayground extends RunningAdapter {
  readonly surface: PlaygroundSurface;
  readonly history: RoomHistory;
}

export const startPlayground: AdapterStarter = (ctx) => startPlaygroundAdapter(ctx);

export async function startPlaygroundAdapter(ctx: AdapterContext): Promise<RunningPlayground> {
  const { core, http } = ctx;
  // First, so a playground that would be open to other names refuses to start before mounting anything.
  const policy = requestPolicy(ctx.config);
  const history = new RoomHistory(ctx.values(PLAYGROUND_PLATFORM), ctx.clock);
  const surface = new PlaygroundSurface(history);
  core.registerSurface(surface);
  const streams = new EventStreams();
  const routes = guardedRoutes(http, policy);
  mountPageRoutes(routes);
  mountRoomRoutes(routes, history, streams);
  mountCommandRoute(routes, core);
  mountActionRoute(routes, core);
  mountEstimateRoutes(routes, core);
  mountMediaRoutes(routes, core);
  return {
    name: PLAYGROUND_PLATFORM,
    surface,
    history,
    // The server's address is known only once it listens, which is after adapters start.
    get summary() {
      return policy.token
        ? `open ${playgroundUrl(ctx)}?token=YOUR_PLAYGROUND_TOKEN once in a browser (it then remembers it)`
        : `open ${playgroundUrl(ctx)} in a browser`;
    },
    async close() {
      streams.closeAll();
    },
  };
}

function playgroundUrl(ctx: AdapterContext): string {
  try {
    return `${ctx.http.url}/`;
  } catch {
    return `http://${ctx.config.HOST}:${ctx.config.PORT}/`;
  }
}
