/**
 * A provider status this version does not know: the answer still parses, the job counts as in
 * progress for a while, then fails with a plain message and frees its provider slot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { VideoProvider } from '../../src/sora/provider.js';
import { type Video, VideoSchema } from '../../src/sora/video.js';
import { CoreHarness } from '../support/core-harness.js';

/** The real client against the emulator, with every unfinished status renamed as a newer API might. */
function renamingStatuses(inner: VideoProvider, prompt: string): VideoProvider {
  const rename = (v: Video): Video =>
    v.prompt === prompt && v.status !== 'failed' ? { ...v, status: 'paused_for_review' } : v;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'retrieveWithHints')
        return async (...args: Parameters<VideoProvider['retrieveWithHints']>) => {
          const answer = await target.retrieveWithHints(...args);
          return { ...answer, video: rename(answer.video) };
        };
      if (prop === 'listPage')
        return async (...args: Parameters<VideoProvider['listPage']>) => {
          const page = await target.listPage(...args);
          return { ...page, data: page.data.map(rename) };
        };
      const member = Reflect.get(target, prop, receiver);
      return typeof member === 'function' ? member.bind(target) : member;
    },
  });
}

let harness: CoreHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('an unknown provider status', () => {
  it('parses on the wire instead of failing the whole answer', () => {
    const video = VideoSchema.parse({
      id: 'video_1',
      object: 'video',
      model: 'sora-2',
      status: 'paused_for_review',
      progress: 10,
      created_at: 1,
      completed_at: null,
      expires_at: null,
      prompt: null,
      size: '720x1280',
      seconds: '4',
      remixed_from_video_id: null,
      error: null,
    });
    expect(video.status).toBe('paused_for_review');
  });

  it('counts as in progress up to a maximum age, then fails the job plainly and frees its slot', async () => {
    harness = await CoreHarness.start({
      settings: { maxConcurrent: 1, unknownStatusMaxMs: 1_500 },
      emulator: { renderMs: 60_000 },
      wrapProvider: (p) => renamingStatuses(p, 'a clip in limbo'),
    });
    const id = await harness.sendJob('/sora a clip in limbo');
    const rendering = await harness.waitFor(id, ['submitted', 'rendering']);
    expect(rendering.state).not.toBe('failed');
    const failed = await harness.waitFor(id, ['failed']);
    expect(failed.failure?.code).toBe('provider_error');
    expect(failed.failure?.message).toContain('paused_for_review');
    // The person is told in the thread.
    await harness.until(() => harness!.surface.messages.some((m) => m.message.kind === 'failure'));
    // Its slot is free: with a cap of one, the next job is submitted.
    const next = await harness.sendJob('/sora the next clip');
    await harness.waitFor(next, ['submitted', 'rendering']);
  });
});
