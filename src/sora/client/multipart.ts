/**
 * Image-to-video create: the reference image travels as a multipart `input_reference` file part next to
 * the plain fields (docs/sora-api.md, "Create fields"); its pixel size must equal `size`.
 * Built with undici's own FormData/Blob so undici streams it with a proper boundary.
 */
import { Blob } from 'node:buffer';
import { FormData } from 'undici';
import type { ReferenceImage } from '../provider.js';

export interface CreateFields {
  prompt: string;
  model?: string | undefined;
  seconds?: string | undefined;
  size?: string | undefined;
}

export function createFormData(fields: CreateFields, image: ReferenceImage): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) form.append(name, value);
  form.append('input_reference', new Blob([image.data], { type: image.contentType }), image.filename);
  return form;
}
