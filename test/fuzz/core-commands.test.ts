/**
 * Fuzz: hostile commands through the core. Parsing never throws and always yields an intent or a
 * usage problem; a sample run through the real core (SQLite, emulator) is always answered, with no
 * internal detail in the answer and no unhandled rejection, and the core keeps serving. (Escaping of
 * echoed text is each renderer's job; the adapters' fuzz suites check what reaches the platforms.)
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USAGE_CODES, USAGE_FIELDS } from '../../src/core/intents.js';
import { renderPlainText } from '../../src/core/render-text.js';
import { CoreHarness } from '../support/core-harness.js';
import { fuzzParameters, hostileText } from './hostile-text.js';

describe('fuzzed commands through the core', () => {
  let h: CoreHarness;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    // Renders far longer than the test: accepted jobs stay queued, nothing is spent on ffmpeg.
    h = await CoreHarness.start({
      emulator: { renderMs: 600_000 },
      settings: { maxConcurrent: 1 },
      budgets: { maxPendingPerUser: 1_000_000 },
    });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await h.close();
  });

  it('parses 10,000 hostile commands without throwing, each to an intent or a usage problem', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const parsed = h.core.parse(text);
        if (parsed.ok) expect(typeof parsed.intent.kind).toBe('string');
        else {
          expect(USAGE_CODES).toContain(parsed.problem.code);
          expect(USAGE_FIELDS).toContain(parsed.problem.field);
          expect(parsed.problem.message.length).toBeGreaterThan(0);
          expect(parsed.problem.message.length).toBeLessThan(1_000);
        }
      }),
      fuzzParameters(10_000),
    );
  });

  it('answers every one of 300 hostile commands run through the core, and keeps serving', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        hostileText,
        fc.constantFrom('ann', 'ben', 'playground:admin-user'),
        async (text, who) => {
          n++;
          const user = who.replace('playground:', '');
          const outcome = await h.send(`/sora ${text}`, { user, idempotencyKey: `fuzz-${n}` });
          expect(['job', 'reply']).toContain(outcome.kind);
          if (outcome.kind === 'reply') {
            const rendered = renderPlainText(outcome.message);
            expect(rendered.length).toBeGreaterThan(0);
            // Answers say what happened, never an internal detail.
            expect(rendered).not.toMatch(/\bat .+\.ts:\d+|ENOENT|ECONNREFUSED|\/tmp\//);
          }
        },
      ),
      fuzzParameters(300),
    );
    const still = await h.send('/sora a calm sea --seconds 4', { user: 'zoe' });
    expect(still.kind).toBe('job');
    expect(unhandled).toEqual([]);
  });
});
