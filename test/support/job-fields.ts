/**
 * The fields of a plain job waiting in the playground, for tests that need one: each test overrides
 * only what it is about.
 */
import type { JobInput } from '../../src/core/job.js';

export function waitingJobFields(overrides: Partial<JobInput> = {}): Omit<JobInput, 'id'> {
  return {
    state: 'waiting',
    requester: { platform: 'playground', workspace: 'local', user: 'alice' },
    channel: 'playground:room',
    conversation: 'playground:room',
    request: { kind: 'generate', prompt: 'a paper boat', seconds: '4', size: '720x1280', model: 'sora-2' },
    createdAt: 1_000,
    updatedAt: 1_000,
    ...overrides,
  };
}
