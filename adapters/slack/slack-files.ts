/**
 * People's files as core Attachments. Slack's private file URLs need the bot token; without it Slack
 * answers 200 with an HTML sign-in page (https://api.slack.com/types/file#auth), so a download that
 * is HTML is treated as a failure (the core also sniffs the bytes before using them).
 * A file whose URL is not on Slack's file hosts (an external file: Google Drive, Dropbox, a remote
 * file) is refused before anything is requested: its URL points wherever its author chose, and the
 * download would carry the bot token there (file-hosts.ts). The bytes come through
 * SlackFileDownloader, which bounds time and size.
 */
import { z } from 'zod';
import type { Attachment } from '../../src/core/intents.js';
import type { SlackFileDownloader } from './file-download.js';
import type { FileHostPolicy } from './file-hosts.js';
import type { SlackApi } from './slack-api.js';

export const SlackFileSchema = z.object({
  id: z.string().min(1),
  name: z.string().default('image'),
  mimetype: z.string().optional(),
  size: z.number().optional(),
  /** Google Drive, Dropbox, remote files: the URLs point outside Slack. */
  is_external: z.boolean().optional(),
  url_private_download: z.string().url().optional(),
  url_private: z.string().url().optional(),
});
export type SlackFile = z.infer<typeof SlackFileSchema>;

/** The answer to a picture the bot will not fetch with its token. */
export const EXTERNAL_FILE_TEXT =
  "I can't fetch files stored outside Slack; upload the picture to Slack directly.";

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

function downloadUrl(file: SlackFile): string | undefined {
  return file.url_private_download ?? file.url_private;
}

/**
 * Why this file will not be downloaded, in words for the person, or undefined when it may be. Checked
 * where the file first arrives, so the person hears it at once and the token never leaves.
 */
export function fileRefusal(file: SlackFile, policy: FileHostPolicy): string | undefined {
  const url = downloadUrl(file);
  if (file.is_external || (url !== undefined && !policy.mayCarryToken(url))) return EXTERNAL_FILE_TEXT;
  // No URL at all is Slack's oddity, not an external file: the download fails and says so.
  return undefined;
}

export function slackAttachment(file: SlackFile, downloader: SlackFileDownloader): Attachment {
  return {
    filename: file.name,
    contentType: file.mimetype ?? null,
    bytes: file.size ?? null,
    fetch: () => downloadPrivateFile(file, downloader),
  };
}

/** Looks a file up by id (the shortcut keeps only the id in the modal's private_metadata). */
export async function fileById(slack: SlackApi, fileId: string): Promise<SlackFile | undefined> {
  const result = await slack.call('files.info', { file: fileId });
  const parsed = SlackFileSchema.safeParse(result.file);
  return parsed.success ? parsed.data : undefined;
}

async function downloadPrivateFile(file: SlackFile, downloader: SlackFileDownloader): Promise<Uint8Array> {
  // Checked again here (the downloader checks each hop too): a caller that skipped fileRefusal must
  // not be the way the token leaves.
  if (fileRefusal(file, downloader.policy)) throw new Error('the file is stored outside Slack');
  const url = downloadUrl(file);
  if (!url) throw new Error('the file has no download URL');
  return downloader.download(url);
}

/** An attachment known only by id and name until the core fetches it (the shortcut's image). */
export function lazySlackAttachment(
  meta: { id: string; name: string; mimetype: string | null },
  slack: SlackApi,
  downloader: SlackFileDownloader,
): Attachment {
  return {
    filename: meta.name,
    contentType: meta.mimetype,
    bytes: null,
    fetch: async () => {
      const file = await fileById(slack, meta.id);
      if (!file) throw new Error('the file is gone');
      return downloadPrivateFile(file, downloader);
    },
  };
}
