import type { AttachmentCdn } from './cdn.js';
import type { ChangeSignal } from './change-signal.js';
import type { CommandStore } from './commands.js';
import type { InteractionRegistry } from './interaction-registry.js';
import type { MessageStore } from './messages.js';
import type { Recorder } from './recorder.js';
import type { SnowflakeSource } from './snowflake.js';
import type { World } from './world.js';

/** What the gateway offers to the REST side (e.g. THREAD_CREATE after a thread is started). */
export interface GatewayDispatcher {
  dispatch(t: string, d: unknown): number[];
}

/** Everything the route modules and drivers share. */
export interface FakeContext {
  token: string;
  applicationId: string;
  interactionTokenLifetimeMs: number;
  interactionAckDeadlineMs: number;
  now: () => number;
  nowIso: () => string;
  elapsedMs: () => number;
  nextId: SnowflakeSource;
  origin: () => string;
  gatewayUrl: () => string;
  world: World;
  messages: MessageStore;
  cdn: AttachmentCdn;
  recorder: Recorder;
  signal: ChangeSignal;
  interactions: InteractionRegistry;
  commands: CommandStore;
  gateway: GatewayDispatcher;
}
