/**
 * Pure parts of the Slack adapter: escaping of everything a person typed, button ids, and the
 * rendered blocks. The conversation, message-ref and file-ref round trips are in the surface
 * contract (test/contracts/slack.contract.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAction, encodeAction } from '../../adapters/slack/action-ids.js';
import { renderMessage, resultCaption } from '../../adapters/slack/blocks.js';
import { escapeSlackText, safeText, unescapeSlackText } from '../../adapters/slack/mrkdwn.js';
import type { JobView } from '../../src/core/messages.js';

const job: JobView = {
  id: 'k3f9qz',
  prompt: '<!channel> a fox & <@U123> <https://evil.example|click>',
  seconds: '8',
  size: '1280x720',
  model: 'sora-2',
  state: 'rendering',
  progress: 40,
  requesterUser: 'U0ALICE0001',
  requesterName: '<!here> alice',
  remixOf: null,
  hasImage: false,
  createdAt: 0,
  failureCode: null,
};

describe('escaping', () => {
  it('never lets <, > or a bare & through, and unescape inverts it', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const escaped = escapeSlackText(text);
        expect(escaped).not.toMatch(/[<>]/);
        expect(escaped.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
        expect(unescapeSlackText(escaped)).toBe(text);
      }),
    );
  });

  it('cuts long text without breaking an entity', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 5, max: 100 }), (text, max) => {
        const cut = safeText(text, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(cut.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
      }),
    );
  });

  it('escapes the prompt and the name in every rendering', () => {
    const messages = [
      renderMessage({
        kind: 'status',
        job,
        phase: 'rendering',
        progress: 40,
        queuePosition: null,
        etaMs: null,
      }),
      renderMessage({ kind: 'result', job, notes: [], actions: [] }),
      renderMessage({
        kind: 'list',
        scope: 'mine',
        jobs: [job],
        page: 1,
        pageCount: 1,
        total: 1,
        actions: [],
      }),
      renderMessage({ kind: 'job_details', job, queuePosition: null, actions: [] }),
      renderMessage({
        kind: 'failure',
        job,
        code: 'provider_error',
        text: 'x <!everyone>',
        hint: null,
        requestId: null,
      }),
    ];
    for (const m of messages) {
      const all = `${m.text} ${JSON.stringify(m.blocks)}`;
      expect(all).not.toMatch(/<[!@#]/);
      expect(all).not.toContain('<https://');
    }
    expect(resultCaption({ kind: 'result', job, notes: [], actions: [] })).toContain(
      '&lt;!channel&gt; a fox &amp; &lt;@U123&gt;',
    );
  });
});

describe('button ids', () => {
  it('round-trip every action and reject forged values', () => {
    for (const action of [
      { kind: 'remix' as const, jobId: 'k3f9qz', label: 'Remix' },
      { kind: 'delete' as const, jobId: 'k3f9qz', label: 'Delete' },
      { kind: 'list_page' as const, page: 3, all: true, label: 'Next' },
    ]) {
      const { action_id, value } = encodeAction(action);
      const { label: _label, ...rest } = action;
      expect(decodeAction(action_id, value)).toEqual(rest);
    }
    expect(decodeAction('sora_remix', '../../etc')).toBeUndefined();
    expect(decodeAction('sora_delete', undefined)).toBeUndefined();
    expect(decodeAction('sora_list_page', '2:7')).toBeUndefined();
    expect(decodeAction('other', 'k3f9qz')).toBeUndefined();
  });
});
