/**
 * The ChatSurface contract (src/core/surface.ts), run by every surface against its real platform
 * fake: Slack and Discord over the wire fakes, the playground over its stored room history, and the
 * test suites' recording surface. What the core relies on, stated once:
 *
 * - identities: conversations, threads and message refs round-trip through their encodings, and a
 *   conversation names its platform (the core routes by that prefix alone);
 * - startJob posts the status message, updateStatus edits it;
 * - deliverVideo posts a real MP4 and returns every ref it created; its first checkpoint comes while
 *   nothing is visible yet and already carries facts;
 * - crash and resume: a second surface (a new process: new clients and caches, the same platform and
 *   the same adapter values) finds the delivery from the recorded facts alone, and finds nothing for a
 *   delivery stopped at its checkpoint or for no facts at all;
 * - markDeleted leaves the note in the video's message and removes everything else it created;
 * - platform refusals are SurfaceErrors with the stable codes, where the platform can produce them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformOfConversation } from '../../src/core/conversation.js';
import type { JobView, NoticeMessage, StatusMessage, StatusPhase } from '../../src/core/messages.js';
import type { Platform } from '../../src/core/requester.js';
import { newShortId } from '../../src/core/short-id.js';
import {
  type ChatSurface,
  type DeliveredVideo,
  type DeliveryProgress,
  SURFACE_ERROR_CODES,
  SurfaceError,
  type SurfaceErrorCode,
  type VideoDelivery,
} from '../../src/core/surface.js';
import { type Clip, makeClip } from './clip.js';

/** One kind of id an adapter encodes (a conversation, a thread, a message ref, a file ref). */
export interface IdCodec<T> {
  name: string;
  values: fc.Arbitrary<T>;
  encode(value: T): string;
  decode(text: string): T | undefined;
  /** Strings that are not this kind of id: other platforms', malformed ones. */
  rejects: readonly string[];
  /** Fixed encodings, so a change of format is a visible test change. */
  examples?: readonly (readonly [T, string])[];
  /** A conversation: the core reads the platform from its prefix. */
  conversation?: boolean;
}

/** What a test can make the platform do to provoke one SurfaceError code. */
export interface Provocation {
  /** How, in a few words (shows in the test name). */
  how: string;
  /** Performs the failing call; it must reject with a SurfaceError of the expected code. */
  run(call: ProvocationContext): Promise<unknown>;
}

export interface ProvocationContext {
  surface: ChatSurface;
  conversation: string;
  status(job: JobView): StatusMessage;
  delivery(job: JobView, conversation: string): VideoDelivery;
  progress: DeliveryProgress;
  job: JobView;
}

/** A running platform (fake or stored state) with the adapter's values store, for one suite. */
export interface ContractPlatform {
  /**
   * A surface as a fresh process would build it: new clients and caches, in front of the same platform
   * and over the same adapter values store. The suite calls it once at the start and again to "restart".
   */
  newSurface(): Promise<ChatSurface>;
  /** A channel-level conversation to start jobs in. */
  conversation: string;
  /** How many posts showing this job's video the platform shows now in the conversation (a thread). */
  visibleVideos(conversation: string, jobId: string): Promise<number>;
  /** The text of a message as people see it (any rendering), undefined when it is gone. */
  messageText(ref: string): Promise<string | undefined>;
  /** Whether something a delivery created (one of its other refs) still exists on the platform. */
  exists(ref: string): Promise<boolean>;
  provoke: Partial<Record<SurfaceErrorCode, Provocation>>;
  /** The platform's own rules, checked after everything above ran (e.g. Slack: never read a thread). */
  rules?: { name: string; check(): void | Promise<void> }[];
  close(): Promise<void>;
}

export interface SurfaceContract {
  name: string;
  platform: Platform;
  setup(): Promise<ContractPlatform>;
  /** The conversation codec first (threads from startJob must decode with it), then any others. */
  codecs: [IdCodec<unknown>, ...IdCodec<unknown>[]];
  /** Codes this platform cannot produce, with the reason (reported as skipped tests). */
  cannotProduce?: Partial<Record<SurfaceErrorCode, string>>;
}

export function jobView(prompt: string, overrides: Partial<JobView> = {}): JobView {
  return {
    id: newShortId(),
    prompt,
    seconds: '4',
    size: '320x180',
    model: 'sora-2',
    state: 'rendering',
    progress: 0,
    requesterUser: 'alice',
    requesterName: 'Alice',
    remixOf: null,
    hasImage: false,
    createdAt: Date.now(),
    failureCode: null,
    ...overrides,
  };
}

export function statusOf(job: JobView, phase: StatusPhase = 'queued', progress = 0): StatusMessage {
  return {
    kind: 'status',
    job,
    phase,
    progress,
    queuePosition: phase === 'queued' ? 1 : null,
    etaMs: null,
  };
}

export function deliveryOf(job: JobView, conversation: string, clip: Clip): VideoDelivery {
  return {
    jobId: job.id,
    conversation,
    videoPath: clip.videoPath,
    videoBytes: clip.videoBytes,
    thumbnail: async () => clip.thumbnailPath,
    message: {
      kind: 'result',
      job: { ...job, state: 'delivering', progress: 100 },
      notes: [],
      actions: [
        { kind: 'remix', jobId: job.id, label: 'Remix' },
        { kind: 'delete', jobId: job.id, label: 'Delete' },
      ],
    },
  };
}

/** Records checkpoints the way the core does (merged facts), and what the platform showed at each. */
export function recordingProgress(seen: () => Promise<number>) {
  const checkpoints: { facts: Record<string, string>; visible: number }[] = [];
  let facts: Record<string, string> = {};
  const progress: DeliveryProgress = {
    async checkpoint(more) {
      checkpoints.push({ facts: { ...more }, visible: await seen() });
      facts = { ...facts, ...more };
    },
  };
  return { progress, checkpoints, facts: () => facts };
}

function sameRefs(a: DeliveredVideo, b: DeliveredVideo | undefined): void {
  expect(b?.messageRef).toBe(a.messageRef);
  expect([...(b?.otherRefs ?? [])].sort()).toEqual([...a.otherRefs].sort());
}

export function surfaceContract(contract: SurfaceContract): void {
  describe(`${contract.name}: the ChatSurface contract`, () => {
    describe('identities', () => {
      for (const codec of contract.codecs) {
        it(`round-trips ${codec.name}s and rejects what is not one`, () => {
          fc.assert(
            fc.property(codec.values, (value) => {
              const encoded = codec.encode(value);
              expect(codec.decode(encoded)).toEqual(value);
              if (codec.conversation) expect(platformOfConversation(encoded)).toBe(contract.platform);
            }),
          );
          for (const [value, encoded] of codec.examples ?? []) {
            expect(codec.encode(value)).toBe(encoded);
            expect(codec.decode(encoded)).toEqual(value);
          }
          for (const text of codec.rejects) expect(codec.decode(text), text).toBeUndefined();
        });
      }
    });

    describe('talking to the platform', () => {
      let platform: ContractPlatform;
      let surface: ChatSurface;
      let clip: Clip;
      let clipDir: string;
      const conversationCodec = contract.codecs[0];

      beforeAll(async () => {
        clipDir = mkdtempSync(join(tmpdir(), 'sora-contract-clip-'));
        clip = await makeClip(clipDir);
        platform = await contract.setup();
        surface = await platform.newSurface();
      }, 60_000);

      afterAll(async () => {
        await platform?.close();
        rmSync(clipDir, { recursive: true, force: true });
      });

      async function started(prompt: string) {
        const job = jobView(prompt);
        const thread = await surface.startJob(platform.conversation, statusOf(job));
        return { job, thread };
      }

      it('starts a job with its status message, in a conversation of this platform, then updates it', async () => {
        expect(surface.platform).toBe(contract.platform);
        const { job, thread } = await started('a lighthouse in a storm');
        expect(platformOfConversation(thread.conversation)).toBe(contract.platform);
        expect(conversationCodec.decode(thread.conversation)).toBeDefined();
        expect(await platform.messageText(thread.statusRef)).toContain('a lighthouse in a storm');
        await surface.updateStatus(thread.conversation, thread.statusRef, statusOf(job, 'rendering', 37));
        expect(await platform.messageText(thread.statusRef)).toContain('37%');
        await surface.updateStatus(thread.conversation, thread.statusRef, statusOf(job, 'done', 100));
        expect(await platform.messageText(thread.statusRef)).toContain('Done');
      });

      describe('delivery, crash and resume, delete', () => {
        let job: JobView;
        let conversation: string;
        let delivered: DeliveredVideo;
        let allFacts: Record<string, string>;
        let firstFacts: Record<string, string>;

        it('delivers a real MP4, checkpointing facts before it is visible, and returns every ref', async () => {
          ({
            job,
            thread: { conversation },
          } = await started('a comet over a frozen lake'));
          const recorder = recordingProgress(() => platform.visibleVideos(conversation, job.id));
          delivered = await surface.deliverVideo(deliveryOf(job, conversation, clip), recorder.progress);
          const [first] = recorder.checkpoints;
          expect(first, 'deliverVideo must checkpoint before the video becomes visible').toBeDefined();
          expect(first!.visible).toBe(0);
          expect(Object.keys(first!.facts).length).toBeGreaterThan(0);
          firstFacts = first!.facts;
          allFacts = recorder.facts();
          expect(await platform.visibleVideos(conversation, job.id)).toBe(1);
          const refs = [delivered.messageRef, ...delivered.otherRefs];
          expect(new Set(refs).size).toBe(refs.length);
          expect(await platform.messageText(delivered.messageRef)).toBeDefined();
          for (const ref of delivered.otherRefs) expect(await platform.exists(ref), ref).toBe(true);
        });

        it('finds the delivery after a restart from the recorded facts alone', async () => {
          const restarted = await platform.newSurface();
          sameRefs(delivered, await restarted.findDelivery?.(conversation, job.id, allFacts));
          // A crash right after the visible step: only what was checkpointed before it is known.
          const early = await restarted.findDelivery?.(conversation, job.id, firstFacts);
          expect(early).toBeDefined();
          expect([delivered.messageRef, ...delivered.otherRefs]).toContain(early!.messageRef);
          // A crash before the first checkpoint: nothing was sent.
          expect(await restarted.findDelivery?.(conversation, job.id, {})).toBeUndefined();
          expect(await platform.visibleVideos(conversation, job.id)).toBe(1);
        });

        it('finds nothing for a delivery stopped at its checkpoint, and nothing was posted', async () => {
          const stopped = await started('a delivery cut off at its checkpoint');
          const thread = stopped.thread.conversation;
          let facts: Record<string, string> = {};
          const refusing: DeliveryProgress = {
            async checkpoint(more) {
              facts = { ...facts, ...more };
              // What the core answers when the job was deleted meanwhile; the same point a crash hits.
              throw new SurfaceError(
                'platform_error',
                'the video was deleted while it was being posted',
                false,
              );
            },
          };
          await expect(surface.deliverVideo(deliveryOf(stopped.job, thread, clip), refusing)).rejects.toThrow(
            /deleted while it was being posted/,
          );
          expect(Object.keys(facts).length).toBeGreaterThan(0);
          expect(await platform.visibleVideos(thread, stopped.job.id)).toBe(0);
          const restarted = await platform.newSurface();
          expect(await restarted.findDelivery?.(thread, stopped.job.id, facts)).toBeUndefined();
        });

        it('marks a deleted video: the note stays in its message, everything else it created goes', async () => {
          const restarted = await platform.newSurface();
          const note: NoticeMessage = {
            kind: 'notice',
            tone: 'info',
            text: `Video \`${job.id}\` was deleted by Alice.`,
          };
          await restarted.markDeleted?.(conversation, delivered, note);
          expect(await platform.messageText(delivered.messageRef)).toContain('was deleted by Alice');
          for (const ref of delivered.otherRefs) expect(await platform.exists(ref), ref).toBe(false);
          expect(await platform.visibleVideos(conversation, job.id)).toBe(0);
          // Deleting twice (a retried cleanup) is harmless.
          await restarted.markDeleted?.(conversation, delivered, note);
        });
      });

      describe('SurfaceError codes', () => {
        for (const code of SURFACE_ERROR_CODES) {
          const reason = contract.cannotProduce?.[code];
          if (reason) {
            it.skip(`${code}: not produced here (${reason})`, () => {});
            continue;
          }
          it(`${code}`, async () => {
            const provocation = platform.provoke[code];
            expect(
              provocation,
              `no way to provoke ${code}: add one, or list it in cannotProduce`,
            ).toBeDefined();
            const job = jobView(`provoking ${code}`);
            const failure = await provocation!
              .run({
                surface,
                conversation: platform.conversation,
                status: (j) => statusOf(j),
                delivery: (j, c) => deliveryOf(j, c, clip),
                progress: { checkpoint: async () => {} },
                job,
              })
              .then(
                () => undefined,
                (error: unknown) => error,
              );
            expect(failure, `${provocation!.how} did not fail`).toBeInstanceOf(SurfaceError);
            const error = failure as SurfaceError;
            expect(error.code).toBe(code);
            expect(error.userMessage.length).toBeGreaterThan(0);
            if (code === 'rate_limited') expect(error.retryable).toBe(true);
            if (code === 'not_in_channel' || code === 'upload_refused') expect(error.retryable).toBe(false);
          });
        }
      });

      describe('platform rules', () => {
        it('holds them over everything above', async () => {
          for (const rule of platform.rules ?? []) {
            try {
              await rule.check();
            } catch (error) {
              throw new Error(`${rule.name}: ${error instanceof Error ? error.message : String(error)}`, {
                cause: error,
              });
            }
          }
        });
      });
    });
  });
}
