/**
 * The one text grammar every adapter shares:
 *   PROMPT [--seconds 4|8|12] [--size WxH | --landscape | --portrait] [--model sora-2|sora-2-pro | --pro]
 *          [--fit cover|contain] [-- PROMPT]
 *   remix ID PROMPT | status ID | delete ID | list [--all] [--page N] | help
 *   budget ... | usage ... (budget-command-parser.ts)
 *
 * A command word is a command only in that command's exact shape: `help` alone, `list` followed only
 * by list options, `status ID` / `delete ID` with one word that has the form of a video id
 * (short-id.ts), `remix ID PROMPT`. Anything else is a prompt, so "help me fly over a city" or
 * "list of animals dancing" make videos. A command word alone (`status`, `delete`, `remix`) or
 * `remix ID` without a prompt is answered with that command's usage: nobody means a video of one
 * word "delete".
 *
 * A prompt is the person's own text: options are recognised as whitespace-separated tokens and cut
 * out, and everything else (newlines, punctuation, spacing) is kept as typed; only the ends are trimmed.
 * `--` ends the options: nothing after it is read as an option. A smart dash glued to a known option
 * (`—seconds`, `–landscape`, what macOS and iOS make of `--`) is that option; a lone `—` or `–` is
 * punctuation. An unknown `--word` is a usage problem naming the options (a typo such as `--second`
 * should not become part of a paid video); `--` before the prompt keeps such words as text.
 *
 * Parsing never throws: any input yields an intent or a UsageProblem written for the person.
 */
import { parseBudgetCommand, parseUsageCommand } from './budget-command-parser.js';
import { type ParseContext, type RawGenerate, resolveGenerate } from './generate-check.js';
import type { GenerateIntent, ParseResult, UsageProblem } from './intents.js';
import { parseSettingsCommand } from './settings-command-parser.js';
import { normalizeShortId } from './short-id.js';
import { emptyPrompt, shown, tooLong, usageProblem } from './usage-problems.js';

export type { ParseContext } from './generate-check.js';

/** The options of a new video, by name (`--duration` is an alias people guess). */
const GENERATE_OPTIONS = [
  'seconds',
  'duration',
  'size',
  'landscape',
  'portrait',
  'model',
  'pro',
  'fit',
] as const;
/** The ones the help and the "unknown option" answer name. */
const SHOWN_OPTIONS = ['--seconds', '--size', '--landscape', '--portrait', '--model', '--pro', '--fit'];
const LIST_OPTIONS = ['all', 'page'] as const;

/** Chat clients "smarten" `--` into an em dash or en dash (macOS, iOS, Slack). */
const OPTION_TOKEN = /^(--|\u2014|\u2013)([a-z][a-z0-9-]*)(?:=([\s\S]*))?$/i;

/** A whitespace-separated word and where it sits in the text (so the text around it can be kept). */
export interface Token {
  text: string;
  start: number;
  end: number;
}

export function scanTokens(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(/\S+/g))
    tokens.push({ text: match[0], start: match.index, end: match.index + match[0].length });
  return tokens;
}

type OptionToken = { known: true; name: string; inline: string | undefined } | { known: false; name: string };

/**
 * Reads a token as an option among `known`: `--name`, `--name=value`, or the same with a smart dash.
 * Undefined when it is text: no dash prefix, not a letter after it (`---`, `-->`, `--5`), or a smart
 * dash before a word that is no option (`—and then`).
 */
function optionOf(token: string, known: readonly string[]): OptionToken | undefined {
  const match = OPTION_TOKEN.exec(token);
  if (!match) return undefined;
  const name = match[2]!.toLowerCase();
  if (known.includes(name)) return { known: true, name, inline: match[3] };
  return match[1] === '--' ? { known: false, name } : undefined;
}

export function parseCommand(text: string, ctx: ParseContext): ParseResult {
  const tokens = scanTokens(text);
  if (!tokens[0]) return emptyPrompt();
  return commandShape(text, tokens, ctx) ?? parseGenerate(text, tokens, ctx);
}

/** What a composer needs before anything is sent: is this text a command, or a prompt with which options? */
export type ComposerReading =
  | { kind: 'command' }
  | { kind: 'prompt'; set: { model?: string; size?: string; seconds?: string } }
  | { kind: 'problem'; problem: UsageProblem };

/**
 * Reads a half-typed command with the same grammar as `parseCommand` (the playground's composer shows
 * the cost and greys out the options the text sets itself): a command shape, or a prompt and the
 * options it names (`--landscape` as its size), unchecked against the provider.
 */
export function readForComposer(text: string, ctx: ParseContext): ComposerReading {
  const tokens = scanTokens(text);
  if (!tokens[0]) return { kind: 'prompt', set: {} };
  const command = commandShape(text, tokens, ctx);
  if (command) return command.ok ? { kind: 'command' } : { kind: 'problem', problem: command.problem };
  const raw = readGenerate(text, tokens);
  if (!raw.ok) return { kind: 'problem', problem: raw.problem };
  const { model, seconds } = raw.raw;
  const size =
    raw.raw.size ??
    (raw.raw.orientation === 'landscape' ? '1280x720' : raw.raw.orientation ? '720x1280' : undefined);
  return {
    kind: 'prompt',
    set: { ...(model ? { model } : {}), ...(size ? { size } : {}), ...(seconds ? { seconds } : {}) },
  };
}

/** The command a text is when it has exactly that command's shape; undefined for a prompt. */
function commandShape(text: string, tokens: readonly Token[], ctx: ParseContext): ParseResult | undefined {
  const first = tokens[0]!;
  const rest = tokens.slice(1);
  const words = rest.map((t) => t.text);
  switch (first.text.toLowerCase()) {
    case 'help':
      if (rest.length === 0) return { ok: true, intent: { kind: 'help' } };
      break;
    case 'list': {
      const list = parseList(words);
      if (list) return list;
      break;
    }
    case 'status':
    case 'delete': {
      const keyword = first.text.toLowerCase() as 'status' | 'delete';
      if (rest.length === 0)
        return usageProblem(
          'missing_id',
          'id',
          `Give one video id: \`/sora ${keyword} ID\` (the id is in every message, like \`k3f9qz\`).`,
        );
      const jobId = rest.length === 1 ? normalizeShortId(words[0]!) : undefined;
      if (jobId) return { ok: true, intent: { kind: keyword, jobId } };
      break;
    }
    case 'remix': {
      const jobId = words[0] === undefined ? undefined : normalizeShortId(words[0]);
      if (rest.length === 0)
        return usageProblem(
          'missing_id',
          'id',
          'Remix needs the id of a finished video and a new prompt: `/sora remix k3f9qz make it snow`.',
        );
      if (!jobId) break;
      const prompt = text.slice(rest[0]!.end).trim();
      if (!prompt)
        return usageProblem(
          'missing_prompt',
          'prompt',
          `Say what to change: \`/sora remix ${jobId} make it night time\`.`,
        );
      const max = maxPromptChars(ctx);
      if (prompt.length > max) return usageProblem('prompt_too_long', 'prompt', tooLong(prompt.length, max));
      return { ok: true, intent: { kind: 'remix', jobId, prompt } };
    }
    case 'budget': {
      const budget = parseBudgetCommand(words);
      if (budget) return budget;
      break;
    }
    case 'usage': {
      const usage = parseUsageCommand(words);
      if (usage) return usage;
      break;
    }
    case 'settings': {
      const settings = parseSettingsCommand(words);
      if (settings) return settings;
      break;
    }
  }
  return undefined;
}

/**
 * For forms that take the video id in a field of its own (Discord's `video` option): a command there is
 * that command whatever the field holds, so a word that is no id is a usage problem, never a prompt.
 */
export function videoIdProblem(raw: string): { ok: false; problem: UsageProblem } | undefined {
  if (normalizeShortId(raw)) return undefined;
  return usageProblem(
    'missing_id',
    'id',
    `\`${shown(raw)}\` isn't a video id. Ids are 6 letters and digits, like \`k3f9qz\`; \`/sora list\` shows yours.`,
  );
}

/** `list` followed only by list options; undefined when anything else follows (a prompt). */
function parseList(rest: readonly string[]): ParseResult | undefined {
  let all = false;
  let pageText: string | null | undefined;
  for (let i = 0; i < rest.length; i++) {
    const option = optionOf(rest[i]!, LIST_OPTIONS);
    if (!option?.known) return undefined;
    if (option.name === 'all') all = true;
    else pageText = option.inline ?? rest[++i] ?? null;
  }
  let page = 1;
  if (pageText !== undefined) {
    const n = pageText === null || !/^\d{1,6}$/.test(pageText) ? Number.NaN : Number(pageText);
    if (!Number.isInteger(n) || n < 1 || n > 10_000)
      return usageProblem(
        pageText === null ? 'missing_value' : 'invalid_value',
        'page',
        '`--page` takes a page number, like `/sora list --page 2`.',
      );
    page = n;
  }
  return { ok: true, intent: { kind: 'list', all, page } };
}

function parseGenerate(
  text: string,
  tokens: readonly Token[],
  ctx: ParseContext,
): ParseResult<GenerateIntent> {
  const read = readGenerate(text, tokens);
  return read.ok ? resolveGenerate(read.raw, ctx) : read;
}

/** The prompt and the options as typed, before they are checked against the provider. */
function readGenerate(
  text: string,
  tokens: readonly Token[],
): { ok: true; raw: RawGenerate } | { ok: false; problem: UsageProblem } {
  const removed = new Set<number>();
  let seconds: string | undefined;
  let size: string | undefined;
  let orientation: 'landscape' | 'portrait' | undefined;
  let model: string | undefined;
  let fit: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!.text;
    if (token === '--') {
      // The end of the options. Cut out only where it just separates options from the prompt; after
      // a word of the prompt it is the person's punctuation ("sunset -- golden hour") and stays.
      if (i === 0 || removed.has(i - 1)) removed.add(i);
      break;
    }
    const option = optionOf(token, GENERATE_OPTIONS);
    if (!option) continue;
    if (!option.known)
      return usageProblem(
        'unknown_option',
        'prompt',
        `I don't know the option \`--${shown(option.name)}\`. Options: ${SHOWN_OPTIONS.map((f) => `\`${f}\``).join(', ')}. To keep such words in the prompt, put \`--\` before it: \`/sora --seconds 8 -- PROMPT\`.`,
      );
    removed.add(i);
    const takeValue = (): string | undefined => {
      if (option.inline !== undefined) return option.inline;
      if (i + 1 >= tokens.length) return undefined;
      removed.add(++i);
      return tokens[i]!.text;
    };
    switch (option.name) {
      case 'seconds':
      case 'duration': {
        const v = takeValue();
        if (v === undefined)
          return usageProblem('missing_value', 'seconds', '`--seconds` needs a number, like `--seconds 8`.');
        seconds = v.replace(/s$/i, '');
        break;
      }
      case 'size': {
        const v = takeValue();
        if (v === undefined)
          return usageProblem(
            'missing_value',
            'size',
            '`--size` needs WIDTHxHEIGHT, like `--size 1280x720`.',
          );
        size = v.toLowerCase().replace('×', 'x');
        break;
      }
      case 'landscape':
      case 'portrait':
        if (orientation && orientation !== option.name)
          return usageProblem('conflicting_options', 'size', 'Choose one: `--landscape` or `--portrait`.');
        orientation = option.name;
        break;
      case 'model': {
        const v = takeValue();
        if (v === undefined)
          return usageProblem('missing_value', 'model', '`--model` needs a name: `sora-2` or `sora-2-pro`.');
        model = v.toLowerCase();
        break;
      }
      case 'pro':
        model = 'sora-2-pro';
        break;
      case 'fit': {
        const v = takeValue();
        if (v === undefined)
          return usageProblem('missing_value', 'fit', '`--fit` needs `cover` (the default) or `contain`.');
        fit = v.toLowerCase();
        break;
      }
    }
  }
  const prompt = keptText(text, tokens, removed);
  if (!prompt) return emptyPrompt();
  return { ok: true, raw: { prompt, seconds, size, orientation, model, fit } };
}

/**
 * The text without the removed tokens, everything else as typed. Where tokens were cut out between
 * two kept ones, the widest of the original gaps stays (the one with the most line breaks, else the
 * first), so "a fox --seconds 8 jumps" reads "a fox jumps" and a line of options alone disappears
 * without joining the lines around it.
 */
function keptText(text: string, tokens: readonly Token[], removed: ReadonlySet<number>): string {
  let out = '';
  let gaps: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (out !== '') gaps.push(text.slice(tokens[i - 1]!.end, token.start));
    if (removed.has(i)) continue;
    if (out !== '') out += widestGap(gaps);
    out += token.text;
    gaps = [];
  }
  return out;
}

function widestGap(gaps: readonly string[]): string {
  let best = gaps[0] ?? ' ';
  let bestBreaks = lineBreaks(best);
  for (const gap of gaps.slice(1)) {
    const breaks = lineBreaks(gap);
    if (breaks > bestBreaks) {
      best = gap;
      bestBreaks = breaks;
    }
  }
  return best;
}

function lineBreaks(gap: string): number {
  return gap.split('\n').length - 1;
}

/** The options `/sora help` lists for a new video. */
export const PROMPT_OPTIONS: readonly string[] = SHOWN_OPTIONS;

function maxPromptChars(ctx: ParseContext): number {
  return Math.max(...Object.values(ctx.capabilities.models).map((m) => m?.maxPromptChars ?? 0));
}
