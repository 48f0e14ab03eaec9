/**
 * What each playground room shows: its messages in order, kept in memory for the live page and
 * written through to the bot's store, so a restart still shows the room's videos and `findDelivery`
 * can tell that a video was already posted. Listeners (the Server-Sent Events streams) hear every
 * posted or replaced message.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../src/core/clock.js';
import type { BotMessage } from '../../src/core/messages.js';
import type { Store } from '../../src/store/store.js';
import { DEFAULT_ROOM } from './conversation.js';

const KEYS = {
  rooms: 'playground:rooms',
  room: (room: string) => `playground:room:${room}`,
  entry: (ref: string) => `playground:message:${ref}`,
} as const;

export const ENTRY_ROLES = ['status', 'result', 'post'] as const;

export const MediaLinksSchema = z.object({ video: z.string(), thumbnail: z.string().nullable() });
export type MediaLinks = z.infer<typeof MediaLinksSchema>;

/** The message model is ours (written by this module); the envelope is checked on the way back in. */
const BotMessageSchema = z.custom<BotMessage>(
  (value) =>
    typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string',
  'a bot message',
);

export const RoomEntrySchema = z.object({
  ref: z.string().min(1),
  room: z.string().min(1),
  /** Monotonic within a process; orders the room. */
  postedAt: z.number(),
  role: z.enum(ENTRY_ROLES),
  jobId: z.string().nullable(),
  message: BotMessageSchema,
  media: MediaLinksSchema.nullable(),
});
export type RoomEntry = z.infer<typeof RoomEntrySchema>;

export type RoomListener = (entry: RoomEntry) => void;

export class RoomHistory {
  private readonly loaded = new Map<string, Promise<Map<string, RoomEntry>>>();
  private readonly listeners = new Map<string, Set<RoomListener>>();
  /** Writes of one message are chained so that an older version never lands after a newer one. */
  private readonly writes = new Map<string, Promise<void>>();
  private lastPostedAt = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async rooms(): Promise<string[]> {
    const stored = await this.store.members(KEYS.rooms);
    return [...new Set([DEFAULT_ROOM, ...stored])].sort((a, b) =>
      a === DEFAULT_ROOM ? -1 : b === DEFAULT_ROOM ? 1 : a.localeCompare(b),
    );
  }

  async addRoom(room: string): Promise<void> {
    await this.store.addToSet(KEYS.rooms, room);
  }

  async entries(room: string): Promise<RoomEntry[]> {
    const entries = [...(await this.load(room)).values()];
    return entries.sort((a, b) => a.postedAt - b.postedAt || a.ref.localeCompare(b.ref));
  }

  async get(room: string, ref: string): Promise<RoomEntry | undefined> {
    return (await this.load(room)).get(ref);
  }

  async find(room: string, match: (entry: RoomEntry) => boolean): Promise<RoomEntry | undefined> {
    return (await this.entries(room)).find(match);
  }

  async append(
    room: string,
    message: BotMessage,
    fields: { role: RoomEntry['role']; jobId: string | null; media?: MediaLinks | null },
  ): Promise<RoomEntry> {
    const entries = await this.load(room);
    this.lastPostedAt = Math.max(this.clock.now(), this.lastPostedAt + 1);
    const entry: RoomEntry = {
      ref: `${room}:${randomBytes(6).toString('hex')}`,
      room,
      postedAt: this.lastPostedAt,
      role: fields.role,
      jobId: fields.jobId,
      message,
      media: fields.media ?? null,
    };
    entries.set(entry.ref, entry);
    await this.persist(entry, true);
    this.emit(entry);
    return entry;
  }

  /** Replaces a message in place; undefined when the room has no such message. */
  async replace(
    room: string,
    ref: string,
    change: (entry: RoomEntry) => Pick<RoomEntry, 'message' | 'media'>,
  ): Promise<RoomEntry | undefined> {
    const entries = await this.load(room);
    const current = entries.get(ref);
    if (!current) return undefined;
    const next: RoomEntry = { ...current, ...change(current) };
    entries.set(ref, next);
    await this.persist(next, false);
    this.emit(next);
    return next;
  }

  subscribe(room: string, listener: RoomListener): () => void {
    let set = this.listeners.get(room);
    if (!set) {
      set = new Set();
      this.listeners.set(room, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(room);
    };
  }

  private emit(entry: RoomEntry): void {
    for (const listener of this.listeners.get(entry.room) ?? []) listener(entry);
  }

  private load(room: string): Promise<Map<string, RoomEntry>> {
    let loading = this.loaded.get(room);
    if (!loading) {
      loading = this.readRoom(room);
      this.loaded.set(room, loading);
      // A failed read is retried by the next caller instead of being cached.
      loading.catch(() => this.loaded.delete(room));
    }
    return loading;
  }

  private async readRoom(room: string): Promise<Map<string, RoomEntry>> {
    const refs = await this.store.members(KEYS.room(room));
    const raw = await Promise.all(refs.map((ref) => this.store.get<unknown>(KEYS.entry(ref))));
    const entries = new Map<string, RoomEntry>();
    for (const value of raw) {
      const parsed = RoomEntrySchema.safeParse(value);
      if (parsed.success) {
        entries.set(parsed.data.ref, parsed.data);
        this.lastPostedAt = Math.max(this.lastPostedAt, parsed.data.postedAt);
      }
    }
    return entries;
  }

  private persist(entry: RoomEntry, isNew: boolean): Promise<void> {
    const previous = this.writes.get(entry.ref) ?? Promise.resolve();
    const write = previous
      .catch(() => undefined)
      .then(async () => {
        await this.store.set(KEYS.entry(entry.ref), entry);
        if (isNew)
          await Promise.all([
            this.store.addToSet(KEYS.room(entry.room), entry.ref),
            this.store.addToSet(KEYS.rooms, entry.room),
          ]);
      });
    this.writes.set(entry.ref, write);
    const forget = () => {
      if (this.writes.get(entry.ref) === write) this.writes.delete(entry.ref);
    };
    // The caller gets the failure through `write`; this branch must not raise an unhandled rejection.
    write.then(forget, forget);
    return write;
  }
}
