/**
 * How the fake answers a private file download when a test wants a hostile or broken file host: a
 * redirect (to another fake file, or to a trap server off Slack), a body that never ends (a byte cap
 * must cut it), or one that stops mid-way and holds the socket (an idle timeout must cut it). What the
 * server sent and whether the client hung up first is written on the download's record.
 */
import type { ServerResponse } from 'node:http';

export type DownloadBehaviour =
  | { kind: 'redirect'; location: string; status?: 301 | 302 | 303 | 307 | 308 }
  | { kind: 'endless'; chunkBytes?: number }
  | { kind: 'stall'; afterBytes: number };

/** Written as the download goes on (the record is the one `fake.workspace.downloads()` returns). */
export interface ServedBody {
  bytesSent: number;
  /** True once the client closed the connection before the server ended the body. */
  abortedByClient: boolean;
  closedAtMs?: number;
}

/** An endless body still ends somewhere, so a client that never stops cannot fill the test machine. */
const ENDLESS_LIMIT_BYTES = 512 * 1024 * 1024;

export function serveBehaviour(
  behaviour: DownloadBehaviour,
  response: ServerResponse,
  served: ServedBody,
  contentType: string,
  now: () => number,
): void {
  if (behaviour.kind === 'redirect') {
    response.writeHead(behaviour.status ?? 302, { location: behaviour.location });
    response.end();
    return;
  }
  response.on('close', () => {
    served.abortedByClient = !response.writableFinished;
    served.closedAtMs = now();
  });
  // No content-length: the client learns the size only by reading, as from a lying or chunked server.
  response.writeHead(200, { 'content-type': contentType });
  if (behaviour.kind === 'stall') {
    const head = Buffer.alloc(behaviour.afterBytes, 0x89);
    served.bytesSent = head.length;
    response.write(head);
    return; // …and nothing more: the socket stays open until the client gives up.
  }
  const chunk = Buffer.alloc(behaviour.chunkBytes ?? 64 * 1024, 0x41);
  const pump = () => {
    while (!response.destroyed && served.bytesSent < ENDLESS_LIMIT_BYTES) {
      served.bytesSent += chunk.length;
      if (!response.write(chunk)) {
        response.once('drain', pump);
        return;
      }
    }
    if (!response.destroyed) response.end();
  };
  pump();
}
