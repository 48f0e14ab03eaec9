import type { ChangeSignal } from './change-signal.js';
import type { UploadedFile } from './http-io.js';

/** One REST request as the fake saw it. */
export interface RestCall {
  index: number;
  method: string;
  /** Decoded path below `/api/v10`, e.g. `/webhooks/1/tok/messages/@original`. */
  path: string;
  /** The matched route template, e.g. `/webhooks/:applicationId/:token/messages/:messageId`; `null` if none. */
  route: string | null;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Whether an `Authorization: Bot <token>` header with the right token came along. */
  botAuth: boolean;
  json: unknown;
  files: UploadedFile[];
  multipart: boolean;
  /** Filled in when the answer is sent. */
  status: number | null;
  /** ms since the fake started. */
  atMs: number;
}

export type MessageWriteKind =
  | 'channel-create'
  | 'channel-edit'
  | 'interaction-callback'
  | 'webhook-edit'
  | 'followup';

/** Every call that creates or edits message content, with its `allowed_mentions` (undefined if absent). */
export interface MessageWrite {
  callIndex: number;
  kind: MessageWriteKind;
  channelId: string;
  messageId: string;
  content: string | undefined;
  allowedMentions: unknown;
}

/** The first (and any later, rejected) callback for one interaction. */
export interface CallbackRecord {
  callIndex: number;
  interactionId: string;
  type: number;
  data: unknown;
  /** ms between the INTERACTION_CREATE dispatch and this callback arriving. */
  msSinceDispatch: number;
  accepted: boolean;
}

export class Recorder {
  readonly calls: RestCall[] = [];
  readonly messageWrites: MessageWrite[] = [];
  readonly callbacks: CallbackRecord[] = [];

  constructor(
    private readonly signal: ChangeSignal,
    private readonly elapsedMs: () => number,
  ) {}

  startCall(call: Omit<RestCall, 'index' | 'status' | 'atMs'>): RestCall {
    const recorded: RestCall = { ...call, index: this.calls.length, status: null, atMs: this.elapsedMs() };
    this.calls.push(recorded);
    return recorded;
  }

  finishCall(call: RestCall, status: number): void {
    call.status = status;
    this.signal.notify();
  }

  recordMessageWrite(write: MessageWrite): void {
    this.messageWrites.push(write);
  }

  recordCallback(callback: CallbackRecord): void {
    this.callbacks.push(callback);
  }

  /** Finished calls matching method and route template (or a predicate). */
  callsTo(method: string, route: string): RestCall[] {
    return this.calls.filter((c) => c.method === method && c.route === route && c.status !== null);
  }

  /** Resolves with the first finished call matching `predicate` (including ones already recorded). */
  waitForCall(predicate: (call: RestCall) => boolean, timeoutMs?: number): Promise<RestCall> {
    return this.signal.waitFor(
      () => this.calls.find((c) => c.status !== null && predicate(c)),
      timeoutMs,
      'a matching REST call',
    );
  }

  /** Resolves with the first truthy value of `probe`, re-checked after every change in the fake. */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number): Promise<T> {
    return this.signal.waitFor(probe, timeoutMs);
  }
}
