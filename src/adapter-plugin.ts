/**
 * How a chat adapter plugs into the running bot: it gets the core (to run commands and as the owner
 * of its ChatSurface), the shared HTTP server (to mount routes) and the config; it returns a handle.
 */
import type { Config } from './config.js';
import type { Logger } from './core/logger.js';
import type { SoraCore } from './core/sora-core.js';
import type { HttpServer } from './http/http-server.js';

export interface AdapterContext {
  config: Config;
  core: SoraCore;
  http: HttpServer;
  logger: Logger;
}

export interface RunningAdapter {
  readonly name: string;
  /** Printed at start (e.g. the playground's URL). */
  readonly summary: string;
  close(): Promise<void>;
}

export type AdapterStarter = (ctx: AdapterContext) => Promise<RunningAdapter>;
