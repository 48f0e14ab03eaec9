/**
 * How a chat adapter plugs into the running bot: it gets the core (to run commands and as the owner
 * of its ChatSurface), the shared HTTP server (to mount routes) and the config; it returns a handle.
 */
import type { Dispatcher } from 'undici';
import type { Config } from './config.js';
import type { Clock } from './core/clock.js';
import type { Logger } from './core/logger.js';
import type { SoraCore } from './core/sora-core.js';
import type { HttpServer } from './http/http-server.js';
import type { KeyValues } from './store/key-values.js';

/**
 * What an adapter may use: the core's intents and queries (never its ledger or loops), its own
 * namespaced records (`values`, keys under the adapter's name), the clock and the logger.
 */
export interface AdapterContext {
  config: Config;
  core: SoraCore;
  http: HttpServer;
  logger: Logger;
  clock: Clock;
  /**
   * The bot's undici Agent for the adapter's own outbound HTTP (uploads, Discord's REST), so the
   * process has one HTTP stack (docs/discord-adapter.md, "One HTTP stack").
   */
  dispatcher?: Dispatcher;
  /** Creates the adapter's namespaced key-value view of the store (`namespace` = the adapter's name). */
  values(namespace: string): KeyValues;
  /** Where the adapter reports what it holds back for platform limits; absent when metrics are off. */
  metrics?: AdapterMetrics;
}

/** What an adapter reports for monitoring (src/metrics/bot-metrics.ts implements it). */
export interface AdapterMetrics {
  /** Status edits held back for the platform's rate budget right now: read at each scrape. */
  watchStatusEdits(platform: string, waiting: () => number): void;
  /** One status edit was deferred by the platform's rate budget. */
  statusEditDeferred(platform: string): void;
}

export interface RunningAdapter {
  readonly name: string;
  /** Printed at start (e.g. the playground's URL). */
  readonly summary: string;
  close(): Promise<void>;
}

export type AdapterStarter = (ctx: AdapterContext) => Promise<RunningAdapter>;
