import { z } from 'zod';
import type { FileRecord } from './file-store.js';
import { optionalJson, optionalString, requiredString } from './method-args.js';
import { requireScope } from './scope-check.js';
import { SlackApiFailure } from './slack-api-failure.js';
import type { MethodHandler, WorkspaceState } from './workspace-state.js';

/** Step 1 of the external upload (platforms.md, "Uploading an MP4 into a thread"). */
const getUploadUrlExternal: MethodHandler = ({ args }, state) => {
  requireScope(state, 'files:write');
  const filename = requiredString(args, 'filename');
  const length = Number(requiredString(args, 'length'));
  if (!Number.isInteger(length) || length <= 0) throw new SlackApiFailure('invalid_arguments');
  const file = state.files.create({ name: filename, user: state.options.botUserId, declaredLength: length });
  return { ok: true, upload_url: `${state.rootUrl}upload/v1/${file.id}`, file_id: file.id };
};

/** What files.completeUploadExternal accepts as `channel_id` (its error message quotes this pattern). */
const CONVERSATION_ID = /^[CGDZ][A-Z0-9]{8,}$/;

const completeFilesSchema = z.array(z.object({ id: z.string().min(1), title: z.string().optional() })).min(1);

/** Step 3: checks policy and access, then shares the files into the channel/thread (maybe later, maybe never). */
const completeUploadExternal: MethodHandler = ({ args }, state) => {
  requireScope(state, 'files:write');
  const parsed = completeFilesSchema.safeParse(optionalJson(args, 'files'));
  if (!parsed.success) throw new SlackApiFailure('invalid_arguments');
  const files = parsed.data.map(({ id, title }) => {
    const file = state.files.get(id);
    if (file === undefined || file.receivedLength === undefined) throw new SlackApiFailure('file_not_found');
    return { file, title };
  });
  if (state.uploads.disabled) throw new SlackApiFailure('file_uploads_disabled');
  const { maxBytes } = state.uploads;
  if (maxBytes !== undefined && files.some(({ file }) => (file.receivedLength ?? 0) > maxBytes)) {
    throw new SlackApiFailure('file_upload_size_restricted');
  }
  const channelId = optionalString(args, 'channel_id') ?? optionalString(args, 'channels')?.split(',')[0];
  // Slack shares only into a conversation id: a user id (U…) is refused, so a DM must be opened first.
  if (channelId !== undefined && !CONVERSATION_ID.test(channelId))
    throw new SlackApiFailure('invalid_arguments', {
      response_metadata: {
        messages: [
          `[ERROR] input must match regex pattern: ${CONVERSATION_ID.source} [json-pointer:/channel_id]`,
        ],
      },
    });
  const channel = channelId === undefined ? undefined : state.conversations.requireWritable(channelId);
  const threadTs = optionalString(args, 'thread_ts');
  if (threadTs !== undefined && channel === undefined) throw new SlackApiFailure('invalid_arguments');
  for (const { file, title } of files) {
    if (title !== undefined) file.title = title;
    file.completed = true;
  }
  if (channel !== undefined) {
    const share = () =>
      shareFiles(
        state,
        files.map(({ file }) => file),
        channel.id,
        threadTs,
        args,
      );
    const policy = state.uploads.share;
    if (policy === 'immediate') share();
    else if (typeof policy === 'number') state.schedule(policy, share);
  }
  return { ok: true, files: files.map(({ file }) => ({ id: file.id, title: file.title })) };
};

function shareFiles(
  state: WorkspaceState,
  files: FileRecord[],
  channelId: string,
  threadTs: string | undefined,
  args: Record<string, unknown>,
): void {
  const channel = state.conversations.channel(channelId);
  if (channel === undefined) return;
  const blocks = optionalJson(args, 'blocks');
  const message = state.conversations.insertFromBot({
    channel: channelId,
    text: optionalString(args, 'initial_comment') ?? '',
    ...(Array.isArray(blocks) ? { blocks } : {}),
    ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
    upload: true,
    files: [],
  });
  for (const file of files) {
    const visibility = channel.kind === 'public' ? 'public' : 'private';
    const shares = file.shares[visibility][channelId] ?? [];
    shares.push({
      ts: message.ts,
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      channel_name: channel.name,
      team_id: state.options.teamId,
      share_user_id: state.options.botUserId,
      source: 'UPLOAD',
    });
    file.shares[visibility][channelId] = shares;
  }
  message.files = files.map((file) => state.files.toApiObject(file, state.rootUrl));
}

const filesInfo: MethodHandler = ({ args }, state) => {
  requireScope(state, 'files:read');
  const file = state.files.get(requiredString(args, 'file'));
  if (file === undefined || (file.bytes === undefined && !file.completed))
    throw new SlackApiFailure('file_not_found');
  return {
    ok: true,
    file: state.files.toApiObject(file, state.rootUrl),
    comments: [],
    response_metadata: { next_cursor: '' },
  };
};

/**
 * files.delete: a bot may delete the files it uploaded (`cant_delete_file` otherwise). Messages that
 * shared the file keep a tombstone in place of the file object, as Slack shows "This file was deleted."
 */
const filesDelete: MethodHandler = ({ args }, state) => {
  requireScope(state, 'files:write');
  const fileId = requiredString(args, 'file');
  const file = state.files.get(fileId);
  if (file === undefined) throw new SlackApiFailure('file_not_found');
  if (file.user !== state.options.botUserId) throw new SlackApiFailure('cant_delete_file');
  state.files.remove(fileId);
  for (const channelId of [...Object.keys(file.shares.public), ...Object.keys(file.shares.private)]) {
    for (const message of state.conversations.all(channelId)) {
      if (!message.files?.some((f) => f.id === fileId)) continue;
      message.files = message.files.map((f) => (f.id === fileId ? { id: fileId, mode: 'tombstone' } : f));
    }
  }
  return { ok: true };
};

export const fileMethods: Record<string, MethodHandler> = {
  'files.delete': filesDelete,
  'files.getUploadURLExternal': getUploadUrlExternal,
  'files.completeUploadExternal': completeUploadExternal,
  'files.info': filesInfo,
};
