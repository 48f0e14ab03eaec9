/**
 * What the provider's answers mean for a job: the failure code a rejected submission gets, and a
 * delete that counts "already gone" as done (a render deleted twice, by a race or a retry, is fine).
 */
import { isSoraError, type SoraError } from '../sora/errors.js';
import type { VideoProvider } from '../sora/provider.js';
import type { FailureCode } from './job.js';

export function failureCodeOf(error: SoraError): FailureCode {
  switch (error.code) {
    case 'moderation_blocked':
      return 'moderation_blocked';
    case 'auth':
    case 'permission':
      return 'auth';
    case 'invalid_request':
      return 'invalid_request';
    case 'not_found':
      return 'expired';
    default:
      return 'provider_error';
  }
}

export async function deleteAtProvider(provider: VideoProvider, videoId: string): Promise<void> {
  try {
    await provider.delete(videoId);
  } catch (error) {
    if (!(isSoraError(error) && error.code === 'not_found')) throw error;
  }
}
