/**
 * Reads a playground POST body as JSON and checks it with a zod schema. Refusals are answered here
 * and yield undefined: 413 too large and 408 too slow (both cut off while streaming, body-reader.ts),
 * 400 not JSON or not the schema (naming the first field at fault).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { sendJson } from '../../src/http/http-server.js';
import {
  answerAndClose,
  BodyError,
  type BodyLimits,
  DEFAULT_BODY_TIMEOUTS,
  readCappedBody,
} from './body-reader.js';

export interface JsonBodyLimits extends Partial<Omit<BodyLimits, 'maxBytes'>> {
  maxBytes: number;
  tooLargeMessage: string;
}

export async function readJsonBody<S extends z.ZodType>(
  req: IncomingMessage,
  res: ServerResponse,
  schema: S,
  limits: JsonBodyLimits,
): Promise<z.output<S> | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readCappedBody(req, { ...DEFAULT_BODY_TIMEOUTS, ...limits });
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    if (error.reason === 'aborted') res.destroy();
    else if (error.reason === 'too_large')
      answerAndClose(req, res, 413, json({ error: { code: 'too_large', message: limits.tooLargeMessage } }));
    else
      answerAndClose(
        req,
        res,
        408,
        json({
          error: {
            code: 'timeout',
            message:
              error.reason === 'stalled'
                ? 'The upload stalled, so it was stopped; send it again.'
                : 'The upload took too long, so it was stopped; try a smaller image.',
          },
        }),
      );
    return undefined;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    sendJson(res, 400, { error: { code: 'bad_request', message: 'The body must be JSON.' } });
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

function json(body: unknown): { type: string; text: string } {
  return { type: 'application/json; charset=utf-8', text: JSON.stringify(body) };
}
