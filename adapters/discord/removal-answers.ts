/**
 * How the Discord surface reads Discord's answers while removing a deleted video's parts: already gone
 * counts as removed, someone else's message will not change on a retry. The same reading serves
 * findDelivery, where a message gone since the checkpoint means nothing is there.
 */
import { RESTJSONErrorCodes } from 'discord.js';
import type { Logger } from '../../src/core/logger.js';
import { SurfaceError } from '../../src/core/surface.js';
import { discordCode, loggableError } from './discord-errors.js';

/** Discord's JSON error code of an error, or of the loggable stand-in a SurfaceError keeps as cause. */
function jsonCode(error: unknown): unknown {
  const raw = error instanceof SurfaceError ? error.cause : error;
  return discordCode(raw) ?? (raw as { code?: unknown } | undefined)?.code;
}

/** The message or channel is already gone (deleted by someone): nothing left to change. */
export function isGone(error: unknown): boolean {
  const code = jsonCode(error);
  return code === RESTJSONErrorCodes.UnknownMessage || code === RESTJSONErrorCodes.UnknownChannel;
}

/** A message the bot may not edit or delete: a retry will not change that. */
function isNotOurs(error: unknown): boolean {
  return jsonCode(error) === RESTJSONErrorCodes.CannotEditMessageAuthoredByAnotherUser;
}

/**
 * One removal step of a delete: already gone counts as done; what a retry cannot change (no
 * permission there, someone else's message) is logged; anything else is thrown for the core to retry.
 */
export async function removing(logger: Logger, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (isGone(error)) return;
    if (error instanceof SurfaceError && error.retryable && !isNotOurs(error)) throw error;
    logger.warn({ err: loggableError(error) }, 'could not remove part of a deleted video');
  }
}
