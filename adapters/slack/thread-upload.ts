/**
 * One file into a job's thread, exactly once: the streaming upload, with the delivery's checkpoint
 * between the bytes going up and the share that makes them visible. A file that will now never be
 * shared is deleted rather than left among the bot's files.
 */
import type { Dispatcher } from 'undici';
import type { Logger } from '../../src/core/logger.js';
import { SurfaceError } from '../../src/core/surface.js';
import { joinPublicChannel } from './channel-join.js';
import type { SlackConversation } from './conversation.js';
import type { DeliveryCheckpoint } from './delivery-facts.js';
import type { SlackApi } from './slack-api.js';
import { uploadFileStreaming } from './streaming-upload.js';

export interface ThreadUploadDeps {
  slack: SlackApi;
  logger: Logger;
  /** The bot's undici Agent (src/app.ts), for the upload; undici's global one when absent (tests). */
  dispatcher?: Dispatcher | undefined;
}

export interface ThreadFile {
  path: string;
  bytes: number;
  filename: string;
  title: string;
  caption: string;
  checkpoint: DeliveryCheckpoint;
}

/** Uploads one file and shares it into the thread; the checkpoint comes between the two. */
export async function uploadIntoThread(
  deps: ThreadUploadDeps,
  c: SlackConversation,
  file: ThreadFile,
): Promise<string> {
  // Set from the callback below (an object, so the catch sees the callback's writes).
  const at: { fileId?: string; step: 'upload' | 'checkpoint' | 'share' } = { step: 'upload' };
  try {
    const { fileId } = await uploadFileStreaming(deps.slack, {
      path: file.path,
      bytes: file.bytes,
      filename: file.filename,
      title: file.title,
      channel: c.channel,
      threadTs: c.threadTs,
      initialComment: file.caption,
      ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
      beforeShare: async (id) => {
        at.fileId = id;
        at.step = 'checkpoint';
        await file.checkpoint({ fileId: id });
        at.step = 'share';
      },
      joinChannel: () => joinPublicChannel(deps, c.channel),
    });
    return fileId;
  } catch (error) {
    // Never shared, and now never will be: stopped at the checkpoint (deleted meanwhile, or another
    // process took over) or refused by the workspace. Remove it rather than leave it in the bot's
    // files. Any other failure of the share may have shared it: the file stays for findDelivery.
    const refused = error instanceof SurfaceError && error.code === 'upload_refused';
    if (at.fileId && (at.step === 'checkpoint' || (at.step === 'share' && refused)))
      await deps.slack.call('files.delete', { file: at.fileId }).catch(() => undefined);
    throw error;
  }
}
