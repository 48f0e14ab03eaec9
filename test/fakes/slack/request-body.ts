import type { IncomingMessage } from 'node:http';

/** Fields Slack expects JSON-encoded inside a form body; decoded for the recorder and the handlers. */
const jsonEncodedFields = new Set([
  'blocks',
  'attachments',
  'files',
  'view',
  'metadata',
  'unfurls',
  'user_auth_blocks',
]);

export async function readRawBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function contentTypeOf(request: IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Web API arguments from a form-encoded, JSON or multipart body. @slack/web-api sends forms (multipart when
 * an argument is a Buffer); other clients send JSON.
 */
export async function parseApiArguments(
  request: IncomingMessage,
  raw: Buffer,
): Promise<Record<string, unknown>> {
  const type = contentTypeOf(request);
  if (raw.length === 0) return {};
  if (type === 'application/json') {
    const parsed = JSON.parse(raw.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  }
  if (type === 'multipart/form-data') {
    const form = await new Response(new Uint8Array(raw), {
      headers: { 'content-type': request.headers['content-type'] ?? '' },
    }).formData();
    const args: Record<string, unknown> = {};
    for (const [key, value] of form.entries()) {
      args[key] =
        typeof value === 'string' ? decodeField(key, value) : Buffer.from(await value.arrayBuffer());
    }
    return args;
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) args[key] = decodeField(key, value);
  return args;
}

function decodeField(key: string, value: string): unknown {
  if (!jsonEncodedFields.has(key)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * The bytes of step 2 of an upload. Slack accepts the raw body or a multipart form; @slack/web-api 8's
 * filesUploadV2 sends multipart with the bytes in a part named `body`, curl users send `file`: take the first
 * file part whatever its name.
 */
export async function extractUploadBytes(request: IncomingMessage, raw: Buffer): Promise<Buffer> {
  if (contentTypeOf(request) !== 'multipart/form-data') return raw;
  const form = await new Response(new Uint8Array(raw), {
    headers: { 'content-type': request.headers['content-type'] ?? '' },
  }).formData();
  for (const value of form.values()) {
    if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  }
  const first = form.values().next().value;
  return Buffer.from(typeof first === 'string' ? first : '');
}
