/**
 * A transition validates only the fields it changes (applyJobChange): for any valid job and any
 * change, good or bad, the result is what parsing the whole merged record gives, or the same error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyJobChange, type Job, JobSchema } from '../../src/core/job.js';
import { waitingJobFields } from '../support/job-fields.js';

const base: Job = JobSchema.parse({
  id: 'abc123',
  ...waitingJobFields({ deliveryFacts: { fileId: 'F1' } }),
});

/** Values of every kind a field may be given: valid for some fields, wrong for others. */
const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer({ min: -5, max: 200 }),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('rendering', 'delivered', 'bogus', 'cover', 'expired'),
  fc.constant({ video: '/v.mp4', thumbnail: null }),
  fc.constant({ code: 'expired', message: 'gone', requestId: null }),
  fc.constant({ code: 'nope', message: 'gone', requestId: null }),
  fc.constant({ state: 'pending', requestedAt: 5 }),
  fc.constant({ a: 'b' }),
  fc.constant(['ref-1']),
  fc.constant([1]),
);

const fieldNames = [...Object.keys(JobSchema.shape), 'notAField'];

function outcome(run: () => Job): { job: Job } | { error: string } {
  try {
    return { job: run() };
  } catch (error) {
    return { error: String(error) };
  }
}

describe('applyJobChange', () => {
  it('gives what parsing the whole merged record gives, for any change', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...fieldNames), anyValue, { maxKeys: 4 }), (change) => {
        const partial = outcome(() => applyJobChange(base, change as Partial<Job>));
        const whole = outcome(() => JobSchema.parse({ ...base, ...change }));
        expect(partial).toEqual(whole);
      }),
      { numRuns: 2_000 },
    );
  });

  it('fills a field set to undefined with its default, as parsing does', () => {
    const next = applyJobChange({ ...base, progress: 40 }, { progress: undefined } as Partial<Job>);
    expect(next.progress).toBe(0);
    expect(next.deliveryFacts).toEqual({ fileId: 'F1' });
  });
});
