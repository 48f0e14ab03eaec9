/**
 * The other ways in, end to end over Socket Mode: the video modal with an uploaded image, the
 * "Animate with Sora" message shortcut, an @mention with an image, remix by reaction (ephemeral
 * button -> modal -> remix in the same thread), delete by reaction, and the list's page buttons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/core/job.js';
import { solidPng } from '../cli/fixtures.js';
import { PayloadBuilders } from '../fakes/slack/index.js';
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

function viewIdOf(response: Record<string, unknown>): string {
  return String((response.view as { id: string }).id);
}

/** The job whose status message is the newest bot post matching `text`. */
async function jobFromPost(text: string): Promise<Job> {
  const post = await h.fake.waitForCall(
    'chat.postMessage',
    (c) => blockText(c.args.blocks).includes(text),
    15_000,
  );
  return h.jobByParent(String(post.response.ts), String(post.args.channel));
}

describe('modal, shortcut and mention', () => {
  it('makes a video from the modal with an uploaded reference image', async () => {
    await h.command('').ack;
    const open = await h.fake.waitForCall('views.open');
    const image = h.fake.workspace.seedFile({ name: 'harbour.png', bytes: solidPng(640, 480), user: ALICE });
    const values = {
      prompt: { value: { type: 'plain_text_input', value: 'the harbour at dawn, boats rocking' } },
      seconds: { value: { type: 'static_select', selected_option: { value: '8' } } },
      size: { value: { type: 'static_select', selected_option: { value: '1280x720' } } },
      model: { value: { type: 'static_select', selected_option: { value: 'sora-2' } } },
      image: { files: PayloadBuilders.fileInputValue([image]) },
    };
    // A problem is shown next to its field, and the modal stays open.
    const bad = await h.fake.socket.sendInteractive(
      h.fake.payloads.viewSubmission({
        viewId: viewIdOf(open.response),
        values: { ...values, prompt: { value: { type: 'plain_text_input', value: '   ' } } },
      }),
    );
    expect(bad.payload).toEqual({
      response_action: 'errors',
      errors: { prompt: 'Describe the video you want.' },
    });
    // A forged select value (not one the modal offers) is quoted back only in part: 40 characters.
    const forged = 'x'.repeat(18_000);
    const forgedAnswer = await h.fake.socket.sendInteractive(
      h.fake.payloads.viewSubmission({
        viewId: viewIdOf(open.response),
        values: { ...values, size: { value: { type: 'static_select', selected_option: { value: forged } } } },
      }),
    );
    const forgedErrors = (forgedAnswer.payload as { errors: Record<string, string> }).errors;
    expect(Object.keys(forgedErrors)).toEqual(['size']);
    expect(forgedErrors.size).toContain(`; ${'x'.repeat(39)}… isn't one of them`);
    expect(forgedErrors.size!.length).toBeLessThan(300);

    const good = await h.fake.socket.sendInteractive(
      h.fake.payloads.viewSubmission({ viewId: viewIdOf(open.response), values }),
    );
    expect(good.payload ?? {}).toEqual({});
    const job = await jobFromPost('the harbour at dawn');
    expect(job.request).toMatchObject({ seconds: '8', size: '1280x720', model: 'sora-2' });
    expect(job.request.imagePath).not.toBeNull();
    expect(h.fake.workspace.downloads()).toContainEqual(
      expect.objectContaining({ fileId: image.id, authorized: true }),
    );
    await h.waitFor(job.id, ['delivered']);
  });

  it('animates the image of a message through the shortcut, in a thread under that message', async () => {
    const image = h.fake.workspace.seedFile({
      name: 'cat.png',
      bytes: solidPng(300, 300, [200, 60, 60]),
      user: BOB,
    });
    const message = h.fake.workspace.seedMessage({
      channel: CHANNEL,
      user: BOB,
      text: 'my cat',
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
    const open = await h.fake.waitForCall('views.open', (c) => blockText(c.args.view).includes('cat.png'));
    const meta = JSON.parse(String((open.args.view as { private_metadata: string }).private_metadata));
    expect(meta).toMatchObject({ c: `slack:${h.fake.options.teamId}:${CHANNEL}:${message.ts}`, f: image.id });
    await h.fake.socket.sendInteractive(
      h.fake.payloads.viewSubmission({
        viewId: viewIdOf(open.response),
        userId: ALICE,
        values: {
          prompt: { value: { type: 'plain_text_input', value: 'the cat yawns and stretches' } },
          seconds: { value: { type: 'static_select', selected_option: { value: '4' } } },
          size: { value: { type: 'static_select', selected_option: { value: '720x1280' } } },
          model: { value: { type: 'static_select', selected_option: { value: 'sora-2' } } },
        },
      }),
    );
    const job = await jobFromPost('the cat yawns');
    expect(job.conversation).toBe(`slack:${h.fake.options.teamId}:${CHANNEL}:${message.ts}`);
    expect(job.request.imagePath).not.toBeNull();
    await h.waitFor(job.id, ['delivered']);
    const complete = await h.fake.waitForCall('files.completeUploadExternal', (c) =>
      String(c.args.initial_comment).includes('yawns'),
    );
    expect(complete.args.thread_ts).toBe(message.ts);
  });

  it('generates from an @mention with an image, in a thread under the mention', async () => {
    const image = h.fake.workspace.seedFile({
      name: 'kite.png',
      bytes: solidPng(720, 1280, [20, 160, 90]),
      user: ALICE,
    });
    const mention = h.fake.payloads.appMention({
      channel: CHANNEL,
      text: 'make this kite fly --portrait',
      files: [image],
    });
    await h.fake.socket.sendEvent(mention);
    // A retried event makes no second job.
    await h.fake.socket.sendEvent(mention);
    const job = await jobFromPost('make this kite fly');
    expect(job.conversation).toBe(`slack:${h.fake.options.teamId}:${CHANNEL}:${mention.event.ts}`);
    expect(job.request).toMatchObject({ prompt: 'make this kite fly', size: '720x1280' });
    expect(job.request.imagePath).not.toBeNull();
    await h.waitFor(job.id, ['delivered']);
    const posts = h.fake
      .calls('chat.postMessage')
      .filter((c) => blockText(c.args.blocks).includes('make this kite fly'));
    expect(posts).toHaveLength(1);
    expect(posts[0]?.args.thread_ts).toBe(mention.event.ts);
  });
});

describe('reactions and buttons', () => {
  it('remixes by reaction: ephemeral button, modal, remix delivered in the same thread', async () => {
    await h.command('a snowman in the sun').ack;
    const parent = await jobFromPost('a snowman in the sun');
    const done = await h.waitFor(parent.id, ['delivered']);
    const threadTs = parent.conversation.split(':')[3]!;
    // React on the video's own message (the file share), as people do.
    const videoMessage = await h.until(() =>
      h.fake.workspace
        .thread(CHANNEL, threadTs)
        .find((m) => m.files?.some((f) => String(f.name).includes(parent.id))),
    );
    await h.fake.socket.sendEvent(
      h.fake.payloads.reactionAdded({
        channel: CHANNEL,
        ts: videoMessage.ts,
        reaction: 'repeat',
        userId: BOB,
      }),
    );
    const offer = await h.until(() =>
      h.fake.workspace.ephemerals(CHANNEL).find((e) => blockText(e.blocks).includes(parent.id)),
    );
    expect(offer).toMatchObject({ user: BOB, thread_ts: threadTs });
    expect(blockText(offer.blocks)).toContain('sora_remix');

    await h.fake.socket.sendInteractive(
      h.fake.payloads.blockActions({
        channel: CHANNEL,
        messageTs: offer.message_ts,
        ephemeral: true,
        userId: BOB,
        actions: [{ action_id: 'sora_remix', value: parent.id }],
      }),
    );
    const open = await h.fake.waitForCall(
      'views.open',
      (c) => (c.args.view as { callback_id?: string }).callback_id === 'sora_remix_modal',
    );
    await h.fake.socket.sendInteractive(
      h.fake.payloads.viewSubmission({
        viewId: viewIdOf(open.response),
        userId: BOB,
        values: { prompt: { value: { type: 'plain_text_input', value: 'now it is melting' } } },
      }),
    );
    const remix = await jobFromPost('now it is melting');
    expect(remix.conversation).toBe(parent.conversation);
    expect(remix.request).toMatchObject({ kind: 'remix', remixOf: parent.id });
    expect(remix.requester.user).toBe(BOB);
    await h.waitFor(remix.id, ['delivered']);
    const complete = await h.fake.waitForCall('files.completeUploadExternal', (c) =>
      String(c.args.initial_comment).includes('melting'),
    );
    expect(complete.args.thread_ts).toBe(threadTs);
    expect(String(complete.args.initial_comment)).toContain(`remix of ${parent.id}`);
    expect(done.deliveredRef).not.toBeNull();
  });

  it('offers deletion by :x: to the owner only, and the button deletes', async () => {
    await h.command('a paper lantern', { user: ALICE }).ack;
    const job = await jobFromPost('a paper lantern');
    const delivered = await h.waitFor(job.id, ['delivered']);
    const controlsTs = delivered.deliveredRef!.split(':')[2]!;
    await h.fake.socket.sendEvent(
      h.fake.payloads.reactionAdded({ channel: CHANNEL, ts: controlsTs, reaction: 'x', userId: BOB }),
    );
    await h.fake.socket.sendEvent(
      h.fake.payloads.reactionAdded({ channel: CHANNEL, ts: controlsTs, reaction: 'x', userId: ALICE }),
    );
    const offer = await h.until(() =>
      h.fake.workspace
        .ephemerals(CHANNEL)
        .find((e) => blockText(e.blocks).includes('sora_delete') && blockText(e.blocks).includes(job.id)),
    );
    expect(offer.user).toBe(ALICE);
    expect(
      h.fake.workspace
        .ephemerals(CHANNEL)
        .filter((e) => e.user === BOB && blockText(e.blocks).includes(job.id)),
    ).toEqual([]);
    // Bob clicks the Delete button under the video: refused; Alice's click deletes.
    const click = (userId: string) =>
      h.fake.socket.sendInteractive(
        h.fake.payloads.blockActions({
          channel: CHANNEL,
          messageTs: controlsTs,
          userId,
          actions: [{ action_id: 'sora_delete', value: job.id }],
        }),
      );
    await click(BOB);
    await h.until(() =>
      h.fake.workspace.responseUrlPosts().some((p) => blockText(p.body).includes('Only the person who made')),
    );
    expect((await h.core.jobRecord(job.id))?.state).toBe('delivered');
    await click(ALICE);
    await h.waitFor(job.id, ['deleted']);
  });

  it('pages the list with its buttons', async () => {
    for (const prompt of ['a red kite', 'a blue kite', 'a green kite'])
      await h.command(prompt, { user: BOB }).ack;
    // All three jobs exist (the list then runs to a second page).
    await h.until(async () => {
      const prompts = (await h.jobsInChannel()).map((j) => j.prompt);
      return ['a red kite', 'a blue kite', 'a green kite'].every((p) => prompts.includes(p));
    });
    const { payload, ack } = h.command('list --all');
    await ack;
    await h.until(() => h.fake.workspace.responseUrlPosts(payload.response_url).length > 0);
    const first = h.fake.workspace.responseUrlPosts(payload.response_url)[0]?.body as { blocks: unknown };
    expect(blockText(first.blocks)).toContain('page 1 of 2');
    expect(blockText(first.blocks)).toContain('"value":"2:1"');
    const listMessage = h.fake.workspace.seedMessage({
      channel: CHANNEL,
      user: h.fake.options.botUserId,
      text: 'list',
    });
    const click = h.fake.payloads.blockActions({
      channel: CHANNEL,
      messageTs: listMessage.ts,
      ephemeral: true,
      actions: [{ action_id: 'sora_list_page', value: '2:1' }],
    });
    await h.fake.socket.sendInteractive(click);
    await h.until(() => h.fake.workspace.responseUrlPosts(click.response_url).length > 0);
    const second = h.fake.workspace.responseUrlPosts(click.response_url)[0]?.body as {
      replace_original: boolean;
      blocks: unknown;
    };
    expect(second.replace_original).toBe(true);
    expect(blockText(second.blocks)).toContain('page 2 of 2');
  });
});
