/**
 * Reads a playground POST body as JSON and checks it with a zod schema. Refusals are answered here
 * (413 too large, 400 not JSON or not the schema, naming the first field at fault) and yield undefined.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { readBody, sendJson } from '../../src/http/http-server.js';

export async function readJsonBody<S extends z.ZodType>(
  req: IncomingMessage,
  res: ServerResponse,
  schema: S,
  limits: { maxBytes: number; tooLargeMessage: string },
): Promise<z.output<S> | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse((await readBody(req, limits.maxBytes)).toString('utf8'));
  } catch (error) {
    const tooLarge = (error as { code?: unknown }).code === 'body_too_large';
    sendJson(res, tooLarge ? 413 : 400, {
      error: tooLarge
        ? { code: 'too_large', message: limits.tooLargeMessage }
        : { code: 'bad_request', message: 'The body must be JSON.' },
    });
    return undefined;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    sendJson(res, 400, {
      error: {
        code: 'bad_request',
        message: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
      },
    });
    return undefined;
  }
  return parsed.data;
}
