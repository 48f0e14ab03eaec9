/**
 * The recording surface the core's tests use speaks the same contract as the real ones, so what the
 * core tests learn from it holds on the platforms. Its "platform" is a RecordedChat shared by the
 * instances; its copy directory stands in for uploaded files.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { renderPlainText } from '../../src/core/render-text.js';
import { SurfaceError, type SurfaceErrorCode } from '../../src/core/surface.js';
import { RecordedChat, RecordingSurface } from '../support/recording-surface.js';
import { type Provocation, surfaceContract } from './surface-contract.js';

const room = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/).map((r) => `playground:${r}`);

/** The double fails on command: startJob with each code, as a platform would refuse the status message. */
function failingStart(code: SurfaceErrorCode): Provocation {
  return {
    how: 'failStart',
    async run({ surface, conversation, status, job }) {
      const recording = surface as RecordingSurface;
      recording.failStart = new SurfaceError(code, `refused with ${code}`);
      try {
        return await recording.startJob(conversation, status(job));
      } finally {
        recording.failStart = undefined;
      }
    },
  };
}

surfaceContract({
  name: 'recording surface',
  platform: 'playground',
  codecs: [
    {
      name: 'thread',
      conversation: true,
      values: fc.record({ conversation: room, ref: fc.nat(100_000).map((n) => `m${n}`) }),
      encode: ({ conversation, ref }) => RecordingSurface.threadOf(conversation, ref),
      decode: (text) => RecordingSurface.parseThread(text),
      rejects: ['playground:room', 'playground:room/x1', '/m1', ''],
      examples: [[{ conversation: 'playground:room-1', ref: 'm3' }, 'playground:room-1/m3']],
    },
  ],
  async setup() {
    const chat = new RecordedChat();
    const copyDir = mkdtempSync(join(tmpdir(), 'sora-contract-recording-'));
    const copyOf = (ref: string) => chat.find(ref.replace(/^copy:/, ''))?.videoCopy;
    return {
      conversation: 'playground:contract',
      newSurface: async () => new RecordingSurface('playground', copyDir, chat),
      visibleVideos: async (conversation, jobId) =>
        chat.messages.filter(
          (m) => m.conversation === conversation && m.message.kind === 'result' && m.message.job.id === jobId,
        ).length,
      messageText: async (ref) => {
        const message = chat.find(ref)?.message;
        return message ? renderPlainText(message) : undefined;
      },
      exists: async (ref) => {
        const copy = copyOf(ref);
        return copy !== undefined && existsSync(copy);
      },
      provoke: {
        not_in_channel: failingStart('not_in_channel'),
        upload_refused: failingStart('upload_refused'),
        rate_limited: failingStart('rate_limited'),
        platform_error: failingStart('platform_error'),
      },
      close: async () => rmSync(copyDir, { recursive: true, force: true }),
    };
  },
});
