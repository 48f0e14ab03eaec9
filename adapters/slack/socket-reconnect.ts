/**
 * Keeps a Socket Mode connection coming back after Slack was unreachable.
 *
 * @slack/socket-mode 3.x reconnects on its own after a dropped connection, but when fetching the new
 * WebSocket URL fails with a network or HTTP error it gives up and its reconnect promise rejects with
 * nobody listening: an unhandled rejection, which ends the Node process (found by bench/attack-mix.ts,
 * Slack's API unreachable for ten seconds; upstream slackapi/node-slack-sdk#2656). This wraps the
 * client's own `start` for reconnects only (the first start still fails loudly, at launch), catches
 * that failure, logs one line and tries again with a capped backoff until Slack answers or the adapter
 * stops.
 */
import type { SocketModeReceiver } from '@slack/bolt';
import type { Logger } from '../../src/core/logger.js';

/** The longest wait between two reconnect attempts. */
const MAX_RETRY_DELAY_MS = 30_000;

interface ReconnectingClient {
  start(): Promise<unknown>;
  /** Set by the client's own disconnect() (app.stop()); read so a stopped adapter stays stopped. */
  shuttingDown?: boolean;
  /** Set while the client itself has a reconnect scheduled (after a socket that connected, then closed). */
  reconnectionTimer?: unknown;
}

export interface ReconnectGuard {
  /** Cancels a scheduled retry (the adapter is stopping). */
  stop(): void;
  /** Failed reconnect attempts since the last success (for tests and logs). */
  readonly failures: number;
}

/** Call after the first `app.start()` succeeded. */
export function guardSocketReconnects(
  receiver: SocketModeReceiver,
  logger: Logger,
  baseDelayMs: number,
): ReconnectGuard {
  const client = receiver.client as unknown as ReconnectingClient;
  const start = client.start.bind(client);
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;

  const attempt = async (): Promise<unknown> => {
    try {
      const connected = await start();
      if (failures > 0) logger.info({ failures }, 'slack socket mode reconnected');
      failures = 0;
      return connected;
    } catch (error) {
      failures += 1;
      const delayMs = Math.min(MAX_RETRY_DELAY_MS, baseDelayMs * 2 ** (failures - 1));
      logger.warn(
        { failures, retryInMs: delayMs, err: { message: (error as Error).message } },
        'slack is unreachable; socket mode will try again',
      );
      // A socket that opened and then closed has already made the client schedule its own reconnect.
      if (!stopped && !client.shuttingDown && !client.reconnectionTimer) {
        retry = setTimeout(() => {
          retry = undefined;
          if (!stopped && !client.shuttingDown) void attempt();
        }, delayMs);
      }
      return undefined;
    }
  };
  // The client looks `start` up on itself each time it reconnects, so this own property takes over
  // every later attempt without touching the library.
  client.start = attempt;
  return {
    stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      retry = undefined;
    },
    get failures() {
      return failures;
    },
  };
}
