/**
 * Test client for the playground over real HTTP (undici): start a real bot on the emulator, send
 * commands the way the page does, and read a room's Server-Sent Events stream. Not a test file.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFile, type Movie, MP4BoxBuffer } from 'mp4box';
import { fetch } from 'undici';
import type { WireEntry, WireMessage } from '../../adapters/playground/wire-message.js';
import { type RunningBot, startBot } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';

export async function newDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sora-playground-'));
}

/** `env` adds settings (budgets, admins) to the test bot's configuration. */
export function startTestBot(
  dataDir: string,
  renderMs = 300,
  env: Record<string, string> = {},
): Promise<RunningBot> {
  return startBot(
    parseConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      SORA_EMULATOR_RENDER_MS: String(renderMs),
      LOG_LEVEL: (process.env.PLAYGROUND_TEST_LOG as 'info' | undefined) ?? 'silent',
      ...env,
    }),
    { print: () => {} },
  );
}

export type CommandAnswer =
  | { kind: 'job'; jobId: string; duplicate: boolean }
  | { kind: 'reply'; reply: WireMessage };

let sent = 0;
export function clientId(): string {
  sent += 1;
  return `test-${process.pid}-${sent}-${Math.random().toString(36).slice(2, 10)}`;
}

export async function sendCommand(
  baseUrl: string,
  room: string,
  body: {
    text: string;
    name: string;
    clientId?: string;
    image?: { filename: string; contentType: string | null; base64: string } | null;
  },
): Promise<CommandAnswer> {
  const res = await fetch(`${baseUrl}/playground/rooms/${room}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: clientId(), ...body }),
  });
  if (res.status !== 200) throw new Error(`command answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as CommandAnswer;
}

/** Presses Approve, Deny, Cancel, Retry or Again the way the page does. */
export async function sendAction(
  baseUrl: string,
  room: string,
  body: { name: string; action: { kind: 'approve' | 'deny' | 'cancel' | 'retry' | 'again'; jobId: string } },
): Promise<CommandAnswer> {
  const res = await fetch(`${baseUrl}/playground/rooms/${room}/actions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`action answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as CommandAnswer;
}

export interface RoomEvent {
  event: string;
  data: unknown;
}

/** Reads a room's event stream in the background and keeps every event. */
export class RoomStream {
  readonly events: RoomEvent[] = [];
  private readonly controller = new AbortController();
  private ended = false;
  private error: unknown;

  private constructor() {}

  static async open(baseUrl: string, room: string): Promise<RoomStream> {
    const stream = new RoomStream();
    const res = await fetch(`${baseUrl}/playground/rooms/${room}/events`, {
      signal: stream.controller.signal,
    });
    if (res.status !== 200 || !res.body) throw new Error(`events answered ${res.status}`);
    if (!res.headers.get('content-type')?.startsWith('text/event-stream'))
      throw new Error('events are not text/event-stream');
    void stream.pump(res.body);
    return stream;
  }

  /** The room as the page would show it: the latest history, with later entries upserted by ref. */
  entries(): WireEntry[] {
    const byRef = new Map<string, WireEntry>();
    for (const { event, data } of this.events) {
      if (event === 'history') {
        byRef.clear();
        for (const entry of (data as { entries: WireEntry[] }).entries) byRef.set(entry.ref, entry);
      } else if (event === 'entry') {
        const entry = data as WireEntry;
        byRef.set(entry.ref, entry);
      }
    }
    return [...byRef.values()].sort((a, b) => a.postedAt - b.postedAt);
  }

  /** Every version of every entry, in arrival order (history first). */
  allVersions(): WireEntry[] {
    return this.events.flatMap(({ event, data }) =>
      event === 'history'
        ? (data as { entries: WireEntry[] }).entries
        : event === 'entry'
          ? [data as WireEntry]
          : [],
    );
  }

  /** No deadline of its own: the test's timeout is the limit (a loaded machine only takes longer). */
  async waitFor<T>(find: (stream: RoomStream) => T | undefined, what: string): Promise<T> {
    for (;;) {
      const found = find(this);
      if (found !== undefined) return found;
      if (this.error) throw this.error;
      if (this.ended) throw new Error(`the event stream ended before ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  close(): void {
    this.controller.abort();
  }

  private async pump(body: AsyncIterable<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          this.parseEvent(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf('\n\n');
        }
      }
    } catch (error) {
      if (!this.controller.signal.aborted) this.error = error;
    } finally {
      this.ended = true;
    }
  }

  private parseEvent(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length > 0) this.events.push({ event, data: JSON.parse(data.join('\n')) });
  }
}

export interface Mp4Facts {
  durationSeconds: number;
  width: number;
  height: number;
}

/** Parses MP4 bytes with mp4box: the movie's duration and its first video track's size. */
export function probeMp4(bytes: Uint8Array): Mp4Facts {
  const file = createFile();
  let movie: Movie | undefined;
  file.onReady = (info) => {
    movie = info;
  };
  file.onError = (module, message) => {
    throw new Error(`mp4box ${module}: ${message}`);
  };
  const copy = bytes.slice();
  file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(copy.buffer, 0));
  file.flush();
  if (!movie) throw new Error('not a complete MP4 (no moov box)');
  const video = movie.videoTracks[0];
  if (!video) throw new Error('the MP4 has no video track');
  return {
    durationSeconds: movie.duration / movie.timescale,
    width: video.video?.width ?? video.track_width,
    height: video.video?.height ?? video.track_height,
  };
}
