/**
 * Conversations are opaque strings owned by their adapter (`slack:T1:C1:1700000000.000100`,
 * `discord:G1:C1`, `playground:room-1`). The core only reads the platform prefix, to route a job
 * back to the adapter that owns it.
 */
import { type Platform, PlatformSchema } from './requester.js';

export function platformOfConversation(conversation: string): Platform | undefined {
  const prefix = conversation.slice(0, conversation.indexOf(':'));
  const parsed = PlatformSchema.safeParse(prefix);
  return parsed.success ? parsed.data : undefined;
}
