/**
 * The last check on who a Discord send may ping, just before it goes out: the renderer's ping of the
 * one requester passes, anything else becomes "nobody", so a mistake upstream cannot ping a crowd.
 */
import type { MessageCreateOptions } from 'discord.js';
import { NO_MENTIONS, requesterPing } from './render-message.js';

/** The renderer's ping of one user by id, checked again here; anything else becomes "nobody". */
export function onlyRequesterPing(
  allowed: MessageCreateOptions['allowedMentions'],
): typeof NO_MENTIONS | { parse: never[]; users: [string] } {
  const users = allowed?.users;
  const exact =
    allowed?.parse?.length === 0 &&
    !allowed.roles?.length &&
    !allowed.repliedUser &&
    Array.isArray(users) &&
    users.length === 1 &&
    typeof users[0] === 'string';
  return exact ? requesterPing(users[0] as string) : NO_MENTIONS;
}
