/**
 * The emulator's moderation: a small, fixed, deterministic rule set standing in for the real service's
 * classifier, so tests and demos can trigger the `moderation_blocked` path on purpose. The service's
 * content rules (docs/sora-api.md): suitable for under-18 audiences only; no copyrighted
 * characters or music; no real people, public figures included.
 *
 * RULES (quoted by the README; keep this block and MODERATION_RULES in step):
 * - The prompt is lower-cased, accents are removed and every run of characters other than letters and
 *   digits becomes one space; a rule phrase matches when it appears as whole words ("spider-man",
 *   "Spider Man" and "SPIDER–MAN!" all match "spider man"; "nudes" does not match "nude").
 * - real_person: taylor swift, elon musk, barack obama, donald trump, joe biden, kim kardashian,
 *   beyonce, tom cruise
 * - copyrighted_character: mickey mouse, spider man, spiderman, pikachu, darth vader, harry potter,
 *   super mario, homer simpson
 * - copyrighted_music: star wars theme, imperial march, happy birthday song, bohemian rhapsody
 * - adult: nude, nudity, naked, porn, porno, pornographic, nsfw, sex, explicit sex
 * A matching prompt is accepted by create (200, status `queued`) and the job then ends `failed` with
 * `error = { code: 'moderation_blocked', message: 'Your request was blocked by our moderation system.' }`,
 * like the real service's asynchronous moderation. Remix prompts are checked the same way.
 *
 * Separately, a prompt containing the exact marker `[emulator:fail]` ends `failed` with
 * `error.code = 'internal_error'`, to exercise provider-side failures.
 */

export const MODERATION_RULES = {
  real_person: [
    'taylor swift',
    'elon musk',
    'barack obama',
    'donald trump',
    'joe biden',
    'kim kardashian',
    'beyonce',
    'tom cruise',
  ],
  copyrighted_character: [
    'mickey mouse',
    'spider man',
    'spiderman',
    'pikachu',
    'darth vader',
    'harry potter',
    'super mario',
    'homer simpson',
  ],
  copyrighted_music: ['star wars theme', 'imperial march', 'happy birthday song', 'bohemian rhapsody'],
  adult: ['nude', 'nudity', 'naked', 'porn', 'porno', 'pornographic', 'nsfw', 'sex', 'explicit sex'],
} as const satisfies Record<string, readonly string[]>;

export type ModerationCategory = keyof typeof MODERATION_RULES;

export const MODERATION_BLOCKED_ERROR = {
  code: 'moderation_blocked',
  message: 'Your request was blocked by our moderation system.',
} as const;

export const FAIL_MARKER = '[emulator:fail]';

export const INTERNAL_ERROR = {
  code: 'internal_error',
  message: 'The video could not be generated because of an internal error. Please try again.',
} as const;

export type ModerationVerdict =
  | { blocked: false }
  | { blocked: true; category: ModerationCategory; phrase: string };

/** Lower case, no accents, one space between words, padded so whole-word matching is a substring test. */
export function normalizeForModeration(text: string): string {
  const plain = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return ` ${plain} `;
}

export function moderatePrompt(prompt: string): ModerationVerdict {
  const text = normalizeForModeration(prompt);
  for (const [category, phrases] of Object.entries(MODERATION_RULES) as [
    ModerationCategory,
    readonly string[],
  ][]) {
    for (const phrase of phrases) {
      if (text.includes(` ${phrase} `)) return { blocked: true, category, phrase };
    }
  }
  return { blocked: false };
}
