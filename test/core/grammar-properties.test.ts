/**
 * Properties of the one text grammar (command-parser.ts): a prompt is never hijacked by a command word
 * and comes back exactly as typed; the exact command shapes are commands; options survive a round trip
 * wherever they stand. The oracle below is written from the grammar's description (README "In chat"),
 * not from the parser's code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ParseContext, parseCommand } from '../../src/core/command-parser.js';
import type { Intent } from '../../src/core/intents.js';
import { CAPABILITIES } from '../../src/sora/capabilities.js';

const openai: ParseContext = { capabilities: CAPABILITIES.openai, defaultModel: 'sora-2' };
const azure: ParseContext = { capabilities: CAPABILITIES.azure, defaultModel: 'sora-2' };

const ID = /^#?[2-9a-hjkmnp-z]{6}$/i;
const OPTION_NAMES = /^(seconds|duration|size|landscape|portrait|model|pro|fit)(=|$)/i;

/** True when the text is (or tries to be) a command, or holds options: everything that is not a plain prompt. */
function notAPlainPrompt(text: string): boolean {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  if (words[0] === '--') return true;
  // Options (and unknown `--words`, a usage problem) are not plain prompt text.
  if (words.some((w) => /^--[a-z]/i.test(w) || (/^[—–]/.test(w) && OPTION_NAMES.test(w.slice(1)))))
    return true;
  const [first = '', second, ...more] = words;
  switch (first.toLowerCase()) {
    case 'help':
      return words.length === 1;
    case 'list':
      // Holds options, so already excluded above unless it is `list` alone.
      return words.length === 1;
    case 'status':
    case 'delete':
      return second === undefined || (more.length === 0 && ID.test(second));
    case 'remix':
      return second === undefined || ID.test(second);
    case 'budget':
      return (
        second === undefined ||
        /^workspace$/i.test(second) ||
        /^<@!?[A-Za-z0-9]+(\|[^>]*)?>$/.test(second) ||
        /^@[^\s@<>]{1,64}$/.test(second)
      );
    case 'usage':
      return second === undefined || (more.length === 0 && /^(day|today|month|\d{4}-\d{2})$/i.test(second));
    case 'settings':
      return second === undefined || (/^notify$/i.test(second) && more.length <= 1);
    default:
      return false;
  }
}

const commandWord = fc.constantFrom(
  'help',
  'HELP',
  'list',
  'List',
  'status',
  'delete',
  'remix',
  'budget',
  'usage',
  'settings',
);
const word = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 10 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }) },
  { weight: 2, arbitrary: commandWord },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'k3f9qz',
      '#K3F9QZ',
      'update',
      'workspace',
      '@bob',
      '<@U123>',
      '5/day',
      'off',
      'day',
      '2026-11',
      'notify',
      '—',
      '–',
      '--',
      '---',
      '-->',
      '—and',
      '...',
      '!',
      '“quoted”',
      'émigré',
      '東京',
      '🦊',
      ':',
      '(a)',
      '*bold*',
      '`code`',
    ),
  },
);
const gap = fc.constantFrom(' ', ' ', ' ', '  ', '\n', '\n\n', '\t', ' \n ', '\r\n', '\u00a0', '\u3000');
const edge = fc.constantFrom('', '', ' ', '\n', '  \n\t');

/** Arbitrary text: words (often command words first) separated by spaces, tabs and line breaks. */
const text = fc
  .tuple(edge, fc.array(fc.tuple(word, gap), { minLength: 1, maxLength: 10 }), edge)
  .map(([before, parts, after]) => before + parts.map(([w, g], i) => (i === 0 ? w : g + w)).join('') + after);

describe('the grammar never hijacks a prompt', () => {
  it('parses any text that is not exactly a command shape as a prompt, unchanged but for its ends', () => {
    fc.assert(
      fc.property(
        text.filter((t) => !notAPlainPrompt(t)),
        fc.constantFrom(openai, azure),
        (input, ctx) => {
          const result = parseCommand(input, ctx);
          expect(result).toMatchObject({ ok: true, intent: { kind: 'generate', prompt: input.trim() } });
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reads the exact command shapes as commands', () => {
    const id = fc.constantFrom('k3f9qz', '#K3F9QZ', 'abc234');
    const shapes: fc.Arbitrary<[string, Intent['kind']]> = fc.oneof(
      fc.tuple(edge, edge).map(([a, b]) => [`${a}help${b}`, 'help'] as [string, Intent['kind']]),
      fc
        .subarray(['--all', '—all', '--page 3', '--page=2', '–page 9'])
        .map((options) => [['list', ...options].join(' '), 'list'] as [string, Intent['kind']]),
      fc
        .tuple(fc.constantFrom('status', 'delete', 'STATUS'), gap, id)
        .map(([w, g, i]) => [`${w}${g}${i}`, w.toLowerCase() as Intent['kind']] as [string, Intent['kind']]),
      fc.constantFrom<[string, Intent['kind']]>(
        ['budget', 'budget'],
        ['budget workspace 300/month', 'budget'],
        ['budget <@U123|bob> 5/day', 'budget'],
        ['budget @bob off', 'budget'],
        ['usage', 'usage'],
        ['usage day', 'usage'],
        ['usage 2026-11', 'usage'],
      ),
    );
    fc.assert(
      fc.property(shapes, ([input, kind]) => {
        expect(parseCommand(input, openai)).toMatchObject({ ok: true, intent: { kind } });
      }),
      { numRuns: 500 },
    );
  });

  it('reads `remix ID PROMPT` with the prompt exactly as typed after the id', () => {
    const prompt = text.filter((t) => t.trim().length > 0);
    fc.assert(
      fc.property(fc.constantFrom('k3f9qz', '#K3F9QZ'), gap, prompt, (id, g, p) => {
        expect(parseCommand(`remix ${id}${g}${p}`, openai)).toEqual({
          ok: true,
          intent: { kind: 'remix', jobId: 'k3f9qz', prompt: p.trim() },
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips options placed before, after or around a prompt, in every spelling', () => {
    const dash = fc.constantFrom('--', '—', '–');
    type Option = { tokens: string; set: Record<string, unknown> };
    const valued = (name: string, value: string, set: Record<string, unknown>) =>
      fc.tuple(dash, fc.boolean()).map(
        ([d, inline]): Option => ({
          tokens: inline ? `${d}${name}=${value}` : `${d}${name} ${value}`,
          set,
        }),
      );
    const flag = (name: string, set: Record<string, unknown>) =>
      dash.map((d): Option => ({ tokens: `${d}${name}`, set }));
    const option = fc.oneof(
      fc.constantFrom('4', '8', '12').chain((s) => valued('seconds', s, { seconds: s })),
      fc.constantFrom('cover', 'contain').chain((f) => valued('fit', f, { fit: f })),
      flag('landscape', { size: '1280x720', autoSize: false }),
      flag('pro', { model: 'sora-2-pro' }),
      valued('model', 'sora-2', { model: 'sora-2' }),
    );
    // A prompt of its own (no options, no command shape, no `--` of its own that would end the options).
    const prompt = text.filter((t) => !notAPlainPrompt(t) && !t.split(/\s+/).includes('--'));
    fc.assert(
      fc.property(
        prompt,
        fc.array(option, { maxLength: 3 }),
        fc.array(option, { maxLength: 3 }),
        fc.constantFrom(' ', '\n'),
        (p, before, after, joint) => {
          const input = [before.map((o) => o.tokens).join(' '), p, after.map((o) => o.tokens).join(' ')].join(
            joint,
          );
          const expected = Object.assign({}, ...[...before, ...after].map((o) => o.set));
          const result = parseCommand(input, openai);
          expect(result).toMatchObject({
            ok: true,
            intent: { kind: 'generate', prompt: p.trim(), ...expected },
          });
        },
      ),
      { numRuns: 2000 },
    );
  });
});
