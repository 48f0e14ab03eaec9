/**
 * `.env.example` is copied to `.env` by people following the README, and handed to `docker run
 * --env-file`. A copy must change no default: every variable in it stays commented out, so neither the
 * bot's own loader (`loadDotEnv`, what `sora-bot start` runs) nor Docker's env-file reader sets
 * anything, and the image's ENV (HOST=0.0.0.0, DATA_DIR=/data) stays what the bot uses.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvSchema, loadDotEnv, parseConfig } from '../../src/config.js';
import { readDockerEnvFile } from './docker-env-file.js';
import { readDockerfile, runtimeStage, stageEnv } from './dockerfile.js';

const EXAMPLE_PATH = fileURLToPath(new URL('../../.env.example', import.meta.url));
const example = readFileSync(EXAMPLE_PATH, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'sora-env-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * What `loadDotEnv(path)` puts into an environment that starts empty. It writes to process.env (Node's
 * process.loadEnvFile), and keeps a variable that is already set, so the test's own environment is
 * set aside for the call (synchronous: nothing else runs meanwhile) and put back after.
 */
function loadLikeTheBot(path: string): NodeJS.ProcessEnv {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) delete process.env[name];
  try {
    loadDotEnv(path);
    return { ...process.env };
  } finally {
    for (const name of Object.keys(process.env)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

function copyOfExample(name: string, edit: (text: string) => string = (text) => text): string {
  const path = join(dir, name);
  copyFileSync(EXAMPLE_PATH, path);
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
  return path;
}

/** The variable lines, `# NAME=` (commented out) or `NAME=...` (set). */
function variableLines(text: string): { name: string; commented: boolean; index: number }[] {
  return text.split('\n').flatMap((line, index) => {
    const match = /^(# )?([A-Z][A-Z0-9_]*)=/.exec(line);
    return match ? [{ name: match[2]!, commented: match[1] !== undefined, index }] : [];
  });
}

describe('.env.example', () => {
  it('copied to .env, sets nothing, so the configuration is the one of an empty environment', () => {
    const loaded = loadLikeTheBot(copyOfExample('.env'));
    expect(loaded).toEqual({});
    expect(parseConfig(loaded)).toEqual(parseConfig({}));
  });

  it('is read by that loader: a line taken out of its comment changes the configuration', () => {
    // The check above cannot pass by reading nothing: the same copy with one line uncommented does change it.
    const loaded = loadLikeTheBot(copyOfExample('.env.port', (text) => text.replace('# PORT=', 'PORT=4123')));
    expect(loaded).toEqual({ PORT: '4123' });
    expect(parseConfig(loaded).PORT).toBe(4123);
  });

  it('given to docker run --env-file, overrides none of the image ENV the bot reads', () => {
    const imageEnv = stageEnv(runtimeStage(readDockerfile()));
    expect(imageEnv).toMatchObject({ HOST: '0.0.0.0', DATA_DIR: '/data' });
    const fromFile = readDockerEnvFile(example, { HOST: '10.1.2.3', PORT: '1' });
    expect(fromFile).toEqual({});
    const config = parseConfig({ ...imageEnv, ...fromFile });
    expect(config).toMatchObject({ HOST: '0.0.0.0', DATA_DIR: '/data', PORT: Number(imageEnv.PORT) });
  });

  it('an empty HOST= line, as the file used to have, would bind the container to its own loopback', () => {
    // The trap the commented-out lines avoid: Docker sets HOST to "", the bot reads "" as unset.
    const imageEnv = stageEnv(runtimeStage(readDockerfile()));
    const fromFile = readDockerEnvFile('HOST=\nDATA_DIR=\n');
    expect(fromFile).toEqual({ HOST: '', DATA_DIR: '' });
    expect(parseConfig({ ...imageEnv, ...fromFile })).toMatchObject({
      HOST: '127.0.0.1',
      DATA_DIR: './data',
    });
  });

  it('keeps every variable commented out', () => {
    const set = variableLines(example).filter((line) => !line.commented);
    expect(set.map((line) => line.name)).toEqual([]);
    // Nothing else outside a comment either (a stray `export`, a value on its own).
    const other = example.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
    expect(other).toEqual([]);
  });

  it('names every variable the bot reads, once, each under a line that explains it', () => {
    const lines = example.split('\n');
    const variables = variableLines(example);
    const names = variables.map((line) => line.name);
    expect([...names].sort()).toEqual(Object.keys(EnvSchema.shape).sort());
    for (const { name, index } of variables) {
      // Variables that share one explanation sit right under each other, below it.
      let above = index - 1;
      while (above >= 0 && variables.some((line) => line.index === above)) above -= 1;
      expect(lines[above] ?? '', `the line above ${name}`).toMatch(/^#(?! ---)\s*\S/);
    }
  });
});
