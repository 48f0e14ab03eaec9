/**
 * Reads a request body with a hard byte cap counted as the bytes arrive (Content-Length is only used
 * to refuse early: a sender can lie or send none), an idle timeout (no byte for `idleMs`) and a total
 * timeout. A refused body is never read to its end: the reader stops, the route answers with one
 * plain sentence and `Connection: close`, and the socket is closed shortly after the answer is out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface BodyLimits {
  maxBytes: number;
  /** Longest wait for the next bytes. */
  idleMs: number;
  /** Longest time for the whole body. The server's own request timeout (30 s) is the outer bound. */
  totalMs: number;
}

export const DEFAULT_BODY_TIMEOUTS = { idleMs: 10_000, totalMs: 25_000 } as const;

/** `stalled`: nothing for `idleMs`; `too_slow`: not done within `totalMs`. */
export type BodyFailure = 'too_large' | 'stalled' | 'too_slow' | 'aborted';

export class BodyError extends Error {
  constructor(readonly reason: BodyFailure) {
    super(`request body: ${reason}`);
  }
}

export function readCappedBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      reject(new BodyError('too_large'));
      return;
    }
    if (req.destroyed) {
      reject(new BodyError('aborted'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let idle: NodeJS.Timeout | undefined;
    const total = setTimeout(() => fail('too_slow'), limits.totalMs);
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => fail('stalled'), limits.idleMs);
    };
    const cleanup = () => {
      clearTimeout(idle);
      clearTimeout(total);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
    };
    const fail = (reason: BodyFailure) => {
      cleanup();
      // Stop taking bytes; answerAndClose decides what happens to the rest.
      req.pause();
      reject(new BodyError(reason));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) {
        fail('too_large');
        return;
      }
      chunks.push(chunk);
      armIdle();
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onAbort = () => fail('aborted');
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onAbort);
    req.once('close', onAbort);
    armIdle();
  });
}

/** How long a refused sender gets to read the answer before its socket is closed under it. */
const LINGER_MS = 2_000;

/**
 * Answers a body refused mid-stream and closes the connection without reading the body to its end.
 * Closing the socket the moment the answer is written would reset it while the sender is still
 * sending, and a reset can destroy the answer before the sender reads it. So the answer is written
 * in full but the response is left open (Node would close the socket at once on `end`), what still
 * comes in is discarded, and the connection ends when the sender stops or after LINGER_MS.
 */
export function answerAndClose(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  answer: { type: string; text: string },
): void {
  res.writeHead(status, {
    'content-type': answer.type,
    'content-length': Buffer.byteLength(answer.text),
    'x-content-type-options': 'nosniff',
    connection: 'close',
  });
  res.write(answer.text);
  const close = () => {
    clearTimeout(timer);
    req.off('end', close);
    res.end();
  };
  const timer = setTimeout(() => {
    close();
    res.destroy();
  }, LINGER_MS);
  timer.unref();
  if (req.readableEnded) {
    close();
    return;
  }
  req.once('end', close);
  req.resume();
}
