/**
 * Structured logs (pino). JSON lines, one object a line, wherever stdout is a file, a pipe or a
 * collector; on a terminal the same records are printed readably by pino-pretty (loaded only then,
 * so a server never pays for it). Secrets are never passed to the logger; the redaction list is a
 * second line of defence for fields that could carry one by mistake (it applies to both forms).
 */
import { createRequire } from 'node:module';
import { pino } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { Logger } from './core/logger.js';

const REDACT = [
  'token',
  'apiKey',
  'authorization',
  'password',
  'secret',
  '*.token',
  '*.apiKey',
  '*.authorization',
  '*.secret',
  'headers.authorization',
  'headers["api-key"]',
  'req.headers.authorization',
];

export interface LoggerOutput {
  /** Where the lines go (default stdout). */
  destination?: NodeJS.WritableStream;
  /** Human-readable lines instead of JSON (default: when stdout is a terminal and no destination is given). */
  pretty?: boolean;
}

export function createLogger(level: string, output?: NodeJS.WritableStream | LoggerOutput): Logger {
  const { destination, pretty } =
    output && 'write' in output ? { destination: output, pretty: false } : (output ?? {});
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'sora-bot' } };
  const readable = pretty ?? (destination === undefined && process.stdout.isTTY === true);
  const target = readable ? prettyStream(destination) : destination;
  return (target ? pino(options, target as never) : pino(options)) as unknown as Logger;
}

function prettyStream(destination: NodeJS.WritableStream | undefined): NodeJS.WritableStream {
  // pino-pretty is CommonJS: required here, on demand, instead of imported by every process.
  const build = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return build({
    // Synchronous, so the last lines before an exit are not lost in a buffer.
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,app',
    ...(destination ? { destination, colorize: false } : { colorize: true }),
  });
}
