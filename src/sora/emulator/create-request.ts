/**
 * Validation of `POST /videos` and `POST /videos/{id}/remix`, answering with the service's 400s
 * (docs/sora-api.md): unknown fields, prompt 1..32,000 characters, the model and its sizes and
 * durations (src/sora/capabilities.ts, the Azure table on the Azure path), and `input_reference` as a
 * JPEG, PNG or WebP (sniffed from the bytes) of exactly the requested size.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { sniffImage } from '../../media/image-info.js';
import { CAPABILITIES, type ModelCapabilities, modelFamily } from '../capabilities.js';
import { fail, invalidRequest, ok, type Result } from './api-error.js';
import type { StoredImage } from './lifecycle.js';
import { isUploadedFile, type ParsedBody, type UploadedFile } from './request-body.js';
import type { EmulatorFlavour } from './types.js';

export interface CreateSpec {
  prompt: string;
  model: string;
  size: string;
  seconds: string;
  image: StoredImage | undefined;
}

const JsonCreateSchema = z.strictObject({
  prompt: z.string(),
  model: z.string().optional(),
  seconds: z.string().optional(),
  size: z.string().optional(),
  input_reference: z
    .strictObject({ image_url: z.string().optional(), file_id: z.string().optional() })
    .optional(),
});

const RemixSchema = z.strictObject({ prompt: z.string() });

const CREATE_FORM_FIELDS = new Set(['prompt', 'model', 'seconds', 'size', 'input_reference']);

interface RawCreate {
  prompt: string;
  model: string | undefined;
  seconds: string | undefined;
  size: string | undefined;
  image: UploadedFile | undefined;
}

const quoteList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** Turns zod's first issue into the service's wording for unknown, missing and mistyped parameters. */
function schemaFailure(error: z.ZodError) {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return invalidRequest(`Unknown parameter: '${key}'.`, key, 'unknown_parameter');
  }
  const param = issue.path.join('.');
  if (param === '')
    return invalidRequest('Invalid body: the request body must be a JSON object.', null, 'invalid_type');
  if (issue.code === 'invalid_type' && issue.input === undefined)
    return invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
  if (issue.code === 'invalid_type')
    return invalidRequest(`Invalid type for '${param}': expected ${issue.expected}.`, param, 'invalid_type');
  return invalidRequest(`Invalid value for '${param}'.`, param, 'invalid_value');
}

function decodeDataUrl(url: string): Result<UploadedFile> {
  const match = /^data:([\w/+.-]*)(;[^,]*)?,(.*)$/s.exec(url);
  if (!match || !(match[2] ?? '').includes('base64')) {
    return fail(
      invalidRequest(
        'The emulator accepts input_reference.image_url only as a base64 data URL (data:image/png;base64,...).',
        'input_reference.image_url',
      ),
    );
  }
  return ok({
    bytes: new Uint8Array(Buffer.from(match[3]!, 'base64')),
    filename: 'image_url',
    declaredType: match[1] ?? '',
  });
}

function rawFromJson(value: unknown): Result<RawCreate> {
  const parsed = JsonCreateSchema.safeParse(value);
  if (!parsed.success) return fail(schemaFailure(parsed.error));
  const { prompt, model, seconds, size, input_reference: reference } = parsed.data;
  let image: UploadedFile | undefined;
  if (reference) {
    const given = [reference.image_url, reference.file_id].filter((v) => v !== undefined).length;
    if (given !== 1)
      return fail(
        invalidRequest('input_reference must have exactly one of image_url or file_id.', 'input_reference'),
      );
    if (reference.file_id !== undefined)
      return fail(
        invalidRequest(
          `No such file: '${reference.file_id}' (the emulator has no Files API).`,
          'input_reference.file_id',
        ),
      );
    const decoded = decodeDataUrl(reference.image_url!);
    if (!decoded.ok) return decoded;
    image = decoded.value;
  }
  return ok({ prompt, model, seconds, size, image });
}

function rawFromForm(fields: Map<string, string | UploadedFile>): Result<RawCreate> {
  for (const name of fields.keys()) {
    if (!CREATE_FORM_FIELDS.has(name))
      return fail(invalidRequest(`Unknown parameter: '${name}'.`, name, 'unknown_parameter'));
  }
  const strings: Partial<Record<'prompt' | 'model' | 'seconds' | 'size', string>> = {};
  for (const name of ['prompt', 'model', 'seconds', 'size'] as const) {
    const value = fields.get(name);
    if (value !== undefined && typeof value !== 'string')
      return fail(
        invalidRequest(`Invalid type for '${name}': expected a string, got a file.`, name, 'invalid_type'),
      );
    if (value !== undefined) strings[name] = value;
  }
  if (strings.prompt === undefined)
    return fail(
      invalidRequest("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter'),
    );
  const reference = fields.get('input_reference');
  if (reference !== undefined && !isUploadedFile(reference)) {
    try {
      return rawFromJson({ ...Object.fromEntries(fields), input_reference: JSON.parse(reference) });
    } catch {
      return fail(
        invalidRequest('input_reference must be an image file.', 'input_reference', 'invalid_type'),
      );
    }
  }
  return ok({
    prompt: strings.prompt,
    model: strings.model,
    seconds: strings.seconds,
    size: strings.size,
    image: reference,
  });
}

export function checkPrompt(prompt: string, max: number): Result<string> {
  const length = [...prompt].length;
  if (prompt.trim().length === 0)
    return fail(
      invalidRequest('Invalid prompt: the prompt must not be empty.', 'prompt', 'string_below_min_length'),
    );
  if (length > max)
    return fail(
      invalidRequest(
        `Invalid 'prompt': string too long. Expected a string with maximum length ${max}, but got a string with length ${length} instead.`,
        'prompt',
        'string_above_max_length',
      ),
    );
  return ok(prompt);
}

function modelCapabilities(flavour: EmulatorFlavour, model: string): Result<ModelCapabilities> {
  if (flavour === 'azure') {
    // On Azure `model` is a deployment name; any name is a sora-2 deployment, but Azure has no sora-2-pro,
    // so a name with a "pro" word (sora-2-pro, sora_pro, "Pro") is refused; "production" is not such a word.
    if (/(^|[^a-z])pro([^a-z]|$)/i.test(model))
      return fail(
        invalidRequest(
          `The model '${model}' is not available on Azure OpenAI: deploy sora-2 instead.`,
          'model',
        ),
      );
    return ok(CAPABILITIES.azure.models['sora-2']);
  }
  const family = modelFamily(model);
  const caps = family ? CAPABILITIES.openai.models[family] : undefined;
  if (!caps)
    return fail(
      invalidRequest(
        `Invalid value: '${model}'. Supported values are: ${quoteList(Object.keys(CAPABILITIES.openai.models))}.`,
        'model',
      ),
    );
  return ok(caps);
}

function checkImage(upload: UploadedFile, caps: ModelCapabilities, size: string): Result<StoredImage> {
  if (upload.bytes.length > caps.maxImageBytes)
    return fail(
      invalidRequest(
        `The input_reference image is larger than ${caps.maxImageBytes} bytes.`,
        'input_reference',
      ),
    );
  const info = sniffImage(upload.bytes);
  if (!info || !caps.imageTypes.includes(info.type))
    return fail(
      invalidRequest(
        `Invalid file format for input_reference. Supported formats are: ${caps.imageTypes.join(', ')}.`,
        'input_reference',
        'invalid_image_format',
      ),
    );
  if (`${info.width}x${info.height}` !== size)
    return fail(invalidRequest('Inpaint image must match the requested width and height', 'input_reference'));
  return ok({ bytes: upload.bytes, sha256: createHash('sha256').update(upload.bytes).digest('hex') });
}

/** Validates a create body for `flavour`, returning what the job is made of or the service's 400. */
export function parseCreateRequest(body: ParsedBody, flavour: EmulatorFlavour): Result<CreateSpec> {
  const raw = body.kind === 'json' ? rawFromJson(body.value) : rawFromForm(body.fields);
  if (!raw.ok) return raw;
  const { prompt, image } = raw.value;
  const model = raw.value.model ?? 'sora-2';
  const caps = modelCapabilities(flavour, model);
  if (!caps.ok) return caps;
  const checkedPrompt = checkPrompt(prompt, caps.value.maxPromptChars);
  if (!checkedPrompt.ok) return checkedPrompt;
  const size = raw.value.size ?? caps.value.defaultSize;
  if (!caps.value.sizes.includes(size))
    return fail(
      invalidRequest(
        `Invalid value: '${size}'. Supported values are: ${quoteList(caps.value.sizes)}.`,
        'size',
      ),
    );
  const seconds = raw.value.seconds ?? caps.value.defaultSeconds;
  if (!caps.value.seconds.includes(seconds))
    return fail(
      invalidRequest(
        `Invalid value: '${seconds}'. Supported values are: ${quoteList(caps.value.seconds)}.`,
        'seconds',
      ),
    );
  let stored: StoredImage | undefined;
  if (image) {
    const checked = checkImage(image, caps.value, size);
    if (!checked.ok) return checked;
    stored = checked.value;
  }
  return ok({ prompt, model, size, seconds, image: stored });
}

/** Validates a remix body: `{prompt}` only. */
export function parseRemixRequest(body: ParsedBody): Result<string> {
  const value = body.kind === 'json' ? body.value : Object.fromEntries(body.fields);
  const parsed = RemixSchema.safeParse(value);
  if (!parsed.success) return fail(schemaFailure(parsed.error));
  return checkPrompt(parsed.data.prompt, CAPABILITIES.openai.models['sora-2'].maxPromptChars);
}
