/** node:util parseArgs, with its errors turned into a usage problem instead of an exception. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Parsed, usageProblem } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs<O extends Options> {
  values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };
  positionals: string[];
}

export function parseCommandArgs<O extends Options>(args: string[], options: O): Parsed<ParsedArgs<O>> {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { ok: true, value: { values: values as ParsedArgs<O>['values'], positionals } };
  } catch (error) {
    if (error instanceof TypeError && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS'))
      return usageProblem(error.message.split('\n')[0] ?? error.message);
    throw error;
  }
}

/** A whole number option (`--port 8080`), or a usage problem naming it. */
export function intOption(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
): Parsed<number | undefined> {
  if (raw === undefined) return { ok: true, value: undefined };
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    return usageProblem(`--${name} expects a whole number from ${min} to ${max}, got "${raw}"`);
  return { ok: true, value };
}
