/**
 * The playground end to end in a real headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core): type a command with an image attached, watch the progress bar move, play the
 * finished MP4 inline, remix it, delete it. Prompts are data: markup in a prompt stays text. The
 * composer's cost estimate follows the length, an approval card is answered with its buttons, and the
 * usage chart shows inline.
 */
import { rm } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/app.js';
import { makeImage } from '../media/image-fixtures.js';
import { CHROMIUM_PATH, chromium as chromiumService, skipWithout } from '../support/services.js';
import { newDataDir, probeMp4, startTestBot } from './playground-client.js';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** A bound for waiting on the page (not a timing assertion): generous for a shared 2-core machine. */
const WAIT = { timeout: 15_000 };
const PROMPT = 'a red fox <b>running</b> through snow';

interface MediaFacts {
  width: number;
  height: number;
  duration: number;
  error: number | null;
}

/**
 * The few browser globals the in-page functions below use. The project compiles without the DOM
 * library (it is a Node program), so they are declared here instead of pulling DOM types in globally.
 */
interface VideoLike {
  videoWidth: number;
  videoHeight: number;
  duration: number;
  readyState: number;
  error: { code: number } | null;
  addEventListener(type: string, listener: () => void, options?: { once: boolean }): void;
}
interface NodeLike {
  dataset: Record<string, string | undefined>;
}
interface ImageLike {
  naturalWidth: number;
  complete: boolean;
}
interface PageGlobals {
  document: {
    querySelector(selector: string): unknown;
    querySelectorAll(selector: string): Iterable<NodeLike>;
    getElementById(id: string): unknown;
  };
  localStorage: { getItem(key: string): string | null };
  location: { hash: string };
  MutationObserver: new (
    callback: () => void,
  ) => { observe(target: unknown, options: { childList: boolean; subtree: boolean }): void };
  seen?: string[];
}

/** Waits until the <video> matched by `selector` has its metadata (or failed), in the page. */
function videoFacts(page: Page, selector: string): Promise<MediaFacts> {
  return page.evaluate(
    (sel) =>
      new Promise<MediaFacts>((resolve) => {
        const video = (globalThis as unknown as PageGlobals).document.querySelector(sel) as VideoLike;
        const done = () =>
          resolve({
            width: video.videoWidth,
            height: video.videoHeight,
            duration: video.duration,
            error: video.error ? video.error.code : null,
          });
        if (video.readyState >= 1 || video.error) done();
        else {
          video.addEventListener('loadedmetadata', done, { once: true });
          video.addEventListener('error', done, { once: true });
        }
      }),
    selector,
  );
}

describe.skipIf(skipWithout(chromiumService))('playground in a real browser', () => {
  let dataDir: string;
  let bot: RunningBot;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dataDir = await newDataDir();
    // Long enough that the status message shows several progress values on the way.
    bot = await startTestBot(dataDir, 2_000, {
      // Every 4 s sora-2 video ($0.40) stays under the line; the cost test's 8 s one waits for Boss.
      SORA_APPROVAL_ABOVE: '0.50',
      SORA_ADMINS: 'playground:boss',
      // Cy queues six videos at once to get two list pages; the default cap is five unfinished.
      SORA_MAX_PENDING_PER_USER: '10',
    });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await bot?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('makes a video from a command and an image, plays it, remixes it and deletes it', async () => {
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content.Security.Policy/i.test(message.text()))
        pageErrors.push(message.text());
    });
    await page.goto(`${bot.url}/#studio`);
    await expect.poll(() => page.textContent('#connection'), WAIT).toBe('live');
    expect(await page.textContent('#room-title')).toBe('# studio');
    await page.fill('#name', 'Ann');
    await page.dispatchEvent('#name', 'change');
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as PageGlobals).localStorage.getItem('sora-playground-name'),
      ),
    ).toBe('Ann');

    // A usage problem is shown to this person only, in their page.
    await page.fill('#command', '/sora a fox --seconds 5');
    await page.press('#command', 'Enter');
    await page.waitForSelector('li.msg.private');
    expect(await page.textContent('li.msg.private')).toContain('Only you can see this');

    // Record every phase and progress value the status message shows, as the page renders them.
    await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      const seen: string[] = [];
      g.seen = seen;
      new g.MutationObserver(() => {
        for (const node of g.document.querySelectorAll('li.msg-status')) {
          const value = `${node.dataset.phase}:${node.dataset.progress}`;
          if (seen[seen.length - 1] !== value) seen.push(value);
        }
      }).observe(g.document.getElementById('log'), { childList: true, subtree: true });
    });

    await page.setInputFiles('#image', {
      name: 'fox.png',
      mimeType: 'image/png',
      buffer: Buffer.from(await makeImage('png', 640, 480)),
    });
    await page.waitForSelector('#attachment:not([hidden])');
    await page.fill('#command', `/sora ${PROMPT} --landscape`);
    await page.press('#command', 'Enter');
    await page.waitForSelector('#attachment', { state: 'hidden' });

    const firstVideo = 'li.msg-result video';
    await page.waitForSelector('li.msg-result video', { timeout: 30_000 });
    await page.waitForSelector('li.msg-status[data-phase="done"]');
    const seen = (await page.evaluate(() => (globalThis as unknown as PageGlobals).seen)) ?? [];
    const phases = [...new Set(seen.map((s) => s.split(':')[0]))];
    expect(phases[0]).toBe('queued');
    expect(phases).toContain('rendering');
    expect(phases[phases.length - 1]).toBe('done');
    const renderingValues = new Set(seen.filter((s) => s.startsWith('rendering:')));
    expect(renderingValues.size).toBeGreaterThanOrEqual(2);

    // The prompt's markup is text: no <b> element anywhere in the messages.
    const result = page.locator('li.msg-result').first();
    expect(await result.locator('.title').textContent()).toContain(PROMPT);
    expect(await page.locator('#log b').count()).toBe(0);
    expect(await result.locator('.meta').textContent()).toContain('from an image');
    const jobId = await result.getAttribute('data-job');
    expect(jobId).toMatch(/^[2-9a-z]{6}$/);

    const src = await page.getAttribute(firstVideo, 'src');
    expect(src).toBe(`/playground/media/${jobId}/video`);
    expect(await page.getAttribute(firstVideo, 'poster')).toBe(`/playground/media/${jobId}/thumbnail`);
    const facts = await videoFacts(page, firstVideo);
    if (facts.error === null) {
      expect(facts.width).toBe(1280);
      expect(facts.height).toBe(720);
      expect(facts.duration).toBeCloseTo(4, 0);
    } else {
      // A Chromium without H.264 (no proprietary codecs): check the served bytes instead.
      console.warn(`Chromium could not decode the MP4 (MediaError ${facts.error}); checked with mp4box`);
      const bytes = new Uint8Array(await (await fetch(`${bot.url}${src}`)).arrayBuffer());
      const mp4 = probeMp4(bytes);
      expect([mp4.width, mp4.height]).toEqual([1280, 720]);
      expect(mp4.durationSeconds).toBeCloseTo(4, 0);
    }

    // Remix: an inline form under the video, a second video marked as a remix.
    await result.locator('button.action-remix').click();
    await result.locator('.remix-form input').fill('make it night time');
    await result.locator('.remix-form input').press('Enter');
    const remix = page.locator('li.msg-result', { has: page.locator('.remix-badge') });
    await remix.locator('video').waitFor({ timeout: 30_000 });
    expect(await remix.locator('.remix-badge').textContent()).toBe(`Remix of ${jobId}`);
    expect(await remix.locator('.title').textContent()).toContain('make it night time');
    expect(await page.locator('li.msg-result video').count()).toBe(2);

    // Delete: the first video's message becomes the deleted notice; the reply is private.
    // The ref is read before the click: once the message turns into the notice, `result` (the first
    // result in the room) is the remix's message.
    const ref = await result.getAttribute('data-ref');
    const replaced = page.locator(`li.msg[data-ref="${ref}"]`);
    await replaced.locator('button.action-delete').click();
    await expect.poll(() => replaced.getAttribute('class'), WAIT).toContain('msg-notice');
    expect(await replaced.textContent()).toContain(`Video ${jobId} was deleted by Ann.`);
    expect(await replaced.locator('video').count()).toBe(0);
    expect(await page.locator('li.msg-result video').count()).toBe(1);
    await expect
      .poll(() => page.locator('li.msg.private').last().textContent(), WAIT)
      .toContain(`Deleted ${jobId}.`);
    const gone = await fetch(`${bot.url}/playground/media/${jobId}/video`);
    expect(gone.status).toBe(404);
    await gone.arrayBuffer();

    // The room is in the list and a reload shows the same room from history.
    expect(await page.locator('#room-list a[aria-current="page"]').textContent()).toBe('# studio');
    await page.reload();
    await page.waitForSelector('li.msg-result video');
    expect(await page.locator('li.msg-result video').count()).toBe(1);
    expect(await page.locator('li.msg.private').count()).toBe(0);

    // List pages: the private list reply has Next; its button runs `list --page 2`.
    await page.fill('#name', 'Cy');
    await page.dispatchEvent('#name', 'change');
    for (let i = 1; i <= 6; i++) {
      await page.fill('#command', `clip ${i} [emulator:fail]`);
      await page.press('#command', 'Enter');
      await expect.poll(() => page.inputValue('#command'), WAIT).toBe('');
    }
    await page.fill('#command', '/sora list');
    await page.press('#command', 'Enter');
    const firstPage = page.locator('li.msg-list.private', { hasText: 'page 1 of 2' });
    await firstPage.locator('button.action-list-page', { hasText: 'Next' }).click();
    const secondPage = page.locator('li.msg-list.private', { hasText: 'page 2 of 2' });
    await secondPage.waitFor();
    expect(await secondPage.locator('button.action-list-page').textContent()).toBe('Previous');

    // A new room from the sidebar: its id goes into the URL hash and the page switches to it.
    await page.fill('#new-room-name', 'Team Videos');
    await page.press('#new-room-name', 'Enter');
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as PageGlobals).location.hash), WAIT)
      .toBe('#team-videos');
    await expect.poll(() => page.textContent('#room-title'), WAIT).toBe('# team-videos');
    await page.waitForSelector('#log li.empty');
    await expect
      .poll(() => page.locator('#room-list a').allTextContents(), WAIT)
      .toEqual(['# lobby', '# studio', '# team-videos']);
    expect(pageErrors).toEqual([]);
  });
  it('shows the cost as the options change, and answers approvals and usage from the page', async () => {
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${bot.url}/#costs`);
    await expect.poll(() => page.textContent('#connection'), WAIT).toBe('live');
    await page.fill('#name', 'Ann');
    await page.dispatchEvent('#name', 'change');
    await page.waitForSelector('#create-options:not([hidden])');
    await expect
      .poll(() => page.textContent('#estimate'), WAIT)
      .toBe('about $0.40 · 4 s · 720x1280 · sora-2');

    // The length changes the estimate, from the select and from a flag typed in the command.
    await page.selectOption('#opt-seconds', '8');
    await expect
      .poll(() => page.textContent('#estimate'), WAIT)
      .toBe('about $0.80 · 8 s · 720x1280 · sora-2');
    await page.fill('#command', 'a lighthouse in a storm --seconds 12 --landscape');
    await expect
      .poll(() => page.textContent('#estimate'), WAIT)
      .toBe('about $1.20 · 12 s · 1280x720 · sora-2');
    expect(await page.isDisabled('#opt-seconds')).toBe(true);
    await page.fill('#command', 'list');
    await expect.poll(() => page.textContent('#estimate'), WAIT).toBe('');
    // The bot's grammar reads the text, not the page: a prompt that begins with a command word is priced.
    await page.fill('#command', 'help me fly over a city');
    await expect
      .poll(() => page.textContent('#estimate'), WAIT)
      .toBe('about $0.80 · 8 s · 720x1280 · sora-2');
    expect(await page.isDisabled('#opt-seconds')).toBe(false);

    // A prompt gets the selected 8 s, which is above the approval line: the card has the buttons.
    await page.fill('#command', 'a lighthouse in a storm');
    await expect
      .poll(() => page.textContent('#estimate'), WAIT)
      .toBe('about $0.80 · 8 s · 720x1280 · sora-2');
    await page.press('#command', 'Enter');
    const card = page.locator('li.msg-status[data-phase="approval"]');
    await card.waitFor(WAIT);
    expect(await card.locator('.meta').textContent()).toContain('8s · 720x1280 · sora-2 · about $0.80');
    expect(await card.locator('progress').count()).toBe(0);
    const jobId = await card.getAttribute('data-job');
    await card.locator('button.action-approve').click();
    await expect
      .poll(() => page.locator('li.msg.private').last().textContent(), WAIT)
      .toContain('Only admins can approve or deny videos.');
    await page.fill('#name', 'Boss');
    await page.dispatchEvent('#name', 'change');
    await card.locator('button.action-approve').click();
    await expect
      .poll(() => page.locator('li.msg.private').last().textContent(), WAIT)
      .toContain(`Approved: video ${jobId} is in the queue.`);
    // The card becomes the usual status message (the queue sends it at SORA_RPM's pace).
    const status = page.locator(`li.msg-status[data-job="${jobId}"]`);
    await expect.poll(() => status.getAttribute('data-phase'), WAIT).not.toBe('approval');
    // Approve and Deny are gone (Cancel stays while the job waits or renders).
    expect(await status.locator('button.action-approve, button.action-deny').count()).toBe(0);

    // Usage: private, with the chart drawn inline from its data: URL (the CSP allows data: images).
    await page.fill('#command', '/sora usage');
    await page.press('#command', 'Enter');
    const usage = page.locator('li.msg-usage.private');
    await usage.waitFor(WAIT);
    // The workspace's month: this test's video and the first test's (Boss is an admin).
    expect(await usage.locator('.lines').textContent()).toMatch(/^Total: \$\d+\.\d\d · \d+ videos/);
    expect(await usage.locator('.lines').textContent()).toMatch(/Per person: .*Ann \$/);
    const chart = usage.locator('img.usage-chart');
    expect(await chart.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await expect
      .poll(
        () =>
          chart.evaluate((img) =>
            (img as unknown as ImageLike).complete ? (img as unknown as ImageLike).naturalWidth : 0,
          ),
        WAIT,
      )
      .toBeGreaterThan(100);
    expect(pageErrors).toEqual([]);
  });
});
