import { SlackApiFailure } from './slack-api-failure.js';

/**
 * Argument readers for Web API handlers. Form-encoded calls carry every value as a string; JSON calls carry
 * numbers and objects; both must work (platforms.md, "Web API wire format").
 */
export function optionalString(args: Record<string, unknown>, key: string): string | undefined {
  const value = args[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new SlackApiFailure('invalid_arguments', {
    response_metadata: { messages: [`[ERROR] ${key} must be a string`] },
  });
}

export function requiredString(args: Record<string, unknown>, key: string): string {
  const value = optionalString(args, key);
  if (value === undefined) {
    throw new SlackApiFailure('invalid_arguments', {
      response_metadata: { messages: [`[ERROR] missing required field: ${key}`] },
    });
  }
  return value;
}

export function optionalInteger(args: Record<string, unknown>, key: string): number | undefined {
  const text = optionalString(args, key);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value)) {
    throw new SlackApiFailure('invalid_arguments', {
      response_metadata: { messages: [`[ERROR] ${key} must be an integer`] },
    });
  }
  return value;
}

/** A value Slack expects as JSON: already decoded by the body parser, or still a JSON string. */
export function optionalJson(args: Record<string, unknown>, key: string): unknown {
  const value = args[key];
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new SlackApiFailure(key === 'blocks' ? 'invalid_blocks_format' : 'invalid_arguments');
  }
}

export function optionalBoolean(args: Record<string, unknown>, key: string): boolean | undefined {
  const value = args[key];
  if (value === undefined) return undefined;
  return value === true || value === 'true' || value === '1' || value === 1;
}
