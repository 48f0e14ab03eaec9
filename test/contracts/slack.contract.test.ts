/**
 * The Slack surface over the wire-level fake Slack (real @slack/web-api clients, the real three-step
 * upload, files.info with Slack's `shares`). A restarted surface gets new Web API clients and a new
 * edit budget; the fake keeps the workspace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  decodeConversation,
  decodeMessageRef,
  encodeConversation,
  encodeMessageRef,
  fileIdOfRef,
  fileRef,
} from '../../adapters/slack/conversation.js';
import { SlackApi } from '../../adapters/slack/slack-api.js';
import { SlackSurface, stillFileName, videoFileName } from '../../adapters/slack/slack-surface.js';
import { StatusEditBudget } from '../../adapters/slack/status-edit-budget.js';
import { silentLogger } from '../../src/core/logger.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { startFakeSlack } from '../fakes/slack/index.js';
import { ALL_SCOPES } from '../slack/slack-harness.js';
import { type IdCodec, surfaceContract } from './surface-contract.js';

const GENERAL = 'C0GENERAL01';
const SECRET = 'G0SECRET001';

const slackId = (prefix: string) => fc.stringMatching(/^[A-Z0-9]{4,12}$/).map((s) => `${prefix}${s}`);
const ts = fc
  .tuple(fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }), fc.integer({ min: 0, max: 999_999 }))
  .map(([s, us]) => `${s}.${String(us).padStart(6, '0')}`);

const conversation: IdCodec<{ team: string; channel: string; threadTs: string | null }> = {
  name: 'conversation',
  conversation: true,
  values: fc.record({ team: slackId('T'), channel: slackId('C'), threadTs: fc.option(ts, { nil: null }) }),
  encode: encodeConversation,
  decode: decodeConversation,
  rejects: ['', 'slack:T1', 'discord:G1:C1', 'slack:T1:C1:notats', 'slack:t1:c1', 'playground:lobby'],
  examples: [
    [{ team: 'T1', channel: 'C1', threadTs: '1700000000.000100' }, 'slack:T1:C1:1700000000.000100'],
    [{ team: 'T1', channel: 'C1', threadTs: null }, 'slack:T1:C1'],
  ],
};

const messageRef: IdCodec<{ team: string; channel: string; ts: string }> = {
  name: 'message ref',
  values: fc.record({ team: slackId('T'), channel: slackId('C'), ts }),
  encode: encodeMessageRef,
  decode: decodeMessageRef,
  rejects: ['file:F123', 'slack:T1:C1:1700000000.000100', 'T1:C1', ''],
  examples: [[{ team: 'T1', channel: 'C1', ts: '1700000000.000100' }, 'T1:C1:1700000000.000100']],
};

const fileReference: IdCodec<string> = {
  name: 'file ref',
  values: slackId('F'),
  encode: fileRef,
  decode: fileIdOfRef,
  rejects: ['T1:C1:1700000000.000100', 'F123', 'file:', 'file:f12'],
  examples: [['F0ABC123', 'file:F0ABC123']],
};

surfaceContract({
  name: 'Slack',
  platform: 'slack',
  codecs: [conversation, messageRef, fileReference],
  cannotProduce: {
    upload_refused:
      'a refused upload is never an error: Slack gets the still, or the caption alone (test/slack/delivery.test.ts)',
  },
  async setup() {
    const fake = await startFakeSlack({
      scopes: ALL_SCOPES,
      channels: [
        { id: GENERAL, name: 'general', kind: 'public', botIsMember: true },
        { id: SECRET, name: 'secret', kind: 'private', botIsMember: false },
      ],
    });
    const dir = mkdtempSync(join(tmpdir(), 'sora-contract-slack-'));
    // The adapter keeps no delivery records any more; the store is here as in the bot (dedupe keys).
    const store = await SqliteStore.open(join(dir, 'sora-bot.sqlite'));
    const budgets: StatusEditBudget[] = [];
    const team = fake.options.teamId;
    const messageOf = (ref: string) => {
      const at = decodeMessageRef(ref);
      return at ? fake.workspace.message(at.channel, at.ts) : undefined;
    };
    return {
      conversation: encodeConversation({ team, channel: GENERAL, threadTs: null }),
      async newSurface() {
        const slack = new SlackApi({
          botToken: fake.options.botToken,
          slackApiUrl: fake.apiUrl,
          retryConfig: { retries: 0 },
          logger: silentLogger,
          // A 429 is not waited out here: the contract asks for the rate_limited code.
          maxRateLimitWaits: 0,
        });
        const budget = new StatusEditBudget({ perMinute: 45, burst: 5, logger: silentLogger });
        budgets.push(budget);
        return new SlackSurface({ slack, budget, logger: silentLogger, shareSettleMs: 200 });
      },
      async visibleVideos(where, jobId) {
        const c = decodeConversation(where)!;
        const names = new Set([videoFileName(jobId), stillFileName(jobId)]);
        const messages = c.threadTs
          ? fake.workspace.thread(c.channel, c.threadTs)
          : fake.workspace.messages(c.channel);
        return messages.filter((m) =>
          m.files?.some((f) => f.mode !== 'tombstone' && names.has(String(f.name))),
        ).length;
      },
      async messageText(ref) {
        const message = messageOf(ref);
        return message ? `${message.text}\n${JSON.stringify(message.blocks ?? [])}` : undefined;
      },
      async exists(ref) {
        const fileId = fileIdOfRef(ref);
        return fileId ? fake.workspace.file(fileId) !== undefined : messageOf(ref) !== undefined;
      },
      provoke: {
        not_in_channel: {
          how: 'a private channel the bot was not invited to',
          run: ({ surface, status, job }) =>
            surface.startJob(encodeConversation({ team, channel: SECRET, threadTs: null }), status(job)),
        },
        rate_limited: {
          how: 'a 429 on chat.postMessage',
          run: ({ surface, conversation: where, status, job }) => {
            fake.faults.rateLimit('chat.postMessage', { retryAfterSec: 1, count: 1 });
            return surface.startJob(where, status(job));
          },
        },
        platform_error: {
          how: 'internal_error from chat.postMessage',
          run: ({ surface, conversation: where, status, job }) => {
            fake.faults.failWith('chat.postMessage', 'internal_error', 1);
            return surface.startJob(where, status(job));
          },
        },
      },
      rules: [
        {
          name: 'no history reads',
          // conversations.replies is throttled to ~1 request a minute for non-Marketplace apps.
          check: () => {
            expect(fake.calls('conversations.replies')).toEqual([]);
            expect(fake.calls('conversations.history')).toEqual([]);
            expect(fake.calls('files.info').length).toBeGreaterThan(0);
          },
        },
        {
          name: 'no upload left behind',
          // Every file the bot uploaded was shared, or deleted when its delivery stopped at the checkpoint.
          check: () => {
            const uploaded = fake.calls('files.getUploadURLExternal').map((c) => String(c.response.file_id));
            const left = uploaded.filter((id) => {
              const file = fake.workspace.file(id) as { shares?: unknown } | undefined;
              return file !== undefined && file.shares === undefined;
            });
            expect(left).toEqual([]);
          },
        },
      ],
      async close() {
        for (const budget of budgets) budget.close();
        await store.close();
        await fake.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
