/**
 * The playground surface against its own "platform": the room history in the adapter's values
 * (`ctx.values('playground')` over a real SQLite store). A restarted surface is a new RoomHistory on
 * the same store, as after a restart of the bot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  decodeConversation,
  encodeConversation,
  PLAYGROUND_PLATFORM,
} from '../../adapters/playground/conversation.js';
import { PlaygroundSurface } from '../../adapters/playground/playground-surface.js';
import { RoomHistory } from '../../adapters/playground/room-history.js';
import { systemClock } from '../../src/core/clock.js';
import { renderPlainText } from '../../src/core/render-text.js';
import { namespacedValues } from '../../src/store/key-values.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { surfaceContract } from './surface-contract.js';

const ROOM = 'contract';

surfaceContract({
  name: 'playground',
  platform: 'playground',
  codecs: [
    {
      name: 'conversation',
      conversation: true,
      values: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,39}$/),
      encode: encodeConversation,
      decode: decodeConversation,
      rejects: [
        'slack:T1:C1',
        'playground:../x',
        'playground:',
        'playground:Lobby',
        `playground:${'a'.repeat(41)}`,
      ],
      examples: [['lobby', 'playground:lobby']],
    },
  ],
  cannotProduce: {
    not_in_channel: 'a room on this machine has no membership',
    upload_refused: 'nothing is uploaded: the page streams the video from DATA_DIR',
    rate_limited: 'a local page has no rate limit',
  },
  async setup() {
    const dir = mkdtempSync(join(tmpdir(), 'sora-contract-playground-'));
    const store = await SqliteStore.open(join(dir, 'sora-bot.sqlite'));
    const values = namespacedValues(store, PLAYGROUND_PLATFORM);
    // What a page would see after connecting now: the room as stored.
    const stored = () => new RoomHistory(values, systemClock);
    return {
      conversation: encodeConversation(ROOM),
      newSurface: async () => new PlaygroundSurface(new RoomHistory(values, systemClock)),
      visibleVideos: async (conversation, jobId) =>
        (await stored().entries(decodeConversation(conversation)!)).filter(
          (e) => e.role === 'result' && e.jobId === jobId && e.media !== null,
        ).length,
      messageText: async (ref) => {
        const entry = await stored().stored(ref);
        return entry ? renderPlainText(entry.message) : undefined;
      },
      exists: async (ref) => (await stored().stored(ref))?.media != null,
      provoke: {
        platform_error: {
          how: 'a status message that is not in the room',
          run: ({ surface, conversation, status, job }) =>
            surface.updateStatus(conversation, `${ROOM}:000000000000`, status(job)),
        },
      },
      async close() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
