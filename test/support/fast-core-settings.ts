/**
 * Core settings for tests against an emulator rendering in milliseconds: poll quickly, no rate cap.
 */
import type { SoraCoreOptions } from '../../src/core/sora-core.js';

export function fastCoreSettings(
  dataDir: string,
  overrides: Partial<SoraCoreOptions['settings']> = {},
): SoraCoreOptions['settings'] {
  return {
    dataDir,
    defaultModel: 'sora-2',
    admins: [],
    maxConcurrent: 2,
    requestsPerMinute: 0,
    retentionMs: 7 * 24 * 3600 * 1000,
    pollInitialMs: 40,
    pollMaxMs: 80,
    estimatedRenderMs: 150,
    ...overrides,
  };
}
