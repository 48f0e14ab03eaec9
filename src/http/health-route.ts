/**
 * Health for orchestrators and people:
 * - `/livez` (and its alias `/healthz`, which Docker's HEALTHCHECK reads): the process answers. It never
 *   calls the provider: a probe every few seconds must not spend the provider's rate limit, and a
 *   provider outage is no reason to restart the bot.
 * - `/readyz`: the store answers and the provider answered its last check; the provider check is
 *   cached for PROVIDER_CHECK_TTL_MS (successes and failures alike), so probes cost at most one
 *   provider call per half minute.
 */
import type { VideoProvider } from '../sora/provider.js';
import type { Store } from '../store/store.js';
import { type HttpServer, type RouteHandler, sendJson } from './http-server.js';

export const PROVIDER_CHECK_TTL_MS = 30_000;

interface CheckResult {
  ok: boolean;
  error?: string;
}

export function mountHealth(
  http: HttpServer,
  deps: { store: Store; provider: VideoProvider; now?: () => number },
): void {
  const now = deps.now ?? Date.now;
  const live: RouteHandler = async (_req, res) => sendJson(res, 200, { ok: true });
  http.route('GET', '/livez', live);
  http.route('GET', '/healthz', live);
  let cached: { at: number; result: Promise<CheckResult> } | undefined;
  http.route('GET', '/readyz', async (_req, res) => {
    const at = now();
    if (!cached || at - cached.at >= PROVIDER_CHECK_TTL_MS)
      cached = {
        at,
        result: check(() => deps.provider.listPage({ limit: 1 }, { maxRetries: 0, timeoutMs: 5_000 })),
      };
    const [store, provider] = await Promise.all([check(() => deps.store.ping()), cached.result]);
    const ok = store.ok && provider.ok;
    sendJson(res, ok ? 200 : 503, {
      ok,
      store,
      provider: { ...provider, kind: deps.provider.kind, checkedAt: new Date(cached.at).toISOString() },
    });
  });
}

async function check(probe: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await probe();
    return { ok: true };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, error: typeof code === 'string' ? code : 'unreachable' };
  }
}
