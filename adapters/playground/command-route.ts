/**
 * `POST /playground/rooms/:room/commands`: the text box. The body carries the command (the leading
 * `/sora` is optional), the sender's name, a client id per send (a double submit or a retry makes one
 * job) and optionally an image as base64. What the core answers only to the sender (usage problems,
 * list, status, delete confirmations) comes back in the response, like an ephemeral message; jobs
 * show up in the room for everyone over the event stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Attachment, AttachmentMeta } from '../../src/core/intents.js';
import { notice } from '../../src/core/replies.js';
import type { SoraCore } from '../../src/core/sora-core.js';
import { sendJson } from '../../src/http/http-server.js';
import type { BodyLimits } from './body-reader.js';
import { stripSlashCommand } from './command-text.js';
import {
  DisplayNameSchema,
  decodePathSegment,
  encodeConversation,
  isRoomId,
  requesterFor,
} from './conversation.js';
import { EstimateQuerySchema } from './estimate-route.js';
import { readJsonBody } from './json-body.js';
import type { RouteTarget } from './request-guard.js';
import { type WireMessage, wireMessage } from './wire-message.js';

const COMMANDS_PATH = /^\/playground\/rooms\/([^/]+)\/commands$/;

/** The largest reference image the playground takes (Sora's own cap is 20 MB). */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/**
 * The image travels as base64 in the JSON body, which grows it by a third; the rest is the JSON around
 * it. This cap is counted while the body streams in (json-body.ts), so a bigger upload is cut off at
 * this many bytes, whatever Content-Length says; the decoded image is checked against 20 MB after.
 */
export const MAX_BODY_BYTES = Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 64 * 1024;

export const CommandBodySchema = z.object({
  text: z.string().max(40_000),
  name: DisplayNameSchema,
  clientId: z.string().regex(/^[A-Za-z0-9_-]{8,80}$/, 'an id of 8 to 80 letters, digits, - or _'),
  image: z
    .object({
      filename: z.string().trim().min(1).max(200),
      contentType: z.string().trim().max(100).nullable(),
      base64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
    })
    .nullable()
    .default(null),
  /**
   * The composer's option selects, for a prompt: each one fills only what the text does not set itself
   * (`--seconds 8` typed wins over the select). Ignored for a command. The page sends only selects
   * moved away from the model's defaults, so an image can still decide the frame.
   */
  options: z
    .object({
      model: EstimateQuerySchema.shape.model.optional(),
      size: EstimateQuerySchema.shape.size.optional(),
      seconds: EstimateQuerySchema.shape.seconds.optional(),
    })
    .default({}),
});
export type CommandBody = z.infer<typeof CommandBodySchema>;

export type CommandResponse =
  | { kind: 'job'; jobId: string; duplicate: boolean }
  | { kind: 'reply'; reply: WireMessage };

/** `timeouts` are for tests; the defaults are body-reader.ts's. */
export function mountCommandRoute(
  http: RouteTarget,
  core: SoraCore,
  timeouts: Partial<Pick<BodyLimits, 'idleMs' | 'totalMs'>> = {},
): void {
  http.route('POST', COMMANDS_PATH, async (req, res, url) => {
    const room = decodePathSegment(COMMANDS_PATH.exec(url.pathname)?.[1]);
    if (!isRoomId(room)) {
      sendJson(res, 404, { error: { code: 'not_found', message: 'no such room' } });
      return;
    }
    const body = await readCommandBody(req, res, timeouts);
    if (!body) return;
    sendJson(res, 200, await runCommand(core, room, body));
  });
}

export async function runCommand(core: SoraCore, room: string, body: CommandBody): Promise<CommandResponse> {
  const image = body.image ? Buffer.from(body.image.base64, 'base64') : null;
  if (image && image.byteLength > MAX_IMAGE_BYTES)
    return reply(
      notice(`That image is over ${MAX_IMAGE_BYTES / 1024 / 1024} MB; attach a smaller one.`, 'warning'),
    );
  const meta: AttachmentMeta | null =
    body.image && image
      ? { filename: body.image.filename, contentType: body.image.contentType, bytes: image.byteLength }
      : null;
  const parsed = core.parse(withSelectedOptions(core, stripSlashCommand(body.text), body.options), meta);
  if (!parsed.ok) return reply(notice(parsed.problem.message, 'warning'));
  const conversation = encodeConversation(room);
  const attachment: Attachment | null = meta && image ? { ...meta, fetch: async () => image } : null;
  const outcome = await core.run({
    requester: requesterFor(body.name),
    channel: conversation,
    conversation,
    intent: parsed.intent,
    attachment,
    idempotencyKey: `playground:${room}:${body.clientId}`,
  });
  if (outcome.kind === 'reply') return reply(outcome.message);
  return { kind: 'job', jobId: outcome.job.id, duplicate: outcome.duplicate };
}

/**
 * A prompt gets the selects it does not set itself, as options in front of it (where the grammar reads
 * options; the prompt after them is kept as typed). A command, or a text with a usage problem, is left
 * as it is: the grammar answers it.
 */
export function withSelectedOptions(
  core: Pick<SoraCore, 'readForComposer'>,
  text: string,
  options: CommandBody['options'],
): string {
  const reading = core.readForComposer(text);
  if (reading.kind !== 'prompt') return text;
  const extra: string[] = [];
  if (options.model && !reading.set.model) extra.push(`--model ${options.model}`);
  if (options.size && !reading.set.size) extra.push(`--size ${options.size}`);
  if (options.seconds && !reading.set.seconds) extra.push(`--seconds ${options.seconds}`);
  return extra.length ? `${extra.join(' ')} ${text}` : text;
}

function reply(message: Parameters<typeof wireMessage>[0]): CommandResponse {
  return { kind: 'reply', reply: wireMessage(message) };
}

function readCommandBody(
  req: IncomingMessage,
  res: ServerResponse,
  timeouts: Partial<Pick<BodyLimits, 'idleMs' | 'totalMs'>>,
): Promise<CommandBody | undefined> {
  return readJsonBody(req, res, CommandBodySchema, {
    ...timeouts,
    maxBytes: MAX_BODY_BYTES,
    tooLargeMessage: `Images can be at most ${MAX_IMAGE_BYTES / 1024 / 1024} MB.`,
  });
}
