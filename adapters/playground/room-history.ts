/**
 * What each playground room shows: its messages in order, kept in memory for the live page and
 * written through to the adapter's own records (`ctx.values('playground')`: one value per message,
 * a sorted index per room by post time, and an index of rooms), so a restart still shows the room's
 * videos and `findDelivery` can look up the message a delivery checkpointed. Listeners (the
 * Server-Sent Events streams) hear every posted or replaced message.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../src/core/clock.js';
import type { BotMessage } from '../../src/core/messages.js';
import type { KeyValues } from '../../src/store/key-values.js';
import { DEFAULT_ROOM } from './conversation.js';

/** Under the adapter's namespace (`playground:rooms`, `playground:room:R`, `playground:message:REF`). */
const KEYS = {
  rooms: 'rooms',
  room: (room: string) => `room:${room}`,
  entry: (ref: string) => `message:${ref}`,
} as const;
/** Rooms and messages are read a page at a time; a room keeps every message, a page shows the newest. */
const PAGE = 500;

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
    private readonly store: KeyValues,
    private readonly clock: Clock,
  ) {}

  async rooms(): Promise<string[]> {
    const stored = await this.members(KEYS.rooms);
    return [...new Set([DEFAULT_ROOM, ...stored])].sort((a, b) =>
      a === DEFAULT_ROOM ? -1 : b === DEFAULT_ROOM ? 1 : a.localeCompare(b),
    );
  }

  async addRoom(room: string): Promise<void> {
    await this.store.indexAdd(KEYS.rooms, room, this.clock.now());
  }

  async entries(room: string): Promise<RoomEntry[]> {
    const entries = [...(await this.load(room)).values()];
    return entries.sort((a, b) => a.postedAt - b.postedAt || a.ref.localeCompare(b.ref));
  }

  async get(room: string, ref: string): Promise<RoomEntry | undefined> {
    return (await this.load(room)).get(ref);
  }

  /** A message as stored, by its ref alone (no room loaded): what `findDelivery` asks about. */
  async stored(ref: string): Promise<RoomEntry | undefined> {
    const parsed = RoomEntrySchema.safeParse(await this.store.get<unknown>(KEYS.entry(ref)));
    return parsed.success ? parsed.data : undefined;
  }

  /** A fresh message ref for `room` (taken before posting, so a delivery can checkpoint it first). */
  newRef(room: string): string {
    return `${room}:${randomBytes(6).toString('hex')}`;
  }

  async find(room: string, match: (entry: RoomEntry) => boolean): Promise<RoomEntry | undefined> {
    return (await this.entries(room)).find(match);
  }

  async append(
    room: string,
    message: BotMessage,
    fields: { role: RoomEntry['role']; jobId: string | null; media?: MediaLinks | null; ref?: string },
  ): Promise<RoomEntry> {
    const entries = await this.load(room);
    this.lastPostedAt = Math.max(this.clock.now(), this.lastPostedAt + 1);
    const entry: RoomEntry = {
      ref: fields.ref ?? this.newRef(room),
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

  /** Indexes a room the first time this process posts in it (re-adding would move its first-seen time). */
  private readonly knownRooms = new Set<string>();
  private async addRoomOnce(room: string): Promise<void> {
    if (this.knownRooms.has(room)) return;
    this.knownRooms.add(room);
    await this.addRoom(room);
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

  /** Every member of an index, oldest first, read a page at a time. */
  private async members(index: string): Promise<string[]> {
    const members: string[] = [];
    let after: { score: number; member: string } | undefined;
    for (;;) {
      const page = await this.store.indexRange(index, { limit: PAGE, order: 'asc', after });
      members.push(...page.map((e) => e.member));
      const last = page.at(-1);
      if (!last || page.length < PAGE) return members;
      after = { score: last.score, member: last.member };
    }
  }

  private async readRoom(room: string): Promise<Map<string, RoomEntry>> {
    const refs = await this.members(KEYS.room(room));
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
            this.store.indexAdd(KEYS.room(entry.room), entry.ref, entry.postedAt),
            this.addRoomOnce(entry.room),
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
