/**
 * discord.js errors at the adapter edge: converted into the core's SurfaceError codes, and reduced to
 * loggable facts. A DiscordAPIError's `url` holds the interaction token for webhook routes
 * (`/webhooks/APP/TOKEN/...`), so errors are never logged whole.
 */
import { DiscordAPIError, HTTPError, RateLimitError, RESTJSONErrorCodes } from 'discord.js';
import { SurfaceError } from '../../src/core/surface.js';

/** Discord's JSON error code, when the error is an API answer. */
export function discordCode(error: unknown): number | undefined {
  return error instanceof DiscordAPIError && typeof error.code === 'number' ? error.code : undefined;
}

/** 413 / 40005: the file is larger than this guild accepts (https://discord.com/developers/docs/reference#uploading-files). */
export function isTooLarge(error: unknown): boolean {
  return (
    (error instanceof DiscordAPIError &&
      (error.code === RESTJSONErrorCodes.RequestEntityTooLarge || error.status === 413)) ||
    (error instanceof HTTPError && error.status === 413)
  );
}

/** Another process (or a replayed dispatch) already answered this interaction. */
export function isAlreadyAnswered(error: unknown): boolean {
  const code = discordCode(error);
  return (
    code === RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged ||
    code === RESTJSONErrorCodes.UnknownInteraction
  );
}

/** 403 / 50007: the person accepts no DMs from the bot (server privacy settings, or the bot blocked). */
export function isCannotDm(error: unknown): boolean {
  const code = discordCode(error);
  return (
    code === RESTJSONErrorCodes.CannotSendMessagesToThisUser ||
    code === RESTJSONErrorCodes.CannotSendMessagesToThisUserDueToHavingNoMutualGuilds
  );
}

/**
 * Discord no longer accepts an interaction's token: 401 / 50027 Invalid Webhook Token once its 15
 * minutes are over, 10015 Unknown Webhook when the interaction is gone.
 */
export function isTokenRefused(error: unknown): boolean {
  const code = discordCode(error);
  return (
    code === RESTJSONErrorCodes.InvalidWebhookToken ||
    code === RESTJSONErrorCodes.UnknownWebhook ||
    (error instanceof DiscordAPIError && error.status === 401)
  );
}

/** What may go into a log line: codes and the route template, never the URL (it can carry a token). */
export function loggableError(error: unknown): Record<string, unknown> {
  if (error instanceof DiscordAPIError)
    return {
      name: error.name,
      code: error.code,
      status: error.status,
      method: error.method,
      message: error.message,
    };
  if (error instanceof HTTPError) return { name: error.name, status: error.status, method: error.method };
  if (error instanceof RateLimitError)
    return { name: error.name, method: error.method, route: error.route, retryAfter: error.retryAfter };
  if (error instanceof Error)
    return {
      name: error.name,
      message: redactTokens(error.message),
      code: (error as { code?: unknown }).code,
    };
  return { message: String(error) };
}

function redactTokens(text: string): string {
  return text.replace(/(webhooks\/\d+\/|interactions\/\d+\/)[^/\s]+/g, '$1[token]');
}

/**
 * A stand-in for a discord.js error as the `cause` of a SurfaceError: the core logs its errors whole,
 * and a DiscordAPIError carries the request URL, which holds the interaction token on webhook routes.
 */
export function safeCause(error: unknown): Error {
  const facts = loggableError(error);
  return Object.assign(new Error(String(facts['message'] ?? facts['name'] ?? 'Discord error')), facts);
}

export function toSurfaceError(error: unknown, channelId: string): SurfaceError {
  if (error instanceof SurfaceError) return error;
  const cause = safeCause(error);
  const code = discordCode(error);
  if (
    code === RESTJSONErrorCodes.MissingAccess ||
    code === RESTJSONErrorCodes.MissingPermissions ||
    code === RESTJSONErrorCodes.UnknownChannel
  )
    return new SurfaceError(
      'not_in_channel',
      `I can't post in <#${channelId}>: give me View Channel, Send Messages, Attach Files and Read Message History there.`,
      false,
      { cause },
    );
  if (isTooLarge(error))
    return new SurfaceError('upload_refused', 'The video is larger than this server accepts.', false, {
      cause,
    });
  if (error instanceof RateLimitError || (error instanceof DiscordAPIError && error.status === 429))
    return new SurfaceError('rate_limited', 'Discord is rate limiting me; I will try again.', true, {
      cause,
    });
  return new SurfaceError('platform_error', 'Discord did not accept the message; I will try again.', true, {
    cause,
  });
}
