/**
 * Reads a request body (bounded) and turns JSON or multipart/form-data into plain fields. The official
 * SDK always sends `POST /videos` as multipart (it may carry `input_reference`), and remix as JSON.
 * Multipart is parsed with the platform's own `Request.formData()` (undici), so no parser dependency.
 */
import type { IncomingMessage } from 'node:http';
import { type ApiFailure, apiFailure, fail, invalidRequest, ok, type Result } from './api-error.js';

/** 20 MB of image (the capability cap) plus the other fields and multipart overhead. */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;

export interface UploadedFile {
  bytes: Uint8Array;
  filename: string;
  declaredType: string;
}

export type FieldValue = string | UploadedFile | unknown;

export type ParsedBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; fields: Map<string, string | UploadedFile> };

export async function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Result<Buffer>> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      return fail(
        apiFailure(413, `Request body too large: the limit is ${maxBytes} bytes.`, {
          code: 'request_too_large',
        }),
      );
    }
    chunks.push(chunk);
  }
  return ok(Buffer.concat(chunks));
}

function unparsable(what: string): ApiFailure {
  return invalidRequest(what, null, null);
}

export async function parseBody(contentType: string | undefined, body: Buffer): Promise<Result<ParsedBody>> {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || (type === '' && body.length > 0 && body[0] === 0x7b)) {
    try {
      return ok({ kind: 'json', value: JSON.parse(body.toString('utf8')) as unknown });
    } catch {
      return fail(
        unparsable(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
        ),
      );
    }
  }
  if (type === 'multipart/form-data') {
    try {
      const form = await new Request('http://emulator.local/', {
        method: 'POST',
        headers: { 'content-type': contentType! },
        body,
      }).formData();
      const fields = new Map<string, string | UploadedFile>();
      for (const [name, value] of form.entries()) {
        if (typeof value === 'string') fields.set(name, value);
        else
          fields.set(name, {
            bytes: new Uint8Array(await value.arrayBuffer()),
            filename: value.name,
            declaredType: value.type,
          });
      }
      return ok({ kind: 'form', fields });
    } catch {
      return fail(unparsable('We could not parse the multipart body of your request.'));
    }
  }
  if (body.length === 0) return ok({ kind: 'json', value: {} });
  return fail(
    unparsable(
      `Unsupported content type '${type}': send application/json, or multipart/form-data when attaching a file.`,
    ),
  );
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && 'bytes' in value && 'filename' in value;
}
