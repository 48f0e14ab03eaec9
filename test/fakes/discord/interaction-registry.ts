import type { CallbackRecord } from './recorder.js';

/** An interaction the fake dispatched, and what the bot did with it. */
export interface InteractionRecord {
  id: string;
  token: string;
  /** 2 command, 3 component, 4 autocomplete, 5 modal submit */
  type: number;
  channelId: string;
  guildId: string;
  payload: Record<string, unknown>;
  dispatchedAtMs: number;
  /** Message id carried by a component/modal interaction (what type 6/7 callbacks update). */
  sourceMessageId: string | null;
  firstCallback: CallbackRecord | null;
  /** The message `@original` points at once acknowledged. */
  originalMessageId: string | null;
  /** Resolves with the first accepted callback. */
  callback: Promise<CallbackRecord>;
  resolveCallback: (record: CallbackRecord) => void;
}

export class InteractionRegistry {
  private readonly byId = new Map<string, InteractionRecord>();
  private readonly byToken = new Map<string, InteractionRecord>();

  add(record: Omit<InteractionRecord, 'callback' | 'resolveCallback'>): InteractionRecord {
    let resolveCallback!: (record: CallbackRecord) => void;
    const callback = new Promise<CallbackRecord>((resolve) => {
      resolveCallback = resolve;
    });
    const full: InteractionRecord = { ...record, callback, resolveCallback };
    this.byId.set(full.id, full);
    this.byToken.set(full.token, full);
    return full;
  }

  get(id: string): InteractionRecord | undefined {
    return this.byId.get(id);
  }

  byInteractionToken(token: string): InteractionRecord | undefined {
    return this.byToken.get(token);
  }
}
