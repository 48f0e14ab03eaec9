/**
 * Playground identities: a room is a conversation `playground:ROOM`, and a person is the slug of the
 * name they typed (the playground has no login: it is bound to 127.0.0.1 and meant for one machine).
 */
import { z } from 'zod';
import type { RequesterInput } from '../../src/core/requester.js';

export const PLAYGROUND_PLATFORM = 'playground';
export const PLAYGROUND_WORKSPACE = 'local';
export const DEFAULT_ROOM = 'lobby';

const ROOM_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const RoomIdSchema = z.string().regex(ROOM_PATTERN, 'a room id: lowercase letters, digits and dashes');

/** Lowercase letters, digits and single dashes, at most `max` characters ('' when nothing is left). */
export function slugify(text: string, max = 40): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

export function isRoomId(value: string): boolean {
  return ROOM_PATTERN.test(value);
}

/** A path segment as text; '' when its percent-encoding is malformed (the routes then answer 404). */
export function decodePathSegment(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return '';
  }
}

export function encodeConversation(room: string): string {
  return `${PLAYGROUND_PLATFORM}:${room}`;
}

/** The room of a playground conversation, or undefined for anything else. */
export function decodeConversation(conversation: string): string | undefined {
  const prefix = `${PLAYGROUND_PLATFORM}:`;
  if (!conversation.startsWith(prefix)) return undefined;
  const room = conversation.slice(prefix.length);
  return isRoomId(room) ? room : undefined;
}

export const DisplayNameSchema = z
  .string()
  .trim()
  .min(1, 'a name')
  .max(60, 'a name of at most 60 characters')
  .refine((name) => slugify(name) !== '', 'a name with at least one letter or digit');

/** The requester for a display name: the user id is derived from the name, so it survives reloads. */
export function requesterFor(displayName: string): RequesterInput {
  return {
    platform: PLAYGROUND_PLATFORM,
    workspace: PLAYGROUND_WORKSPACE,
    user: slugify(displayName),
    displayName,
  };
}
