/**
 * Slack for many workspaces, end to end: real Bolt in Socket Mode with OAuth installs, the real core
 * and SQLite store, the Sora emulator, and the fake Slack over HTTP (its authorize page and
 * oauth.v2.access). Two workspaces install through the browser flow (the install route, Slack's
 * page, the redirect with its cookie) and work side by side with the same channel and user ids; a bad
 * or replayed state is refused in plain words; tokens are never readable at rest or in the logs; an
 * uninstall cancels that workspace's queued job before it is sent and refunds it while the other
 * workspace goes on; a restart reads the installs back.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelScope } from '../../adapters/slack/conversation.js';
import type { Job } from '../../src/core/job.js';
import { type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { EMULATOR_API_KEY } from '../../src/sora/index.js';
import { type FakeSlack, type FakeTeam, startFakeSlack } from '../fakes/slack/index.js';
import { Gate, gatedProvider } from '../support/gates.js';
import { until } from '../support/until.js';
import { ADMIN, ALICE, ALL_SCOPES, BOB, CHANNEL, SlackHarness } from './slack-harness.js';

const TEAM_A = 'T0FAKETEAM1';
const TEAM_B = 'T0SECOND001';
const COOKIE = 'slack-app-oauth-state';

/** The emulator's own log: one `video created` line per create it received. */
class CreateLog {
  readonly created: string[] = [];
  debug() {}
  info(obj: object, msg?: string) {
    if (msg === 'video created') this.created.push(String((obj as { videoId?: string }).videoId));
  }
  warn() {}
  error() {}
}

let fake: FakeSlack;
let emulator: RunningEmulator;
const creates = new CreateLog();
const tokenKey = randomBytes(32).toString('base64');

function oauthEnv(): Record<string, string | undefined> {
  return {
    SLACK_BOT_TOKEN: undefined,
    SLACK_CLIENT_ID: fake.oauth.clientId,
    SLACK_CLIENT_SECRET: fake.oauth.clientSecret,
    SLACK_STATE_SECRET: 'state-secret-for-the-oauth-test',
    SLACK_TOKEN_KEY: tokenKey,
  };
}

beforeAll(async () => {
  fake = await startFakeSlack({
    scopes: ALL_SCOPES,
    users: [
      { id: ALICE, name: 'alice' },
      { id: BOB, name: 'bob' },
      { id: ADMIN, name: 'root', isAdmin: true, isOwner: true },
    ],
  });
  fake.oauth.addTeam({ teamId: TEAM_B, teamName: 'Second Workspace' });
  emulator = await startEmulator({ renderMs: 200, apiKey: EMULATOR_API_KEY, logger: creates });
});

afterAll(async () => {
  await fake?.close();
  await emulator?.close();
});

async function startBot(
  options: { dataDir?: string; gate?: Map<string, Gate>; maxConcurrent?: number; mode?: 'http' } = {},
) {
  const h = await SlackHarness.start({
    fake,
    emulator,
    env: oauthEnv(),
    ...(options.mode ? { mode: options.mode } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.gate ? { provider: (real) => gatedProvider(real, { beforeCreate: options.gate }) } : {}),
    settings: { maxConcurrent: options.maxConcurrent ?? 4 },
  });
  // The app's Redirect URL, as set in its OAuth & Permissions page.
  fake.oauth.setRedirectUrls([`${h.http.url}/slack/oauth_redirect`]);
  return h;
}

interface Callback {
  url: string;
  cookie: string;
}

/** The browser's way through an install up to the redirect back to the bot (not yet followed). */
async function authorizeIn(h: SlackHarness, team: string): Promise<Callback> {
  const install = await fetch(`${h.http.url}/slack/install`, { redirect: 'manual' });
  expect(install.status).toBe(302);
  const cookie = install.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`));
  expect(cookie).toBeTruthy();
  const authorize = new URL(install.headers.get('location') ?? '');
  // Straight to Slack's page (beside SLACK_API_URL), asking for exactly the manifest's scopes.
  expect(authorize.origin + authorize.pathname).toBe(`${fake.rootUrl}oauth/v2/authorize`);
  expect(authorize.searchParams.get('scope')?.split(',').sort()).toEqual([...ALL_SCOPES].sort());
  // The person picks the workspace and presses Allow.
  authorize.searchParams.set('team', team);
  const allowed = await fetch(authorize, { redirect: 'manual' });
  expect(allowed.status).toBe(302);
  return { url: allowed.headers.get('location') ?? '', cookie: cookie!.split(';')[0]! };
}

async function finish(callback: Callback): Promise<{ status: number; text: string }> {
  const response = await fetch(callback.url, { headers: { cookie: callback.cookie }, redirect: 'manual' });
  return { status: response.status, text: await response.text() };
}

async function install(h: SlackHarness, team: string): Promise<void> {
  const done = await finish(await authorizeIn(h, team));
  expect(done.status).toBe(200);
  expect(done.text).toContain('Sora is now installed');
}

/** `/sora TEXT` from a workspace; resolves with the new job once it exists. */
async function sora(h: SlackHarness, team: FakeTeam, text: string, user = ALICE): Promise<Job> {
  const payload = team.payloads.slashCommand({ text, userId: user, channelId: CHANNEL });
  await fake.socket.sendSlashCommand(payload);
  return until(
    async () =>
      (await h.core.channelJobs(channelScope(team.teamId, CHANNEL))).find((j) => j.request.prompt === text),
    () => `a job for "${text}" in ${team.teamId}`,
  );
}

/** `/sora list` from a workspace: the text it answered with. */
async function list(team: FakeTeam): Promise<string> {
  const payload = team.payloads.slashCommand({ text: 'list', userId: ALICE, channelId: CHANNEL });
  await fake.socket.sendSlashCommand(payload);
  const posts = await until(() => {
    const answered = fake.workspace.responseUrlPosts(payload.response_url);
    return answered.length > 0 && answered;
  });
  return JSON.stringify(posts.map((p) => p.body));
}

describe('Slack OAuth installs into many workspaces', () => {
  it('installs two workspaces side by side; each makes videos and lists only its own', async () => {
    const h = await startBot();
    try {
      await install(h, TEAM_A);
      await install(h, TEAM_B);
      const a = fake.oauth.team(TEAM_A);
      const b = fake.oauth.team(TEAM_B);
      expect(fake.oauth.tokensOf(TEAM_A)).toHaveLength(1);
      expect(fake.oauth.tokensOf(TEAM_B)).toHaveLength(1);

      // The same channel id and the same person in both: only the workspace tells them apart.
      const fox = await sora(h, a, 'a red fox running through snow');
      const heron = await sora(h, b, 'a heron standing in a misty river');
      await h.waitFor(fox.id, ['delivered']);
      await h.waitFor(heron.id, ['delivered']);
      expect(fox.requester.workspace).toBe(TEAM_A);
      expect(heron.requester.workspace).toBe(TEAM_B);

      // Each workspace's messages went to that workspace, with its own token.
      const textOf = (team: FakeTeam) => JSON.stringify(team.messages(CHANNEL));
      expect(textOf(a)).toContain('a red fox');
      expect(textOf(a)).not.toContain('a heron');
      expect(textOf(b)).toContain('a heron');
      expect(textOf(b)).not.toContain('a red fox');

      // A listener's own Web API call (the form `/sora` alone opens) goes out with its workspace's token.
      await fake.socket.sendSlashCommand(
        b.payloads.slashCommand({ text: '', userId: BOB, channelId: CHANNEL }),
      );
      await until(() => b.state.views.all().length === 1);
      expect(a.state.views.all()).toHaveLength(0);

      const listA = await list(a);
      const listB = await list(b);
      expect(listA).toContain(fox.id);
      expect(listA).not.toContain(heron.id);
      expect(listB).toContain(heron.id);
      expect(listB).not.toContain(fox.id);
      // No call was refused for a token: every one (but the code exchange, which authenticates with
      // the client secret) carried its workspace's live token.
      const tokenless = fake.calls().filter((c) => c.method !== 'oauth.v2.access' && c.tokenKind !== 'bot');
      expect(tokenless.map((c) => c.method)).toEqual(['apps.connections.open']);
    } finally {
      await h.close();
    }
  });

  it('refuses a replayed, forged or foreign state with a page that says so, and installs nothing', async () => {
    const h = await startBot();
    try {
      const callback = await authorizeIn(h, TEAM_B);
      expect((await finish(callback)).status).toBe(200);
      const okExchanges = fake.oauth.exchanges().filter((e) => e.ok).length;

      // The same redirect again, cookie and all (a reload, or someone who copied it).
      const replay = await finish(callback);
      expect(replay.status).toBe(400);
      expect(replay.text).toContain('This install link was already used');
      expect(replay.text).toContain('Nothing was installed');

      // A state the bot never issued, with a cookie to match.
      const forged = new URL((await authorizeIn(h, TEAM_B)).url);
      const state = `${forged.searchParams.get('state')?.split('.')[0]}.not-our-signature`;
      forged.searchParams.set('state', state);
      const refused = await finish({ url: forged.toString(), cookie: `${COOKIE}=${state}` });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('This install link is not valid');

      // A good state from another browser (no cookie of this install).
      const foreign = await authorizeIn(h, TEAM_B);
      const noCookie = await fetch(foreign.url, { redirect: 'manual' });
      expect(noCookie.status).toBe(400);
      expect(await noCookie.text()).toContain('not started in this browser');

      // None of them reached Slack's code exchange.
      expect(fake.oauth.exchanges().filter((e) => e.ok).length).toBe(okExchanges);
      expect(fake.calls('oauth.v2.access')).toHaveLength(okExchanges);
    } finally {
      await h.close();
    }
  });

  it('keeps the tokens out of the store file and the logs', async () => {
    const h = await startBot();
    await install(h, TEAM_A);
    await install(h, TEAM_B);
    await h.stop();
    try {
      const tokens = [...fake.oauth.tokensOf(TEAM_A), ...fake.oauth.tokensOf(TEAM_B)];
      expect(tokens).toHaveLength(2);
      // Every file of the ledger (the database and its write-ahead log) as bytes.
      const files = readdirSync(h.dataDir).filter((f) => f.startsWith('ledger.sqlite'));
      expect(files.length).toBeGreaterThan(0);
      const atRest = files.map((f) => readFileSync(join(h.dataDir, f)).toString('latin1')).join('');
      expect(atRest).toContain(TEAM_B);
      for (const token of tokens) {
        expect(atRest).not.toContain(token);
        expect(atRest).not.toContain(token.slice(-24));
        expect(h.logText()).not.toContain(token);
      }
      expect(h.logText()).not.toContain(fake.oauth.clientSecret);
    } finally {
      rmSync(h.dataDir, { recursive: true, force: true });
    }
  });

  it('on app_uninstalled cancels the queued job unsent and refunds it; the other workspace goes on', async () => {
    const holdHeron = new Gate();
    const heronPrompt = 'a heron taking off over reeds';
    const h = await startBot({ gate: new Map([[heronPrompt, holdHeron]]), maxConcurrent: 1 });
    try {
      await install(h, TEAM_A);
      await install(h, TEAM_B);
      const a = fake.oauth.team(TEAM_A);
      const b = fake.oauth.team(TEAM_B);
      const createsBefore = creates.created.length;

      // B's job takes the one slot and is held just before its create; A's waits in the queue.
      const heron = await sora(h, b, heronPrompt);
      await holdHeron.reached;
      const fox = await sora(h, a, 'a fox curled up asleep');
      await h.waitFor(fox.id, ['waiting']);
      expect(fox.cost?.micros).toBeGreaterThan(0);

      // Workspace A removes the app: Slack revokes its token and sends app_uninstalled.
      fake.oauth.revoke(TEAM_A);
      await fake.socket.sendEvent(fake.oauth.uninstalledEvent(TEAM_A));
      const cancelled = await h.waitFor(fox.id, ['deleted']);
      expect(cancelled.cancelledAt).not.toBeNull();
      expect(cancelled.submitStartedAt).toBeNull();
      expect(cancelled.providerVideoId).toBeNull();
      await until(async () => (await h.core.costOf(fox.id))?.outcome === 'refunded');
      expect(await h.store.get(`slack:installation:${TEAM_A}`)).toBeUndefined();

      // B goes on: its held render is created, delivered, and B can still ask for its list.
      holdHeron.open();
      await h.waitFor(heron.id, ['delivered']);
      expect(await list(b)).toContain(heron.id);
      // The emulator saw exactly one create: B's. A's job never reached it.
      expect(creates.created.length - createsBefore).toBe(1);
      const job = await h.core.jobRecord(heron.id);
      expect(creates.created.at(-1)).toBe(job?.providerVideoId);
      expect(JSON.stringify(a.messages(CHANNEL))).not.toContain(heronPrompt);
    } finally {
      holdHeron.open();
      await h.close();
    }
  });

  it('works in HTTP mode too: the install routes beside /slack/events, signed requests per workspace', async () => {
    const h = await startBot({ mode: 'http' });
    try {
      expect(h.adapter.mode).toBe('http');
      await install(h, TEAM_B);
      const b = fake.oauth.team(TEAM_B);
      const text = 'an owl gliding through a pine forest';
      const answer = await fake.http.sendSlashCommand(
        h.eventsUrl,
        b.payloads.slashCommand({ text, userId: ALICE, channelId: CHANNEL }),
      );
      expect(answer.status).toBe(200);
      const owl = await until(async () =>
        (await h.core.channelJobs(channelScope(TEAM_B, CHANNEL))).find((j) => j.request.prompt === text),
      );
      await h.waitFor(owl.id, ['delivered']);
      expect(JSON.stringify(b.messages(CHANNEL))).toContain('an owl gliding');
    } finally {
      await h.close();
    }
  });

  it('reads the installs back after a restart, and tokens_revoked removes one', async () => {
    const first = await startBot();
    await install(first, TEAM_B);
    await first.stop();
    const h = await startBot({ dataDir: first.dataDir });
    try {
      const b = fake.oauth.team(TEAM_B);
      const exchanges = fake.calls('oauth.v2.access').length;
      const fish = await sora(h, b, 'a koi fish in a pond at dusk');
      await h.waitFor(fish.id, ['delivered']);
      // No new install was needed.
      expect(fake.calls('oauth.v2.access')).toHaveLength(exchanges);

      fake.oauth.revoke(TEAM_B);
      await fake.socket.sendEvent(fake.oauth.tokensRevokedEvent(TEAM_B));
      await until(async () => (await h.store.get(`slack:installation:${TEAM_B}`)) === undefined);
    } finally {
      await h.close();
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  });
});
