/**
 * The guarded download of people's files, over real sockets: the fake Slack (allowed through
 * SLACK_API_URL, as in every Slack test) and a trap server on another origin. The token goes to no
 * host off the list, on the first request or after a redirect; a body past the cap is cut while it
 * streams; a server that stalls is cut by the idle timeout. The same paths through Bolt are in
 * hostile-files.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileDownloadError, SlackFileDownloader } from '../../adapters/slack/file-download.js';
import { FileHostPolicy } from '../../adapters/slack/file-hosts.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack/index.js';
import { until } from '../support/until.js';
import { RecordingLogger } from './slack-harness.js';
import { startTrapServer, type TrapServer } from './trap-server.js';

let fake: FakeSlack;
let trap: TrapServer;
let logger: RecordingLogger;
let downloader: SlackFileDownloader;

beforeAll(async () => {
  fake = await startFakeSlack();
  trap = await startTrapServer();
  logger = new RecordingLogger();
  downloader = new SlackFileDownloader({
    botToken: fake.options.botToken,
    policy: new FileHostPolicy({ slackApiUrl: fake.apiUrl }),
    limits: { idleTimeoutMs: 300, maxBytes: 1024 * 1024 },
    logger,
  });
});

afterAll(async () => {
  await downloader?.close();
  await trap?.close();
  await fake?.close();
});

async function failure(url: string): Promise<FileDownloadError> {
  const error = await downloader.download(url).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FileDownloadError);
  return error as FileDownloadError;
}

function seed(serve?: Parameters<FakeSlack['workspace']['seedFile']>[0]['serve']) {
  const file = fake.workspace.seedFile({
    name: 'p.png',
    bytes: Buffer.from('png bytes'),
    ...(serve ? { serve } : {}),
  });
  return { id: String(file.id), url: String(file.url_private_download) };
}

function downloadsOf(fileId: string) {
  return fake.workspace.downloads().filter((d) => d.fileId === fileId);
}

describe('FileHostPolicy', () => {
  const policy = new FileHostPolicy({ slackApiUrl: 'http://127.0.0.1:4545/api/' });

  it("allows https to Slack's file hosts and the SLACK_API_URL origin", () => {
    for (const url of [
      'https://files.slack.com/files-pri/T1-F1/download/a.png',
      'https://files-origin.slack.com/files-pri/T1-F1/a.png',
      'https://FILES.SLACK.COM/files-pri/T1-F1/a.png',
      'https://files.slack-gov.com/files-pri/T1-F1/a.png',
      'http://127.0.0.1:4545/files-pri/T1-F1/a.png',
    ])
      expect(policy.mayCarryToken(url), url).toBe(true);
  });

  it('refuses every other host, scheme, port and look-alike', () => {
    for (const url of [
      'http://files.slack.com/files-pri/T1-F1/a.png',
      'https://files.slack.com:8443/a.png',
      'https://files.slack.com.evil.example/a.png',
      'https://evil.example/files.slack.com/a.png',
      'https://evil.example/?u=https://files.slack.com/',
      'https://files.slack.com@evil.example/a.png',
      'https://user:pw@files.slack.com/a.png',
      'https://slack.com/a.png',
      'https://docs.google.com/uc?id=1',
      'http://127.0.0.1:4546/files-pri/T1-F1/a.png',
      'https://127.0.0.1:4545/files-pri/T1-F1/a.png',
      'not a url',
    ])
      expect(policy.mayCarryToken(url), url).toBe(false);
  });

  it('without SLACK_API_URL, only the file hosts', () => {
    expect(new FileHostPolicy().mayCarryToken('http://127.0.0.1:4545/a.png')).toBe(false);
    expect(new FileHostPolicy().mayCarryToken('https://files.slack.com/a.png')).toBe(true);
  });
});

describe('SlackFileDownloader', () => {
  it('downloads from the fake Slack with the token, following a redirect on the allowed origin', async () => {
    const target = seed();
    const hop = seed({ kind: 'redirect', location: target.url });
    const bytes = await downloader.download(hop.url);
    expect(Buffer.from(bytes).toString()).toBe('png bytes');
    expect(downloadsOf(hop.id)).toEqual([expect.objectContaining({ authorized: true })]);
    expect(downloadsOf(target.id)).toEqual([expect.objectContaining({ authorized: true })]);
  });

  it('sends nothing to a foreign host, first hop or redirect', async () => {
    expect((await failure(`${trap.url}/files-pri/T1-F1/a.png`)).code).toBe('foreign_host');
    const hop = seed({ kind: 'redirect', location: `${trap.url}/stolen.png` });
    expect((await failure(hop.url)).code).toBe('foreign_host');
    expect(downloadsOf(hop.id)).toEqual([expect.objectContaining({ authorized: true })]);
    expect(trap.requests).toEqual([]);
    expect(logger.lines.join('\n')).not.toContain(fake.options.botToken);
  });

  it('gives up after more than three redirects', async () => {
    // f4 -> f3 -> f2 -> f1 -> the bytes: four redirects.
    let next = seed();
    for (let i = 0; i < 4; i++) next = seed({ kind: 'redirect', location: next.url });
    expect((await failure(next.url)).code).toBe('too_many_redirects');
  });

  it('cuts a body that passes the cap while it streams, whatever the headers said', async () => {
    const endless = seed({ kind: 'endless', chunkBytes: 16 * 1024 });
    const started = Date.now();
    expect((await failure(endless.url)).code).toBe('too_large');
    const served = await waitForClose(endless.id);
    expect(served.abortedByClient).toBe(true);
    // Sent: the cap, plus what was in flight in the socket buffers when the client hung up.
    expect(served.bytesSent).toBeGreaterThan(1024 * 1024);
    expect(served.bytesSent).toBeLessThan(1024 * 1024 + 16 * 1024 * 1024);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('cuts a server that stalls mid-body after the idle timeout', async () => {
    const stall = seed({ kind: 'stall', afterBytes: 1000 });
    const started = Date.now();
    expect((await failure(stall.url)).code).toBe('timeout');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5_000);
    expect((await waitForClose(stall.id)).abortedByClient).toBe(true);
  });

  it("treats Slack's HTML sign-in page as a failure", async () => {
    const wrongToken = new SlackFileDownloader({
      botToken: 'xoxb-wrong',
      policy: new FileHostPolicy({ slackApiUrl: fake.apiUrl }),
      logger,
    });
    const file = seed();
    await expect(wrongToken.download(file.url)).rejects.toMatchObject({ code: 'refused' });
    await wrongToken.close();
  });
});

/** Until the fake saw the download close (no stopwatch: the test's timeout is the limit). */
async function waitForClose(fileId: string) {
  return until(
    () => downloadsOf(fileId).at(-1)?.served?.closedAtMs !== undefined && downloadsOf(fileId).at(-1)!.served,
  );
}
