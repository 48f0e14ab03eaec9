/**
 * People's files as core Attachments. Slack's private file URLs need the bot token; without it Slack
 * answers 200 with an HTML sign-in page (https://api.slack.com/types/file#auth), so a download that
 * is HTML is treated as a failure (the core also sniffs the bytes before using them).
 */
import { fetch } from 'undici';
import { z } from 'zod';
import type { Attachment } from '../../src/core/intents.js';
import type { SlackApi } from './slack-api.js';

export const SlackFileSchema = z.object({
  id: z.string().min(1),
  name: z.string().default('image'),
  mimetype: z.string().optional(),
  size: z.number().optional(),
  url_private_download: z.string().url().optional(),
  url_private: z.string().url().optional(),
});
export type SlackFile = z.infer<typeof SlackFileSchema>;

/** The largest file we download as a reference image (the provider's cap is 20 MB). */
const MAX_DOWNLOAD_BYTES = 25 * 1024 * 1024;

/** The first image-looking file of a message or submission, if any. */
export function firstImageFile(files: unknown): SlackFile | undefined {
  if (!Array.isArray(files)) return undefined;
  for (const raw of files) {
    const parsed = SlackFileSchema.safeParse(raw);
    if (
      parsed.success &&
      (parsed.data.mimetype?.startsWith('image/') ?? /\.(png|jpe?g|webp|gif)$/i.test(parsed.data.name))
    )
      return parsed.data;
  }
  return undefined;
}

export function slackAttachment(file: SlackFile, botToken: string): Attachment {
  return {
    filename: file.name,
    contentType: file.mimetype ?? null,
    bytes: file.size ?? null,
    fetch: () => downloadPrivateFile(file, botToken),
  };
}

/** Looks a file up by id (the shortcut keeps only the id in the modal's private_metadata). */
export async function fileById(slack: SlackApi, fileId: string): Promise<SlackFile | undefined> {
  const result = await slack.call('files.info', { file: fileId });
  const parsed = SlackFileSchema.safeParse(result.file);
  return parsed.success ? parsed.data : undefined;
}

async function downloadPrivateFile(file: SlackFile, botToken: string): Promise<Uint8Array> {
  const url = file.url_private_download ?? file.url_private;
  if (!url) throw new Error('the file has no download URL');
  const response = await fetch(url, { headers: { authorization: `Bearer ${botToken}` } });
  const type = response.headers.get('content-type') ?? '';
  if (response.status !== 200 || type.startsWith('text/html')) {
    await response.body?.cancel();
    throw new Error(`the file download answered ${response.status} ${type.split(';')[0]}`);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_DOWNLOAD_BYTES) {
    await response.body?.cancel();
    throw new Error('the file is too large');
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** An attachment known only by id and name until the core fetches it (the shortcut's image). */
export function lazySlackAttachment(
  meta: { id: string; name: string; mimetype: string | null },
  slack: SlackApi,
): Attachment {
  return {
    filename: meta.name,
    contentType: meta.mimetype,
    bytes: null,
    fetch: async () => {
      const file = await fileById(slack, meta.id);
      if (!file) throw new Error('the file is gone');
      return downloadPrivateFile(file, slack.botToken);
    },
  };
}
