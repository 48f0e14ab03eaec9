/**
 * Pure parts of the Slack adapter: the conversation and message-ref round trips, escaping of
 * everything a person typed, button ids, and the rendered blocks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAction, encodeAction } from '../../adapters/slack/action-ids.js';
import { renderMessage, resultCaption } from '../../adapters/slack/blocks.js';
import {
  decodeConversation,
  decodeMessageRef,
  encodeConversation,
  encodeMessageRef,
} from '../../adapters/slack/conversation.js';
import { escapeSlackText, safeText, unescapeSlackText } from '../../adapters/slack/mrkdwn.js';
import { platformOfConversation } from '../../src/core/conversation.js';
import type { JobView } from '../../src/core/messages.js';

const slackId = (prefix: string) => fc.stringMatching(/^[A-Z0-9]{4,12}$/).map((s) => `${prefix}${s}`);
const ts = fc
  .tuple(fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }), fc.integer({ min: 0, max: 999_999 }))
  .map(([s, us]) => `${s}.${String(us).padStart(6, '0')}`);

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

describe('Slack conversations', () => {
  it('round-trips channels and threads, and the core sees the platform', () => {
    fc.assert(
      fc.property(slackId('T'), slackId('C'), fc.option(ts, { nil: null }), (team, channel, threadTs) => {
        const encoded = encodeConversation({ team, channel, threadTs });
        expect(decodeConversation(encoded)).toEqual({ team, channel, threadTs });
        expect(platformOfConversation(encoded)).toBe('slack');
      }),
    );
    expect(encodeConversation({ team: 'T1', channel: 'C1', threadTs: '1700000000.000100' })).toBe(
      'slack:T1:C1:1700000000.000100',
    );
  });

  it('round-trips message refs and rejects what is not one', () => {
    fc.assert(
      fc.property(slackId('T'), slackId('C'), ts, (team, channel, t) => {
        expect(decodeMessageRef(encodeMessageRef({ team, channel, ts: t }))).toEqual({
          team,
          channel,
          ts: t,
        });
      }),
    );
    for (const bad of ['', 'slack:T1', 'discord:G1:C1', 'slack:T1:C1:notats', 'slack:t1:c1'])
      expect(decodeConversation(bad)).toBeUndefined();
    expect(decodeMessageRef('file:F123')).toBeUndefined();
  });
});

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
