/**
 * First-run mistakes through the real `sora-bot start`: each is one line naming the variable and the
 * fix, exit 2, and nothing written to DATA_DIR. Then a good start: logs are JSON lines when stdout is
 * not a terminal.
 */
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lines, runCli, spawnCli } from './run-cli.js';

let cwd: string;
let held: Server;
let heldPort: number;

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'sora-cli-start-'));
  // A port this test holds for the whole file: the bot cannot have it, with no race about who binds first.
  held = createServer((_req, res) => res.end('someone else'));
  held.listen(0, '127.0.0.1');
  await once(held, 'listening');
  heldPort = (held.address() as AddressInfo).port;
});

afterAll(async () => {
  held?.close();
  rmSync(cwd, { recursive: true, force: true });
});

/** A DATA_DIR that does not exist yet, so "nothing written" means it still does not. */
const freshDataDir = (name: string) => join(cwd, `data-${name}`);

function expectOneLine(stderr: string, pattern: RegExp) {
  expect(lines(stderr), stderr).toHaveLength(1);
  expect(stderr).toMatch(pattern);
  expect(stderr).not.toMatch(/crashed|\n\s+at /);
}

describe.concurrent('sora-bot start refuses a first-run mistake in one line', () => {
  it('a taken PORT', async () => {
    const dataDir = freshDataDir('port');
    const run = await runCli(['start'], {
      cwd,
      env: { PORT: String(heldPort), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    });
    expect(run.code).toBe(2);
    expectOneLine(run.stderr, new RegExp(`^PORT ${heldPort} on 127\\.0\\.0\\.1 is already in use.*set PORT`));
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a DATA_DIR below a regular file', async () => {
    const file = join(cwd, 'file.txt');
    writeFileSync(file, 'not a folder');
    const run = await runCli(['start'], { cwd, env: { PORT: '0', DATA_DIR: join(file, 'sub') } });
    expect(run.code).toBe(2);
    expectOneLine(
      run.stderr,
      /^DATA_DIR=.*file\.txt\/sub cannot be created because .*file\.txt is a file.*set DATA_DIR/,
    );
  });

  // chmod does not stop root (CI containers often run as root): there the case above stands in for it.
  it.skipIf(process.getuid?.() === 0)(
    'a DATA_DIR this user may not write (skipped as root: chmod 500 does not stop root)',
    async () => {
      const locked = join(cwd, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      try {
        const run = await runCli(['start'], { cwd, env: { PORT: '0', DATA_DIR: locked } });
        expect(run.code).toBe(2);
        expectOneLine(run.stderr, /^DATA_DIR=.*locked is not writable: set DATA_DIR/);
        expect(readdirSync(locked)).toEqual([]);
      } finally {
        chmodSync(locked, 0o700);
      }
    },
  );

  it('an FFMPEG_PATH that is not there', async () => {
    const dataDir = freshDataDir('ffmpeg');
    const run = await runCli(['start'], {
      cwd,
      env: { PORT: '0', DATA_DIR: dataDir, FFMPEG_PATH: '/nonexistent/ffmpeg' },
    });
    expect(run.code).toBe(2);
    expectOneLine(run.stderr, /^FFMPEG_PATH=\/nonexistent\/ffmpeg is not an ffmpeg.*install ffmpeg/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a FONT_PATH that is not there', async () => {
    const dataDir = freshDataDir('font');
    const run = await runCli(['start'], {
      cwd,
      env: { PORT: '0', DATA_DIR: dataDir, FONT_PATH: '/nonexistent/font.ttf' },
    });
    expect(run.code).toBe(2);
    expectOneLine(run.stderr, /^FONT_PATH=\/nonexistent\/font\.ttf is not a font file: point it at a \.ttf/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('Slack credentials with no Sora provider', async () => {
    const dataDir = freshDataDir('slack');
    const run = await runCli(['start'], {
      cwd,
      env: { PORT: '0', DATA_DIR: dataDir, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' },
    });
    expect(run.code).toBe(2);
    expectOneLine(
      run.stderr,
      /^SORA_PROVIDER: expected a real provider for Slack.*AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY, or SORA_PROVIDER=emulator/,
    );
    expect(existsSync(dataDir)).toBe(false);
  });
});

it('starts, and writes its logs as JSON lines when stdout is not a terminal', async () => {
  const child = spawnCli(['start'], {
    cwd,
    env: { PORT: '0', DATA_DIR: freshDataDir('good'), LOG_LEVEL: 'info', SORA_EMULATOR_RENDER_MS: '200' },
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = once(child, 'exit');
  try {
    while (!stdout.includes('"msg":"sora-bot started"')) {
      if (child.exitCode !== null) throw new Error(`sora-bot exited early: ${stdout}`);
      await Promise.race([once(child.stdout, 'data'), exited]);
    }
    const logLines = lines(stdout).filter((line) => line.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(JSON.parse(line)).toMatchObject({ app: 'sora-bot' });
    expect(stdout).toContain('sora-bot is running');
  } finally {
    child.kill('SIGINT');
    await exited;
  }
  expect(child.exitCode).toBe(0);
});
