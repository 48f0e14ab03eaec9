/** `sora-bot --version` prints the version of package.json, through the real CLI entry. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { packageVersion } from '../../src/cli/version.js';
import { runCli } from './run-cli.js';

const cwd = mkdtempSync(join(tmpdir(), 'sora-cli-version-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

it('prints the package version and exits 0', async () => {
  const run = await runCli(['--version'], { cwd });
  expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
});

it('finds package.json from a build one folder deeper (dist/src/cli)', () => {
  const root = new URL('../..', import.meta.url).pathname;
  expect(packageVersion(join(root, 'dist', 'src', 'cli', 'main.js'))).toBe(version);
  expect(() => packageVersion('/nonexistent/deep/file.js')).toThrow(/no package.json of sora-bot/);
});
