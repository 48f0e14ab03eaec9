/**
 * Failure texts in chat never carry a path, a host, an address or a stack frame: those stay in the log.
 */
import { describe, expect, it } from 'vitest';
import { JobSchema } from '../../src/core/job.js';
import { publicDetail } from '../../src/core/public-text.js';
import { failureMessage } from '../../src/core/replies.js';
import { waitingJobFields } from '../support/job-fields.js';

describe('public failure text', () => {
  it('keeps what the provider or platform wrote for people, drops internals', () => {
    expect(publicDetail('Invalid size 640x480; use 720x1280')).toBe('Invalid size 640x480; use 720x1280');
    for (const internal of [
      "ENOENT: no such file or directory, open '/srv/data/journal.jsonl'",
      'connect ECONNREFUSED 10.0.0.7:443',
      'request to https://east.openai.azure.com/openai/v1/videos failed',
      'getaddrinfo failed for sora.internal.example.com:8443',
      'C:\\bot\\data\\videos\\abc.mp4 is locked',
      'boom\n    at VideoDelivery.process (file:///app/src/core/video-delivery.ts:12:3)',
      'socket hang up at [::1]',
    ])
      expect(publicDetail(internal), internal).toBeNull();
    expect(publicDetail('x'.repeat(500))).toHaveLength(200);
  });

  it('shows the plain sentence and the request id instead of the internals', () => {
    const job = JobSchema.parse({
      id: 'abc234',
      ...waitingJobFields({
        state: 'failed',
        failure: {
          code: 'provider_error',
          message: 'connect ECONNREFUSED 10.0.0.7:443',
          requestId: 'req_123',
        },
      }),
    });
    const message = failureMessage(job);
    expect(message.text).toBe("Sora couldn't make this video.");
    expect(message.requestId).toBe('req_123');
    expect(JSON.stringify(message)).not.toMatch(/10\.0\.0\.7|ECONNREFUSED/);
  });
});
