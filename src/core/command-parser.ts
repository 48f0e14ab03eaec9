/**
 * The one text grammar every adapter shares:
 *   PROMPT [--seconds 4|8|12] [--size WxH | --landscape | --portrait] [--model sora-2|sora-2-pro | --pro]
 *   remix ID PROMPT | status ID | list [--all] [--page N] | delete ID | help
 *   budget ... | usage ... (budget-command-parser.ts)
 * Parsing never throws: any input yields an intent or a message written for the person.
 */
import {
  type ModelCapabilities,
  modelFamily,
  type ProviderCapabilities,
  type SoraModel,
} from '../sora/capabilities.js';
import { parseBudgetCommand, parseUsageCommand } from './budget-command-parser.js';
import type { AttachmentMeta, GenerateIntent, ParseResult, UsageProblem } from './intents.js';
import { normalizeShortId } from './short-id.js';

export interface ParseContext {
  capabilities: ProviderCapabilities;
  /** SORA_MODEL; its family decides the defaults. */
  defaultModel: string;
  attachment?: AttachmentMeta | null;
}

const PROVIDER_NAMES = { azure: 'Azure OpenAI', openai: 'OpenAI', emulator: 'the emulator' } as const;
const KEYWORDS = new Set(['remix', 'status', 'list', 'delete', 'help']);
const GENERATE_FLAGS = ['--seconds', '--size', '--landscape', '--portrait', '--model', '--pro'];

function problem(message: string): { ok: false; problem: UsageProblem } {
  return { ok: false, problem: { code: 'usage', message } };
}

/**
 * Chat clients "smarten" `--` into an em dash or en dash (macOS, iOS, Slack): treat those as `--`.
 */
function normalizeDashes(token: string): string {
  return token.replace(/^[\u2014\u2013]/, '--');
}

function tokenize(text: string): string[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .map(normalizeDashes);
}

export function parseCommand(text: string, ctx: ParseContext): ParseResult {
  const tokens = tokenize(text);
  const first = tokens[0]?.toLowerCase();
  const budget =
    first === 'budget'
      ? parseBudgetCommand(tokens.slice(1))
      : first === 'usage'
        ? parseUsageCommand(tokens.slice(1))
        : undefined;
  if (budget) return budget;
  if (first !== undefined && KEYWORDS.has(first)) return parseKeyword(first, tokens.slice(1), text, ctx);
  return parseGenerate(tokens, ctx);
}

function parseKeyword(keyword: string, rest: string[], _raw: string, ctx: ParseContext): ParseResult {
  switch (keyword) {
    case 'help':
      return { ok: true, intent: { kind: 'help' } };
    case 'list':
      return parseList(rest);
    case 'status':
    case 'delete': {
      const raw = rest[0];
      if (raw === undefined || rest.length > 1)
        return problem(
          `Give one video id: \`/sora ${keyword} ID\` (the id is in every message, like \`k3f9qz\`).`,
        );
      const jobId = normalizeShortId(raw);
      if (!jobId)
        return problem(
          `\`${raw}\` isn't a video id. Ids are 6 letters and digits, like \`k3f9qz\`; \`/sora list\` shows yours.`,
        );
      return { ok: true, intent: { kind: keyword, jobId } };
    }
    default: {
      const raw = rest[0];
      const jobId = raw === undefined ? undefined : normalizeShortId(raw);
      if (!jobId)
        return problem(
          'Remix needs the id of a finished video and a new prompt: `/sora remix k3f9qz make it snow`.',
        );
      const prompt = rest.slice(1).join(' ').trim();
      if (!prompt) return problem(`Say what to change: \`/sora remix ${jobId} make it night time\`.`);
      const max = maxPromptChars(ctx);
      if (prompt.length > max) return problem(tooLong(prompt.length, max));
      return { ok: true, intent: { kind: 'remix', jobId, prompt } };
    }
  }
}

function parseList(rest: string[]): ParseResult {
  let all = false;
  let page = 1;
  for (let i = 0; i < rest.length; i++) {
    const { flag, inlineValue } = splitFlag(rest[i]!);
    if (flag === '--all') all = true;
    else if (flag === '--page') {
      const value = inlineValue ?? rest[++i];
      const n = value === undefined ? Number.NaN : Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 10_000)
        return problem('`--page` takes a page number, like `/sora list --page 2`.');
      page = n;
    } else return problem('`/sora list` takes `--all` (everyone in this channel) and `--page N`.');
  }
  return { ok: true, intent: { kind: 'list', all, page } };
}

function splitFlag(token: string): { flag: string; inlineValue: string | undefined } {
  const eq = token.indexOf('=');
  if (token.startsWith('--') && eq > 2)
    return { flag: token.slice(0, eq).toLowerCase(), inlineValue: token.slice(eq + 1) };
  return { flag: token.toLowerCase(), inlineValue: undefined };
}

function parseGenerate(tokens: string[], ctx: ParseContext): ParseResult<GenerateIntent> {
  const words: string[] = [];
  let seconds: string | undefined;
  let size: string | undefined;
  let orientation: 'landscape' | 'portrait' | undefined;
  let model: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === '--') {
      words.push(...tokens.slice(i + 1));
      break;
    }
    if (!token.startsWith('--') || token.length < 3) {
      words.push(token);
      continue;
    }
    const { flag, inlineValue } = splitFlag(token);
    const takeValue = (): string | undefined => inlineValue ?? tokens[++i];
    switch (flag) {
      case '--seconds':
      case '--duration': {
        const v = takeValue();
        if (v === undefined) return problem('`--seconds` needs a number, like `--seconds 8`.');
        seconds = v.replace(/s$/i, '');
        break;
      }
      case '--size': {
        const v = takeValue();
        if (v === undefined) return problem('`--size` needs WIDTHxHEIGHT, like `--size 1280x720`.');
        size = v.toLowerCase().replace('×', 'x');
        break;
      }
      case '--landscape':
      case '--portrait':
        if (orientation && orientation !== flag.slice(2))
          return problem('Choose one: `--landscape` or `--portrait`.');
        orientation = flag.slice(2) as 'landscape' | 'portrait';
        break;
      case '--model': {
        const v = takeValue();
        if (v === undefined) return problem('`--model` needs a name: `sora-2` or `sora-2-pro`.');
        model = v.toLowerCase();
        break;
      }
      case '--pro':
        model = 'sora-2-pro';
        break;
      default:
        return problem(
          `I don't know the option \`${flag}\`. Options: ${GENERATE_FLAGS.map((f) => `\`${f}\``).join(', ')}.`,
        );
    }
  }
  const prompt = words.join(' ').trim();
  if (!prompt)
    return problem(
      'Tell me what to make, e.g. `/sora a paper boat sailing down a rainy street --seconds 8`.',
    );
  return resolveGenerate({ prompt, seconds, size, orientation, model }, ctx);
}

interface RawGenerate {
  prompt: string;
  seconds: string | undefined;
  size: string | undefined;
  orientation: 'landscape' | 'portrait' | undefined;
  model: string | undefined;
}

/** Checks options against what the configured provider and model can do, before anything is spent. */
export function resolveGenerate(raw: RawGenerate, ctx: ParseContext): ParseResult<GenerateIntent> {
  const caps = ctx.capabilities;
  const providerName = PROVIDER_NAMES[caps.provider];
  const available = Object.keys(caps.models) as SoraModel[];
  const requestedModel = raw.model ?? ctx.defaultModel;
  const family = modelFamily(requestedModel);
  const modelCaps: ModelCapabilities | undefined = family ? caps.models[family] : undefined;
  if (!family || !modelCaps)
    return problem(
      `\`${requestedModel}\` isn't available on ${providerName}. Use ${available.map((m) => `\`${m}\``).join(' or ')}.`,
    );
  if (raw.size && raw.orientation)
    return problem('Use either `--size` or `--landscape`/`--portrait`, not both.');
  const size =
    raw.size ??
    (raw.orientation === 'landscape'
      ? '1280x720'
      : raw.orientation === 'portrait'
        ? '720x1280'
        : modelCaps.defaultSize);
  if (!modelCaps.sizes.includes(size))
    return problem(
      `${family} on ${providerName} renders ${describeSizes(modelCaps.sizes)}; \`${size}\` isn't one of them. Try \`--landscape\` or \`--portrait\`.`,
    );
  const seconds = raw.seconds ?? modelCaps.defaultSeconds;
  if (!modelCaps.seconds.includes(seconds))
    return problem(
      `Videos can be ${joinOr(modelCaps.seconds)} seconds long; try \`--seconds ${modelCaps.seconds[1] ?? modelCaps.seconds[0]}\`.`,
    );
  if (raw.prompt.length > modelCaps.maxPromptChars)
    return problem(tooLong(raw.prompt.length, modelCaps.maxPromptChars));
  const attachmentProblem = checkAttachment(ctx.attachment ?? null, modelCaps);
  if (attachmentProblem) return problem(attachmentProblem);
  return { ok: true, intent: { kind: 'generate', prompt: raw.prompt, seconds, size, model: family } };
}

export function checkAttachment(meta: AttachmentMeta | null, caps: ModelCapabilities): string | undefined {
  if (!meta) return undefined;
  const name = meta.filename;
  if (meta.contentType && !caps.imageTypes.includes(meta.contentType.toLowerCase().split(';')[0]!.trim()))
    return `\`${name}\` isn't a JPEG, PNG or WebP image. Attach a picture to animate it, or send the prompt alone.`;
  if (!meta.contentType && !/\.(jpe?g|png|webp)$/i.test(name))
    return `\`${name}\` doesn't look like a JPEG, PNG or WebP image. Attach a picture to animate it.`;
  if (meta.bytes !== null && meta.bytes > caps.maxImageBytes)
    return `\`${name}\` is ${(meta.bytes / 1024 / 1024).toFixed(1)} MB; images can be at most ${caps.maxImageBytes / 1024 / 1024} MB.`;
  return undefined;
}

function maxPromptChars(ctx: ParseContext): number {
  return Math.max(...Object.values(ctx.capabilities.models).map((m) => m?.maxPromptChars ?? 0));
}

function tooLong(length: number, max: number): string {
  return `Your prompt is ${length.toLocaleString('en-US')} characters; Sora takes at most ${max.toLocaleString('en-US')}. Shorten it by ${(length - max).toLocaleString('en-US')}.`;
}

function describeSizes(sizes: readonly string[]): string {
  return joinOr(sizes.map((s) => `\`${s}\``));
}

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
