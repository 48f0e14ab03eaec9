/**
 * Bad usage and bad configuration: exit 2 and exactly one readable line on stderr, before any request
 * (none of these runs needs a provider, and none prints a stack trace).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidPng } from './fixtures.js';
import { lines, runCli } from './run-cli.js';

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'sora-cli-usage-'));
  await writeFile(join(cwd, 'notes.png'), 'this is text, not a picture');
  await writeFile(join(cwd, 'wide.png'), solidPng(1280, 720));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('sora-bot usage', () => {
  it('prints the usage for help and --help', async () => {
    for (const args of [['help'], ['--help']]) {
      const run = await runCli(args, { cwd });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Usage: sora-bot <command>');
      expect(run.stdout).toContain('video create --prompt TEXT');
      expect(run.stdout).toContain('usage [month|day|YYYY-MM] [--workspace PLATFORM:ID]');
    }
  });

  const cases: [string, string[], Record<string, string>, RegExp][] = [
    [
      'an unknown size',
      ['video', 'create', '--prompt', 'a fox', '--size', '999x999'],
      {},
      /--size 999x999 .*720x1280/,
    ],
    [
      'a 40,000-character prompt',
      ['video', 'create', '--prompt', 'a'.repeat(40_000)],
      {},
      /40000 characters; the limit is 32000/,
    ],
    [
      'an image that is not one',
      ['video', 'create', '--prompt', 'a fox', '--image', 'notes.png'],
      {},
      /not a JPEG, PNG or WebP/,
    ],
    [
      'an unknown way to fit the image',
      ['video', 'create', '--prompt', 'a fox', '--image', 'wide.png', '--fit', 'stretch'],
      {},
      /--fit must be cover/,
    ],
    [
      'an over-long remix prompt',
      ['video', 'remix', 'video_1', '--prompt', 'b'.repeat(32_001)],
      {},
      /32001 characters; the limit is 32000/,
    ],
    [
      'an unknown option',
      ['video', 'create', '--prompt', 'a fox', '--colour', 'red'],
      {},
      /Unknown option '--colour'/,
    ],
    ['an unknown command', ['frobnicate'], {}, /unknown command "frobnicate"/],
    [
      'an incomplete configuration',
      ['video', 'list'],
      { SORA_PROVIDER: 'azure' },
      /^AZURE_OPENAI_ENDPOINT: expected/,
    ],
  ];

  it.each(cases)('refuses %s with exit 2 and one line', async (_what, args, env, message) => {
    const run = await runCli(args, { cwd, env });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
