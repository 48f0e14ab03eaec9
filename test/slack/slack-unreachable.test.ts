/**
 * Slack unreachable while Socket Mode reconnects: the client library gives up on a network error and
 * its reconnect promise rejects with no listener (which ends a Node process). The adapter keeps trying
 * with a backoff until Slack answers, and then serves commands again. Vitest fails a run on any
 * unhandled rejection, so the library's failure mode makes this test fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL, SlackHarness } from './slack-harness.js';

let h: SlackHarness;

beforeAll(async () => {
  h = await SlackHarness.start();
});

afterAll(async () => {
  await h?.close();
});

describe('Socket Mode after Slack was unreachable', () => {
  it('keeps retrying apps.connections.open, reconnects, and answers /sora again', async () => {
    const before = h.fake.socket.totalConnections;
    h.fake.faults.cutConnection('apps.connections.open', 2);
    expect(h.fake.socket.dropConnections()).toBe(1);

    await h.until(() => h.fake.faults.servedCount('apps.connections.open', 'unreachable') >= 2);
    await h.fake.socket.waitForConnection(before + 1, 30_000);
    expect(h.logText()).toContain('slack is unreachable; socket mode will try again');

    const { ack } = h.command('a lantern drifting over a dark lake');
    await ack;
    const parent = await h.fake.waitForCall('chat.postMessage', (c) => c.args.channel === CHANNEL);
    expect(JSON.stringify(parent.args.blocks)).toContain('a lantern drifting over a dark lake');
  });
});
