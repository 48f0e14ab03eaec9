/**
 * `/healthz`: ok only when the store and the provider both answer. Load balancers and `docker
 * HEALTHCHECK` read the status code; people read the JSON.
 */
import type { VideoProvider } from '../sora/provider.js';
import type { Store } from '../store/store.js';
import { type HttpServer, sendJson } from './http-server.js';

export function mountHealth(http: HttpServer, deps: { store: Store; provider: VideoProvider }): void {
  http.route('GET', '/healthz', async (_req, res) => {
    const [store, provider] = await Promise.all([
      check(() => deps.store.ping()),
      check(() => deps.provider.listPage({ limit: 1 }, { maxRetries: 0, timeoutMs: 5_000 })),
    ]);
    const ok = store.ok && provider.ok;
    sendJson(res, ok ? 200 : 503, { ok, store, provider: { ...provider, kind: deps.provider.kind } });
  });
}

async function check(probe: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await probe();
    return { ok: true };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, error: typeof code === 'string' ? code : 'unreachable' };
  }
}
