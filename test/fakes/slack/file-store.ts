import { extname } from 'node:path';
import type { DownloadBehaviour } from './download-behaviours.js';
import type { SlackIdFactory } from './slack-ids.js';

export interface FileShare {
  ts: string;
  thread_ts?: string;
  channel_name: string;
  team_id: string;
  share_user_id: string;
  source: 'UPLOAD';
}

/** A file known to the fake: seeded by a test, or created by files.getUploadURLExternal. */
export interface FileRecord {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  user: string;
  createdSec: number;
  /** `length` announced to files.getUploadURLExternal (uploads only). */
  declaredLength?: number;
  /** The stored bytes; undefined until step 2 of an upload has happened. */
  bytes?: Buffer;
  /** How many bytes step 2 received (also set when the fake does not retain upload bytes). */
  receivedLength?: number;
  /** Set by files.completeUploadExternal. */
  completed: boolean;
  /** channel id -> shares, split like Slack's `shares.public` / `shares.private`. */
  shares: { public: Record<string, FileShare[]>; private: Record<string, FileShare[]> };
  /**
   * An external file (Google Drive, Dropbox, a remote file): Slack serialises it with
   * `is_external: true` and its `url_private` pointing at that service, anywhere on the internet.
   */
  external?: { url: string; type: string };
  /** How its private URL answers instead of the bytes (tests of hostile file hosts). */
  serve?: DownloadBehaviour;
}

const mimeByExtension: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.txt': 'text/plain',
};

export function guessMimetype(name: string): string {
  return mimeByExtension[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Files and their bytes. URLs are built on the fake's own base URL so that an adapter can download
 * `url_private_download` with the bot token exactly as it would from files.slack.com.
 */
export class FileStore {
  private readonly files = new Map<string, FileRecord>();

  constructor(
    private readonly ids: SlackIdFactory,
    private readonly now: () => number,
    private readonly teamId: string,
  ) {}

  create(input: { name: string; title?: string; user: string; mimetype?: string; declaredLength?: number }) {
    const record: FileRecord = {
      id: this.ids.next('F'),
      name: input.name,
      title: input.title ?? input.name,
      mimetype: input.mimetype ?? guessMimetype(input.name),
      user: input.user,
      createdSec: Math.floor(this.now() / 1000),
      ...(input.declaredLength === undefined ? {} : { declaredLength: input.declaredLength }),
      completed: false,
      shares: { public: {}, private: {} },
    };
    this.files.set(record.id, record);
    return record;
  }

  get(id: string): FileRecord | undefined {
    return this.files.get(id);
  }

  remove(id: string): void {
    this.files.delete(id);
  }

  all(): FileRecord[] {
    return [...this.files.values()];
  }

  /** The file object as Slack serialises it in messages, events and files.info. */
  toApiObject(file: FileRecord, baseUrl: string): Record<string, unknown> {
    const extension = extname(file.name).slice(1).toLowerCase() || 'binary';
    const privateBase = `${baseUrl}files-pri/${this.teamId}-${file.id}`;
    const hasShares = Object.keys(file.shares.public).length + Object.keys(file.shares.private).length > 0;
    return {
      id: file.id,
      created: file.createdSec,
      timestamp: file.createdSec,
      name: file.name,
      title: file.title,
      mimetype: file.mimetype,
      filetype: extension,
      pretty_type: extension.toUpperCase(),
      user: file.user,
      user_team: this.teamId,
      editable: false,
      size: file.bytes?.length ?? file.receivedLength ?? file.declaredLength ?? 0,
      mode: file.external ? 'external' : 'hosted',
      is_external: file.external !== undefined,
      external_type: file.external?.type ?? '',
      is_public: Object.keys(file.shares.public).length > 0,
      public_url_shared: false,
      display_as_bot: false,
      username: '',
      ...(file.external
        ? { url_private: file.external.url }
        : {
            url_private: `${privateBase}/${encodeURIComponent(file.name)}`,
            url_private_download: `${privateBase}/download/${encodeURIComponent(file.name)}`,
          }),
      permalink: `${baseUrl}files/${file.user}/${file.id}/${encodeURIComponent(file.name)}`,
      ...(hasShares ? { shares: file.shares } : {}),
      channels: Object.keys(file.shares.public),
      groups: Object.keys(file.shares.private),
      ims: [],
      has_rich_preview: false,
      file_access: 'visible',
    };
  }
}
