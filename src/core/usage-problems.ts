/**
 * Usage problems as data (`{code, field, message}`), and the pieces of their wording the grammar and
 * the option checks share. A value the person sent is quoted back through `shown`.
 */
import type { UsageCode, UsageField, UsageProblem } from './intents.js';

export function usageProblem(
  code: UsageCode,
  field: UsageField,
  message: string,
): { ok: false; problem: UsageProblem } {
  return { ok: false, problem: { code, field, message } };
}

export function emptyPrompt(): { ok: false; problem: UsageProblem } {
  return usageProblem(
    'missing_prompt',
    'prompt',
    'Tell me what to make, e.g. `/sora a paper boat sailing down a rainy street --seconds 8`.',
  );
}

export function tooLong(length: number, max: number): string {
  return `Your prompt is ${length.toLocaleString('en-US')} characters; Sora takes at most ${max.toLocaleString('en-US')}. Shorten it by ${(length - max).toLocaleString('en-US')}.`;
}

export function describeSizes(sizes: readonly string[]): string {
  return joinOr(sizes.map((s) => `\`${s}\``));
}

export function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** The longest piece of someone's own input a problem quotes back. */
const SHOWN_MAX_CHARS = 40;

/**
 * A value the person sent, as a problem quotes it: on one line and cut to 40 characters. A forged
 * modal value or a pasted essay after `--size` is theirs to see again only in part (the message
 * must fit a modal's field error and stay readable).
 */
export function shown(value: string): string {
  const oneLine = value.replace(/\s+/g, ' ').trim();
  return oneLine.length > SHOWN_MAX_CHARS ? `${oneLine.slice(0, SHOWN_MAX_CHARS - 1)}…` : oneLine;
}
