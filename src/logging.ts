/**
 * Structured logs (pino, JSON lines). Secrets are never passed to the logger; the redaction list is
 * a second line of defence for fields that could carry one by mistake.
 */
import { pino } from 'pino';
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

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'sora-bot' } };
  return (destination ? pino(options, destination as never) : pino(options)) as unknown as Logger;
}
