import type { IncomingMessage, ServerResponse } from 'node:http';

/** One file part of a multipart body, as discord.js sends it (`files[n]` fields). */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
  bytes: Buffer;
}

export interface ParsedBody {
  /** JSON body, or the parsed `payload_json` part of a multipart body. */
  json: unknown;
  files: UploadedFile[];
  /** Non-file multipart fields other than payload_json. */
  fields: Record<string, string>;
  multipart: boolean;
  byteLength: number;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Parses a JSON or multipart body. Multipart goes through the WHATWG `Response.formData()` parser built
 * into Node, so no extra dependency is needed.
 */
export async function parseBody(raw: Buffer, contentType: string | undefined): Promise<ParsedBody> {
  const base = { files: [], fields: {}, byteLength: raw.length };
  if (raw.length === 0) return { ...base, json: undefined, multipart: false };
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const files: UploadedFile[] = [];
    const fields: Record<string, string> = {};
    let json: unknown;
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') json = JSON.parse(value);
        else fields[field] = value;
        continue;
      }
      const bytes = Buffer.from(await value.arrayBuffer());
      files.push({
        field,
        filename: value.name,
        contentType: value.type || 'application/octet-stream',
        size: bytes.length,
        bytes,
      });
    }
    return { json, files, fields, multipart: true, byteLength: raw.length };
  }
  return { ...base, json: JSON.parse(raw.toString('utf8')), multipart: false };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Discord answers 204 with no body and no JSON content type; @discordjs/rest then returns an empty buffer. */
export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

/** A Discord JSON error: `{code, message}` (+ `errors` for form errors). */
export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: unknown,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return this.errors === undefined
      ? { message: this.message, code: this.code }
      : { message: this.message, code: this.code, errors: this.errors };
  }
}

/** The error codes the fake answers with (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
export const DiscordErrors = {
  notFound: () => new DiscordHttpError(404, 0, '404: Not Found'),
  unauthorized: () => new DiscordHttpError(401, 0, '401: Unauthorized'),
  unknownGuild: () => new DiscordHttpError(404, 10004, 'Unknown Guild'),
  unknownChannel: () => new DiscordHttpError(404, 10003, 'Unknown Channel'),
  unknownMessage: () => new DiscordHttpError(404, 10008, 'Unknown Message'),
  unknownWebhook: () => new DiscordHttpError(404, 10015, 'Unknown Webhook'),
  unknownInteraction: () => new DiscordHttpError(404, 10062, 'Unknown interaction'),
  emptyMessage: () => new DiscordHttpError(400, 50006, 'Cannot send an empty message'),
  editOthersMessage: () => new DiscordHttpError(403, 50005, 'Cannot edit a message authored by another user'),
  missingPermissions: () => new DiscordHttpError(403, 50013, 'Missing Permissions'),
  cannotMessageUser: () => new DiscordHttpError(403, 50007, 'Cannot send messages to this user'),
  invalidWebhookToken: () => new DiscordHttpError(401, 50027, 'Invalid Webhook Token'),
  alreadyAcknowledged: () => new DiscordHttpError(400, 40060, 'Interaction has already been acknowledged'),
  entityTooLarge: () => new DiscordHttpError(413, 40005, 'Request entity too large'),
  threadAlreadyExists: () =>
    new DiscordHttpError(400, 160004, 'A thread has already been created for this message'),
  invalidFormBody: (errors: unknown) => new DiscordHttpError(400, 50035, 'Invalid Form Body', errors),
} as const;
