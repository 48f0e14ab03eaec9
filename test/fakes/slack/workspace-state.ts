import type { ConversationStore } from './conversation-store.js';
import type { FileStore } from './file-store.js';
import type { ResolvedFakeSlackOptions, UploadPolicy } from './options.js';
import type { SlackIdFactory } from './slack-ids.js';
import type { ViewStore } from './view-store.js';

/** Everything a Web API method handler may read or change: one fake workspace. */
export interface WorkspaceState {
  options: ResolvedFakeSlackOptions;
  ids: SlackIdFactory;
  now: () => number;
  conversations: ConversationStore;
  files: FileStore;
  views: ViewStore;
  /** Scopes of the bot token; mutable at run time (`fake.workspace.setScopes`). */
  scopes: string[];
  /** Mutable at run time (`fake.workspace.setUploadPolicy`). */
  uploads: UploadPolicy;
  /** `http://127.0.0.1:PORT/` (file, upload and response URLs hang off it). */
  rootUrl: string;
  /** Issues a single-use Socket Mode URL (apps.connections.open). */
  issueSocketUrl: () => string;
  /** Runs `task` after `delayMs` unless the fake closes first. */
  schedule: (delayMs: number, task: () => void) => void;
}

export interface MethodCall {
  method: string;
  args: Record<string, unknown>;
}

export type MethodHandler = (
  call: MethodCall,
  state: WorkspaceState,
) => Record<string, unknown> | Promise<Record<string, unknown>>;
