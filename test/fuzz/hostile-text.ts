/**
 * fast-check arbitraries for hostile text: what people (and attackers) type into a chat box. Control
 * characters, bidirectional overrides, zero-width joiners, huge strings, and mentions, links and
 * broadcast pings in every platform's syntax. Shared by the fuzz suites of the core and the adapters.
 *
 * Runs: `FUZZ_RUNS` scales every suite (npm test uses the fixed default; `npm run fuzz` runs 10x with a
 * random seed), and `FUZZ_SEED` replays a failure.
 */
import fc from 'fast-check';

/** What a fuzz suite passes to fc.assert: a fixed seed in npm test, a random one under `npm run fuzz`. */
export function fuzzParameters(runs: number): fc.Parameters<unknown> {
  const scale = Number(process.env.FUZZ_SCALE ?? '1');
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : scale > 1 ? undefined : 20261202;
  return { numRuns: Math.round(runs * scale), ...(seed !== undefined ? { seed } : {}) };
}

export const PINGS = [
  '@everyone',
  '@here',
  '@channel',
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!subteam^S123|team>',
  '<@U0123ABCD>',
  '<@U0123ABCD|alice>',
  '<@123456789012345678>',
  '<@!123456789012345678>',
  '<@&987654321098765432>',
  '<#C0123ABCD|general>',
  '<#123456789012345678>',
];

export const LINKS = [
  '[click](https://evil.example/x)',
  '[click](<https://evil.example/x>)',
  '<https://evil.example|totally safe>',
  'https://evil.example/phish',
  '[a](https://x.example "title")',
];

const TRICKY_CHARS = [
  '\u202e', // right-to-left override
  '\u202d',
  '\u2066',
  '\u200b', // zero-width space
  '\u200d', // zero-width joiner
  '\ufeff',
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\r\n',
  '\t',
  '—',
  '–',
  '--',
  '`',
  '```',
  '*',
  '_',
  '~',
  '|',
  '>',
  '<',
  '&',
  '&amp;',
  '"',
  "'",
  '\\',
  '%s',
  '$' + '{x}', // a template placeholder, as text
  '{{x}}',
  '🎬',
  '👨‍👩‍👧',
  'é',
  'ß',
  '日本',
];

const KEYWORDS = [
  'help',
  'list',
  'status',
  'delete',
  'remix',
  'budget',
  'usage',
  '--seconds',
  '--size',
  '--model',
  '--pro',
  '--landscape',
  '--portrait',
  '--all',
  '--page',
  'workspace',
  'k3f9qz',
  '8',
  '12',
  '1280x720',
  'sora-2-pro',
  'off',
  '5/day',
  '300/month',
  '2026-11',
];

/** One token of hostile chat text. */
export const hostileToken: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KEYWORDS) },
  { weight: 3, arbitrary: fc.constantFrom(...PINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...LINKS) },
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY_CHARS) },
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

/** A whole line of hostile text, occasionally huge. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 20, arbitrary: fc.array(hostileToken, { maxLength: 12 }).map((t) => t.join(' ')) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(40_000), `${'a '.repeat(20_000)}`, '🎬'.repeat(9_000)) },
);

/** Text that must never appear live in anything the bot renders. */
export function livePings(rendered: string): string[] {
  return PINGS.filter((p) => rendered.includes(p));
}

/** A value of the wrong type for any field: null, numbers, booleans, arrays, objects, or text. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  hostileText,
);

/**
 * Slack markup that notifies or links when a message *from the bot* contains it: `<!channel>`,
 * `<!here>`, `<!everyone>`, `<!subteam^…>`, `<@U…>`, `<#C…>`, `<https://…|…>`, `<mailto:…>`. The bot
 * writes no markup of its own, so any of these in what it posts came from someone's text.
 */
export function slackLiveMarkup(mrkdwn: string): string[] {
  return [
    ...mrkdwn.matchAll(/<(?:!(?:channel|here|everyone|subteam\^)|[@#][A-Z0-9]|(?:https?|mailto):)[^>]*>?/gi),
  ].map((m) => m[0]);
}

/**
 * Discord masked links (`[text](https://…)`, `[text](<https://…>)`) that would render live; escaped
 * brackets (`\[`) do not count. `ownOrigin`: the bot's own links (a signed download link) are allowed.
 */
export function discordMaskedLinks(markdown: string, ownOrigin?: string): string[] {
  return [...markdown.matchAll(/(?<!\\)\[[^\]\n]*(?<!\\)\]\(\s*<?\s*([a-z][a-z0-9+.-]*:\/\/[^\s)>]*)/gi)]
    .filter((m) => !(ownOrigin && m[1]?.startsWith(ownOrigin)))
    .map((m) => m[0]);
}

/** How many runs `fuzzParameters(runs)` makes (scaled by FUZZ_SCALE). */
export function fuzzRuns(runs: number): number {
  return fuzzParameters(runs).numRuns ?? runs;
}

/** A test's time limit for `runs` inputs at about `msPerRun` each, scaled like the runs (at least 60 s). */
export function fuzzTimeout(runs: number, msPerRun: number): number {
  return Math.max(60_000, fuzzRuns(runs) * msPerRun);
}
