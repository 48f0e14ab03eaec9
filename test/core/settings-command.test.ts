/**
 * `/sora settings` in the grammar's exact-shape style: `settings` alone and `settings notify on|off`
 * are commands, `settings notify` with another value is a usage problem on the `setting` field, and
 * every other shape after `settings` is a prompt, kept as typed. SORA_NOTIFY is checked at start.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { type ParseContext, parseCommand } from '../../src/core/command-parser.js';
import { CAPABILITIES } from '../../src/sora/capabilities.js';

const ctx: ParseContext = { capabilities: CAPABILITIES.openai, defaultModel: 'sora-2' };

it('reads the settings shapes, case-insensitively', () => {
  expect(parseCommand('settings', ctx)).toEqual({ ok: true, intent: { kind: 'settings', notify: null } });
  expect(parseCommand('Settings Notify OFF', ctx)).toEqual({
    ok: true,
    intent: { kind: 'settings', notify: false },
  });
  expect(parseCommand('settings notify on', ctx)).toEqual({
    ok: true,
    intent: { kind: 'settings', notify: true },
  });
  for (const text of ['settings notify', 'settings notify loudly']) {
    const parsed = parseCommand(text, ctx);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.problem).toMatchObject({
        field: 'setting',
        message: expect.stringContaining('/sora settings notify off'),
      });
  }
});

it('keeps every other text after `settings` as a prompt', () => {
  const word = fc.stringMatching(/^[a-z]{1,8}$/).filter((w) => w !== 'notify');
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (words) => {
      const text = `settings ${words.join(' ')}`;
      const parsed = parseCommand(text, ctx);
      expect(parsed.ok && parsed.intent.kind === 'generate' && parsed.intent.prompt).toBe(text);
    }),
  );
  const long = parseCommand('settings notify me when the sun sets', ctx);
  expect(long.ok && long.intent.kind === 'generate' && long.intent.prompt).toBe(
    'settings notify me when the sun sets',
  );
});

it('takes SORA_NOTIFY as mention (the default) or none, and refuses anything else by name', () => {
  expect(parseConfig({}).SORA_NOTIFY).toBe('mention');
  expect(parseConfig({ SORA_NOTIFY: 'none' }).SORA_NOTIFY).toBe('none');
  expect(() => parseConfig({ SORA_NOTIFY: 'loud' })).toThrow(/SORA_NOTIFY/);
});
