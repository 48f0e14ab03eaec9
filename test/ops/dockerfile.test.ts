/**
 * What the Dockerfile promises, read from the Dockerfile itself (no Docker engine here): Node 24 LTS,
 * Debian's ffmpeg preferred, an init process, a liveness-only HEALTHCHECK, and dependency layers that a
 * code change does not rebuild. test/ops/image-steps.test.ts runs its steps.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  execForm,
  healthcheck,
  type Instruction,
  readDockerfile,
  runCommands,
  runtimeStage,
  stageEnv,
} from './dockerfile.js';

const stages = readDockerfile();
const runtime = runtimeStage(stages);
const build = stages[0]!;
const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>;
  engines: { node: string };
};

function indexOf(
  instructions: readonly Instruction[],
  test: (i: Instruction) => boolean,
  what: string,
): number {
  const index = instructions.findIndex(test);
  if (index === -1) throw new Error(`the build stage has no ${what}`);
  return index;
}

describe('Dockerfile', () => {
  it('builds and runs on Node 24 LTS', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.base).toMatch(/^node:24(\.\d+)*-bookworm-slim$/);
  });

  it('installs Debian ffmpeg, fonts and tini in the image, and points FFMPEG_PATH at that ffmpeg', () => {
    const installs = runCommands(runtime).filter((command) => command.startsWith('apt-get install'));
    const packages = installs.flatMap((command) =>
      command.split(/\s+/).filter((word) => !word.startsWith('-')),
    );
    expect(packages).toEqual(
      expect.arrayContaining(['ffmpeg', 'fonts-dejavu-core', 'tini', 'ca-certificates']),
    );
    // Debian's ffmpeg package installs /usr/bin/ffmpeg; an explicit FFMPEG_PATH that is missing fails
    // loudly instead of falling back to another build (src/media/ffmpeg.ts).
    expect(stageEnv(runtime).FFMPEG_PATH).toBe('/usr/bin/ffmpeg');
  });

  it('runs the bot under tini, which forwards signals and reaps exited ffmpeg children', () => {
    expect(execForm(runtime, 'ENTRYPOINT')).toEqual(['/usr/bin/tini', '--']);
    expect(execForm(runtime, 'CMD')).toEqual(['node', 'dist/src/cli.js', 'start']);
  });

  it('checks health on /livez only, on the port the bot listens on', () => {
    const check = healthcheck(runtime);
    expect(check?.command).toContain("'/livez'");
    expect(check?.command).toContain('process.env.PORT');
    expect(check?.command).not.toMatch(/readyz|healthz/);
    expect(check?.options).toMatchObject({ interval: expect.any(String), timeout: expect.any(String) });
  });

  it('listens on every address of the container, keeps DATA_DIR on a volume, and runs unprivileged', () => {
    const env = stageEnv(runtime);
    expect(env).toMatchObject({ HOST: '0.0.0.0', DATA_DIR: '/data', NODE_ENV: 'production' });
    expect(execForm(runtime, 'VOLUME')).toEqual([env.DATA_DIR]);
    expect(runtime.instructions.find((i) => i.keyword === 'EXPOSE')?.args).toBe(env.PORT);
    expect(runtime.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args).toBe('node');
    expect(runCommands(runtime)).toContain(`chown node:node ${env.DATA_DIR}`);
  });

  it('installs dependencies from the manifest and lock file alone, before the sources are copied', () => {
    const steps = build.instructions;
    const manifestCopy = indexOf(
      steps,
      (i) => i.keyword === 'COPY' && i.args.includes('package-lock.json'),
      'COPY of the lock file',
    );
    expect(steps[manifestCopy]!.args).toBe('package.json package-lock.json ./');
    const install = indexOf(steps, (i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args), 'npm ci');
    const sources = indexOf(steps, (i) => i.keyword === 'COPY' && /^src\b/.test(i.args), 'COPY of src');
    const adapters = indexOf(
      steps,
      (i) => i.keyword === 'COPY' && /^adapters\b/.test(i.args),
      'COPY of adapters',
    );
    const compile = indexOf(
      steps,
      (i) => i.keyword === 'RUN' && /\bnpm run build\b/.test(i.args),
      'npm run build',
    );
    expect(manifestCopy).toBeLessThan(install);
    expect(install).toBeLessThan(sources);
    expect(install).toBeLessThan(adapters);
    expect(Math.max(sources, adapters)).toBeLessThan(compile);
    // Nothing between the lock file and the install copies anything else into that layer's context.
    expect(steps.slice(manifestCopy + 1, install).filter((i) => i.keyword === 'COPY')).toEqual([]);
  });

  it('keeps `prepare` (a tsc build) from running before the sources exist, and builds the native addon', () => {
    expect(packageJson.scripts.prepare).toBeDefined();
    const install = runCommands(build).find((command) => command.startsWith('npm ci'));
    expect(install).toContain('--ignore-scripts');
    expect(runCommands(build).find((command) => command.startsWith('npm rebuild'))).toMatch(
      /\bbetter-sqlite3\b/,
    );
    expect(runCommands(build)).toContain('npm prune --omit=dev --no-audit --no-fund');
  });

  it('is what compose.yaml runs: Redis for the store, the same /livez check, the port on loopback', () => {
    // Read as text (no YAML parser among the dependencies); the lines below are compose.yaml's own.
    const compose = readFileSync(new URL('../../compose.yaml', import.meta.url), 'utf8');
    const bot = compose.slice(compose.indexOf('\n  bot:\n'), compose.indexOf('\nvolumes:'));
    expect(bot).toContain('build: .');
    expect(bot).toContain('STORE_URL: redis://redis:6379');
    expect(bot).toMatch(/^ {6}- bot-data:\/data$/m);
    const published = [...bot.matchAll(/^ {6}- "([^"]+)"$/gm)].map((m) => m[1]);
    expect(published).toEqual([`127.0.0.1:${stageEnv(runtime).PORT}:${stageEnv(runtime).PORT}`]);
    // The image's HEALTHCHECK script (`node -e "SCRIPT"`), written out in exec form.
    const script = /^node -e "(.+)"$/.exec(healthcheck(runtime)!.command)?.[1];
    expect(script).toBeDefined();
    // Exec form, however the list is laid out (the formatter spreads it over lines).
    const testList = /test:\s*\[([^\]]+)\]/.exec(bot)?.[1] ?? '';
    expect(testList.match(/"(?:[^"\\]|\\.)*"/g)).toEqual(['"CMD"', '"node"', '"-e"', `"${script}"`]);
    expect(bot).toMatch(/condition: service_healthy/);
  });

  it('matches the Node versions package.json declares', () => {
    // engines covers the Node 24 the image runs (and 20.18+ for installs elsewhere).
    expect(packageJson.engines.node).toMatch(/>=\s*24\b/);
  });
});
