/**
 * Over the Slack fake, end to end: a prompt that starts with a command word and runs over two lines is
 * a prompt, kept as typed; an attached wide picture makes a landscape video without `--landscape`, and
 * the status message says so; the modal's "Match the image" shape and Image fit do the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/core/job.js';
import { solidPng } from '../cli/fixtures.js';
import { ALICE, BOB, CHANNEL, SlackHarness } from './slack-harness.js';

let h: SlackHarness;

beforeAll(async () => {
  h = await SlackHarness.start();
});

afterAll(async () => {
  await h?.close();
});

function blockText(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

/** The status message that mentions `text`, once it carries `line` too, and its job. */
async function statusWith(text: string, line: string): Promise<Job> {
  const post = await h.fake.waitForCall(
    'chat.postMessage',
    (c) => blockText(c.args.blocks).includes(text) && blockText(c.args.blocks).includes(line),
    15_000,
  );
  return h.jobByParent(String(post.response.ts), String(post.args.channel));
}

describe('the picture decides the frame, and a prompt is never hijacked', () => {
  it('an @mention "help me…" over two lines with a wide picture makes a landscape video', async () => {
    const image = h.fake.workspace.seedFile({
      name: 'harbour.png',
      bytes: solidPng(1600, 900, [30, 90, 160]),
      user: ALICE,
    });
    await h.fake.socket.sendEvent(
      h.fake.payloads.appMention({
        channel: CHANNEL,
        text: 'help me fly over the harbour\nthen land on the pier',
        files: [image],
      }),
    );
    const job = await statusWith('help me fly over the harbour', 'landscape, from your image');
    expect(job.request).toMatchObject({
      prompt: 'help me fly over the harbour\nthen land on the pier',
      size: '1280x720',
      sizeFrom: 'image',
    });
    await h.waitFor(job.id, ['delivered']);
  });

  it('the modal’s "Match the image" shape and "whole image" fit', async () => {
    const image = h.fake.workspace.seedFile({
      name: 'tower.png',
      bytes: solidPng(600, 1000, [160, 90, 30]),
      user: BOB,
    });
    const message = h.fake.workspace.seedMessage({
      channel: CHANNEL,
      user: BOB,
      text: 'tower',
      files: [image],
    });
    await h.fake.socket.sendInteractive(
      h.fake.payloads.messageAction({
        channel: CHANNEL,
        messageTs: message.ts,
        callbackId: 'animate_with_sora',
        userId: ALICE,
      }),
    );
    const open = await h.fake.waitForCall('views.open', (c) => blockText(c.args.view).includes('tower.png'));
    const view = open.args.view as {
      blocks: { block_id?: string; element?: { initial_option?: unknown } }[];
    };
    expect(view.blocks.find((b) => b.block_id === 'size')?.element?.initial_option).toMatchObject({
      value: 'auto',
    });
    await h.fake.socket.sendInteractive(
      h.fake.payloads.viewSubmission({
        viewId: String((open.response.view as { id: string }).id),
        userId: ALICE,
        values: {
          prompt: { value: { type: 'plain_text_input', value: 'the tower sways\nin the wind' } },
          seconds: { value: { type: 'static_select', selected_option: { value: '4' } } },
          size: { value: { type: 'static_select', selected_option: { value: 'auto' } } },
          model: { value: { type: 'static_select', selected_option: { value: 'sora-2' } } },
          fit: { value: { type: 'static_select', selected_option: { value: 'contain' } } },
        },
      }),
    );
    const job = await statusWith('the tower sways', 'portrait, from your image (whole image, with bars)');
    expect(job.request).toMatchObject({
      prompt: 'the tower sways\nin the wind',
      size: '720x1280',
      sizeFrom: 'image',
      fit: 'contain',
    });
  });

  it('marks the modal field at fault from the core’s problem', async () => {
    await h.fake.socket.sendInteractive(
      h.fake.payloads.messageAction({
        channel: CHANNEL,
        messageTs: h.fake.workspace.seedMessage({
          channel: CHANNEL,
          user: BOB,
          text: 'x',
          files: [
            h.fake.workspace.seedFile({ name: 'x.png', bytes: solidPng(10, 10, [0, 0, 0]), user: BOB }),
          ],
        }).ts,
        callbackId: 'animate_with_sora',
        userId: ALICE,
      }),
    );
    const open = await h.fake.waitForCall('views.open', (c) => blockText(c.args.view).includes('x.png'));
    const ack = await h.fake.socket.sendInteractive(
      h.fake.payloads.viewSubmission({
        viewId: String((open.response.view as { id: string }).id),
        userId: ALICE,
        values: {
          prompt: { value: { type: 'plain_text_input', value: 'a dot' } },
          seconds: { value: { type: 'static_select', selected_option: { value: '7' } } },
          size: { value: { type: 'static_select', selected_option: { value: 'auto' } } },
          model: { value: { type: 'static_select', selected_option: { value: 'sora-2' } } },
        },
      }),
    );
    expect(ack?.payload).toMatchObject({
      response_action: 'errors',
      errors: { seconds: expect.stringMatching(/4, 8 or 12 seconds/) },
    });
  });
});
