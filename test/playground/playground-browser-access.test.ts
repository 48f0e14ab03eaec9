/**
 * The playground's access rules in a real headless Chromium (/usr/bin/chromium through
 * playwright-core), with names resolved to 127.0.0.1 by the browser itself (--host-resolver-rules):
 * - DNS rebinding: a page of evil.example, whose name now points at this machine, calls the
 *   playground on its port: every call is refused, nothing is created;
 * - another site's page posting to 127.0.0.1: refused by its Origin, nothing is created;
 * - PLAYGROUND_TOKEN: the token link opens the page, the token leaves the address bar, the cookie is
 *   HttpOnly and SameSite=Strict and carries the next visits; a browser without it gets the plain line.
 */
import { rm } from 'node:fs/promises';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/app.js';
import { CHROMIUM_PATH, chromium as chromiumService, skipWithout } from '../support/services.js';
import { newDataDir, RoomStream, startTestBot } from './playground-client.js';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // What a rebinding attacker's DNS (or a LAN's) does: these names lead to this machine.
  '--host-resolver-rules=MAP sora.lan 127.0.0.1, MAP evil.example 127.0.0.1',
  // Recent Chromium also blocks a public page's calls to loopback (Private Network Access); Firefox,
  // Safari and older browsers do not, and the playground must hold on its own: off here.
  '--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessRespectPreflightResults,BlockInsecurePrivateNetworkRequests',
];
const WAIT = { timeout: 15_000 };
const TOKEN = 'browser-token-0123456789abcdef';

interface AttackGlobals {
  attack: Promise<unknown[]>;
  document: { cookie: string };
}

/** The attacker's page: same-origin calls (its name now resolves to 127.0.0.1) and a cross-site one. */
function attackerPage(crossSiteTarget: string): string {
  const body = JSON.stringify({ text: 'an expensive video', name: 'Mallory', clientId: 'attack-0000000001' });
  return `<!doctype html><script>
window.attack = Promise.all([
  fetch('/playground/rooms').then(function (r) { return r.status; }, function () { return 'blocked'; }),
  fetch('/playground/rooms/lobby/commands', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: ${JSON.stringify(body)} }).then(function (r) { return r.status; }, function () { return 'blocked'; }),
  fetch('/').then(function (r) { return r.text(); }, function () { return 'blocked'; }),
  fetch(${JSON.stringify(crossSiteTarget)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' },
    body: ${JSON.stringify(body)} }).then(function (r) { return r.type; }, function () { return 'blocked'; }),
]);
</script>`;
}

async function roomHistory(bot: RunningBot, room: string) {
  const stream = await RoomStream.open(bot.url, room);
  try {
    return await stream.waitFor(
      (s) => (s.events.some((e) => e.event === 'history') ? s.entries() : undefined),
      'history',
    );
  } finally {
    stream.close();
  }
}

describe.skipIf(skipWithout(chromiumService))('playground access in a real browser', () => {
  let dataDir: string;
  let tokenDir: string;
  let open: RunningBot;
  let locked: RunningBot;
  let browser: Browser;

  beforeAll(async () => {
    dataDir = await newDataDir();
    tokenDir = await newDataDir();
    // The Docker default: every interface, no token (published on the host's loopback only).
    open = await startTestBot(dataDir, 300, { HOST: '0.0.0.0' });
    locked = await startTestBot(tokenDir, 300, { PLAYGROUND_HOSTS: 'sora.lan', PLAYGROUND_TOKEN: TOKEN });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await open?.close();
    await locked?.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(tokenDir, { recursive: true, force: true });
  });

  it('refuses a rebinding page and a cross-site post: nothing is read, nothing is created', async () => {
    const port = new URL(open.url).port;
    const page = await browser.newPage();
    const attackUrl = `http://evil.example:${port}/attack.html`;
    // The attacker's server served this page before its name was pointed at 127.0.0.1.
    await page.route(attackUrl, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: attackerPage(`http://127.0.0.1:${port}/playground/rooms/lobby/commands`),
      }),
    );
    await page.goto(attackUrl);
    const [rooms, command, pageText, crossSite] = await page.evaluate(
      () => (globalThis as unknown as AttackGlobals).attack,
    );
    expect(rooms).toBe(403);
    expect(command).toBe(403);
    expect(pageText).toMatch(/^This playground answers only to .*PLAYGROUND_HOSTS/);
    expect(['opaque', 'blocked']).toContain(crossSite);
    await page.close();
    expect(await roomHistory(open, 'lobby')).toEqual([]);
    // The person's own page, by this machine's name, still works.
    const own = await browser.newPage();
    await own.goto(`http://localhost:${port}/`);
    await expect.poll(() => own.textContent('#connection'), WAIT).toBe('live');
    await own.close();
  });

  it('opens with the token link, forgets it in the address bar, and keeps it in an HttpOnly cookie', async () => {
    const port = new URL(locked.url).port;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://sora.lan:${port}/?token=${TOKEN}#studio`);
    await expect.poll(() => page.textContent('#connection'), WAIT).toBe('live');
    expect(page.url()).toBe(`http://sora.lan:${port}/#studio`);
    expect(await page.evaluate(() => (globalThis as unknown as AttackGlobals).document.cookie)).toBe('');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', value: TOKEN, domain: 'sora.lan' });

    await page.fill('#name', 'Ann');
    await page.fill('#command', '/sora help');
    await page.press('#command', 'Enter');
    await page.waitForSelector('li.msg.private', WAIT);

    // The next visit needs no token in the link.
    await page.goto(`http://sora.lan:${port}/`);
    await expect.poll(() => page.textContent('#connection'), WAIT).toBe('live');
    await context.close();

    // A browser that never had the token gets the plain line.
    const stranger = await browser.newPage();
    const refused = await stranger.goto(`http://sora.lan:${port}/`);
    expect(refused?.status()).toBe(401);
    expect(await stranger.textContent('body')).toContain('PLAYGROUND_TOKEN');
    await stranger.close();
  });
});
