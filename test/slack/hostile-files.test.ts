/**
 * People's files that would leak the bot token or exhaust the bot, end to end: real Bolt over Socket
 * Mode against the fake Slack, the core on the emulator, and a trap server on another origin that
 * records every request it gets. A file whose URL points off Slack, an external file, and a Slack file
 * that redirects off Slack never send the trap the token (nor anything at all); a body that never ends
 * is cut at the 20 MB cap while it streams; a server that stalls is cut by the idle timeout. Each time
 * the person hears one plain sentence and no job is made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTERNAL_FILE_TEXT } from '../../adapters/slack/slack-files.js';
import { SORA_2 } from '../../src/sora/capabilities.js';
import { solidPng } from '../cli/fixtures.js';
import { type DownloadBehaviour, PayloadBuilders } from '../fakes/slack/index.js';
import { ALICE, CHANNEL, SlackHarness } from './slack-harness.js';
import { startTrapServer, type TrapServer } from './trap-server.js';

const IDLE_MS = 300;
let h: SlackHarness;
let trap: TrapServer;

beforeAll(async () => {
  trap = await startTrapServer(solidPng(64, 64));
  h = await SlackHarness.start({ downloads: { idleTimeoutMs: IDLE_MS } });
});

afterAll(async () => {
  await h?.close();
  await trap?.close();
});

function seedPicture(name: string, extra: { serve?: DownloadBehaviour; external?: { url: string } } = {}) {
  return h.fake.workspace.seedFile({ name, bytes: solidPng(64, 64), user: ALICE, ...extra });
}

/** `@sora PROMPT` with `file` attached; resolves with the private answer in the mention's thread. */
async function mentionWith(file: Record<string, unknown>, prompt: string): Promise<string> {
  const mention = h.fake.payloads.appMention({ channel: CHANNEL, text: prompt, files: [file] });
  await h.fake.socket.sendEvent(mention);
  const answer = await h.until(
    () => h.fake.workspace.ephemerals(CHANNEL).find((e) => e.thread_ts === mention.event.ts),
    () => `no private answer to "${prompt}"`,
  );
  expect(answer.user).toBe(ALICE);
  return answer.text;
}

async function expectNoJob(prompt: string): Promise<void> {
  // The answer came after the core gave up; a job would have been posted before it.
  const posts = h.fake.calls('chat.postMessage').filter((c) => JSON.stringify(c.args).includes(prompt));
  expect(posts).toEqual([]);
  expect((await h.jobsInChannel()).filter((j) => j.prompt.includes(prompt))).toEqual([]);
}

function downloadsOf(file: Record<string, unknown>) {
  return h.fake.workspace.downloads().filter((d) => d.fileId === file.id);
}

async function closedDownload(file: Record<string, unknown>) {
  return h.until(
    () => {
      const served = downloadsOf(file).at(-1)?.served;
      return served?.closedAtMs !== undefined ? served : undefined;
    },
    () => `the download of ${String(file.name)} never closed`,
  );
}

describe('files that would carry the token off Slack', () => {
  it('refuses a file whose url_private points at another host, before any request', async () => {
    const file = {
      ...seedPicture('lure.png'),
      url_private: `${trap.url}/files-pri/T1-F1/lure.png`,
      url_private_download: `${trap.url}/files-pri/T1-F1/download/lure.png`,
    };
    const answer = await mentionWith(file, 'a lure on a foreign host');
    expect(answer).toContain(EXTERNAL_FILE_TEXT);
    expect(trap.requests).toEqual([]);
    expect(downloadsOf(file)).toEqual([]);
    await expectNoJob('a lure on a foreign host');
  });

  it('refuses an external file (is_external) from a mention and from the shortcut', async () => {
    const file = seedPicture('drive.png', { external: { url: `${trap.url}/uc?id=drive-file` } });
    expect(file).toMatchObject({ is_external: true, url_private: `${trap.url}/uc?id=drive-file` });
    expect(await mentionWith(file, 'a picture from the drive')).toContain(EXTERNAL_FILE_TEXT);

    const message = h.fake.workspace.seedMessage({
      channel: CHANNEL,
      user: ALICE,
      text: 'mine',
      files: [file],
    });
    const shortcut = h.fake.payloads.messageAction({
      channel: CHANNEL,
      messageTs: message.ts,
      callbackId: 'animate_with_sora',
    });
    const opens = h.fake.calls('views.open').length;
    await h.fake.socket.sendInteractive(shortcut);
    await h.until(() => h.fake.workspace.responseUrlPosts(shortcut.response_url).length > 0);
    const reply = h.fake.workspace.responseUrlPosts(shortcut.response_url)[0]?.body as { text: string };
    expect(reply.text).toContain(EXTERNAL_FILE_TEXT);
    // No form to fill in for a picture that will not be fetched.
    expect(h.fake.calls('views.open').length).toBe(opens);
    expect(trap.requests).toEqual([]);
    await expectNoJob('a picture from the drive');
  });

  it('shows the refusal next to the file field of the modal', async () => {
    await h.command('').ack;
    const open = await h.fake.waitForCall('views.open', (c) =>
      JSON.stringify(c.args.view).includes('Make a video'),
    );
    const file = seedPicture('remote.png', { external: { url: `${trap.url}/remote.png` } });
    const ack = await h.fake.socket.sendInteractive(
      h.fake.payloads.viewSubmission({
        viewId: String((open.response.view as { id: string }).id),
        values: {
          prompt: { value: { type: 'plain_text_input', value: 'a remote picture' } },
          image: { files: PayloadBuilders.fileInputValue([file]) },
        },
      }),
    );
    expect(ack.payload).toEqual({ response_action: 'errors', errors: { image: EXTERNAL_FILE_TEXT } });
    expect(trap.requests).toEqual([]);
  });

  it('follows no redirect off Slack: the token stays, the person hears the download failed', async () => {
    const file = seedPicture('bounce.png', {
      serve: { kind: 'redirect', location: `${trap.url}/stolen.png` },
    });
    const answer = await mentionWith(file, 'a bouncing picture');
    expect(answer).toContain('is stored outside Slack');
    expect(answer).toContain('bounce.png');
    // Slack's own host got the token (that is where it belongs); the trap got nothing at all.
    expect(downloadsOf(file)).toEqual([expect.objectContaining({ authorized: true })]);
    expect(trap.requests).toEqual([]);
    await expectNoJob('a bouncing picture');
    expect(h.logText()).not.toContain(h.fake.options.botToken);
  });
});

describe('files that would exhaust the bot', () => {
  it(`cuts a body past ${SORA_2.maxImageBytes / 1024 / 1024} MB while it streams (no content-length)`, async () => {
    const file = seedPicture('endless.png', { serve: { kind: 'endless' } });
    const started = Date.now();
    const answer = await mentionWith(file, 'an endless picture');
    expect(answer).toContain('is over the 20 MB limit for pictures');
    const served = await closedDownload(file);
    expect(served.abortedByClient).toBe(true);
    // The cap, plus what was in flight in the socket buffers when the bot hung up.
    expect(served.bytesSent).toBeGreaterThan(SORA_2.maxImageBytes);
    expect(served.bytesSent).toBeLessThan(SORA_2.maxImageBytes + 16 * 1024 * 1024);
    expect(Date.now() - started).toBeLessThan(10_000);
    await expectNoJob('an endless picture');
  });

  it('cuts a server that stalls mid-body after the idle timeout', async () => {
    const file = seedPicture('stalled.png', { serve: { kind: 'stall', afterBytes: 4096 } });
    const started = Date.now();
    const answer = await mentionWith(file, 'a stalled picture');
    expect(answer).toContain('stopped arriving from Slack');
    const served = await closedDownload(file);
    expect(served.abortedByClient).toBe(true);
    expect(served.closedAtMs! - started).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(Date.now() - started).toBeLessThan(10_000);
    await expectNoJob('a stalled picture');
  });

  it('still makes the video from a good picture afterwards', async () => {
    const file = h.fake.workspace.seedFile({ name: 'good.png', bytes: solidPng(720, 1280, [10, 90, 200]) });
    const mention = h.fake.payloads.appMention({
      channel: CHANNEL,
      text: 'a good picture --portrait',
      files: [file],
    });
    await h.fake.socket.sendEvent(mention);
    const post = await h.fake.waitForCall('chat.postMessage', (c) =>
      JSON.stringify(c.args.blocks ?? []).includes('a good picture'),
    );
    const job = await h.jobByParent(String(post.response.ts));
    expect(job.request.imagePath).not.toBeNull();
    await h.waitFor(job.id, ['delivered']);
  });
});
