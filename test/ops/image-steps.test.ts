/**
 * The Docker image's own steps, run outside Docker (no engine on these machines): a production install
 * from the lock file into a clean folder, the Dockerfile's native-addon and pruning commands, the compiled
 * bot, the image's ENV, a copied .env.example (as `docker run --env-file` reads it and as ./.env), and the
 * image's CMD. Then: the bot listens on every address (the published port works), `/livez` answers, the
 * image's HEALTHCHECK command passes, DATA_DIR is the image's volume, the backup command of
 * docs/operations.md copies the running ledger, and SIGTERM (what tini forwards on `docker stop`) ends it
 * cleanly.
 *
 * A temporary folder stands for the container's file system: the image's absolute paths (WORKDIR /app,
 * the /data volume, Debian's /usr/bin/ffmpeg) are taken inside it. What Docker itself provides is not
 * here: tini, and Debian's packages (the ffmpeg there is a link to this machine's). Slow by nature (npm
 * ci, compiling better-sqlite3 when no prebuilt binary can be fetched), so one install serves every case.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../src/media/ffmpeg.js';
import { readDockerEnvFile } from './docker-env-file.js';
import { execForm, healthcheck, readDockerfile, runCommands, runtimeStage, stageEnv } from './dockerfile.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const INSTALL_TIMEOUT_MS = 20 * 60_000;
const STEP_TIMEOUT_MS = 3 * 60_000;

const stages = readDockerfile();
const build = stages[0]!;
const runtime = runtimeStage(stages);
const example = readFileSync(join(REPO, '.env.example'), 'utf8');

const root = mkdtempSync(join(tmpdir(), 'sora-image-'));
/** A path of the image, inside the folder that stands for the container's file system. */
const inImage = (path: string) => join(root, path);
const workdir = runtime.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)!.args;
const app = inImage(workdir);

/** The container's environment: the image's ENV (its paths taken inside `root`), then the env file. */
function containerEnv(port: number): NodeJS.ProcessEnv {
  const image = Object.fromEntries(
    Object.entries(stageEnv(runtime)).map(([name, value]) => [
      name,
      isAbsolute(value) ? inImage(value) : value,
    ]),
  );
  // PORT 0: the system picks a free port (no race with other tests); the bot says which.
  return { PATH: process.env.PATH, ...image, PORT: String(port), ...readDockerEnvFile(example) };
}

function sh(command: string, cwd: string): Promise<unknown> {
  return run('sh', ['-c', command], { cwd, maxBuffer: 64 * 1024 * 1024 });
}

async function installLikeTheImage(): Promise<void> {
  mkdirSync(app, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(REPO, file), join(app, file));
  // The production install (`npm ci --omit=dev` in the issue; the image installs everything, builds, then
  // prunes to the same tree), without install scripts, as the image's npm ci runs ...
  const install = (async () => {
    await sh('npm ci --omit=dev --ignore-scripts --no-audit --no-fund', app);
    // ... then the Dockerfile's own commands that shape node_modules: the addon's rebuild, what it drops.
    for (const command of runCommands(build).filter((c) => /^(npm rebuild|rm -rf node_modules\/)/.test(c)))
      await sh(command, app);
  })();
  // `npm run build` of the image, from this checkout's sources, into the folder's dist.
  const compile = run(
    process.execPath,
    [
      join(REPO, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      join(app, 'dist'),
    ],
    { cwd: REPO, maxBuffer: 64 * 1024 * 1024 },
  );
  await Promise.all([install, compile]);
  // The runtime stage's COPY of files from the context (package.json, manifest.yml).
  for (const copy of runtime.instructions.filter(
    (i) => i.keyword === 'COPY' && !i.args.startsWith('--from'),
  )) {
    const files = copy.args.split(/\s+/).slice(0, -1);
    for (const file of files) copyFileSync(join(REPO, file), join(app, file));
  }
  // The runtime stage's `mkdir -p /data`, and Debian's ffmpeg where the image's FFMPEG_PATH says.
  mkdirSync(inImage(stageEnv(runtime).DATA_DIR!), { recursive: true });
  const ffmpeg = inImage(stageEnv(runtime).FFMPEG_PATH!);
  mkdirSync(dirname(ffmpeg), { recursive: true });
  symlinkSync(resolveFfmpeg({ env: { ...process.env, FFMPEG_PATH: '' } }).path, ffmpeg);
  // People following the README copy .env.example to .env next to package.json.
  copyFileSync(join(REPO, '.env.example'), join(app, '.env'));
}

interface Started {
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
  stderr(): string;
}

/** The image's CMD, with this machine's node; resolves once the bot says where it listens. */
function startLikeTheImage(): Promise<Started> {
  const [command, ...args] = execForm(runtime, 'CMD')!;
  expect(command).toBe('node');
  const child = spawn(process.execPath, args, {
    cwd: app,
    env: containerEnv(0),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise<Started>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.stdout.on('data', (d) => {
      stdout += String(d);
      const port = /HTTP on http:\/\/[^\s]+:(\d+)/.exec(stdout)?.[1];
      if (port) resolve({ child, port: Number(port), exited, stderr: () => stderr });
    });
    void exited.then((code) => reject(new Error(`the bot exited with ${code}: ${stderr}${stdout}`)));
  });
}

async function runHealthcheck(port: number): Promise<number> {
  const check = healthcheck(runtime)!;
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', check.command], { cwd: app, env: containerEnv(port), stdio: 'ignore' });
    child.once('exit', (code) => resolve(code ?? -1));
  });
}

describe('the Docker image, its steps run outside Docker', () => {
  let bot: Started | undefined;

  beforeAll(async () => {
    await installLikeTheImage();
  }, INSTALL_TIMEOUT_MS);

  afterAll(async () => {
    if (bot && bot.child.exitCode === null) {
      bot.child.kill('SIGKILL');
      await bot.exited;
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('installs production dependencies only', () => {
    expect(existsSync(join(app, 'node_modules/better-sqlite3'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/typescript'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/vitest'))).toBe(false);
  });

  it(
    'starts with the image ENV and a copied .env.example, listening on every address of the container',
    async () => {
      bot = await startLikeTheImage();
      // 127.0.0.2 is a loopback address but not 127.0.0.1: only a socket bound to every address (HOST
      // 0.0.0.0) answers there, as only such a socket answers on a container's published port.
      const live = await fetch(`http://127.0.0.2:${bot.port}/livez`);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ ok: true });
    },
    STEP_TIMEOUT_MS,
  );

  it('keeps its data in the image volume, not in the working directory', () => {
    expect(bot).toBeDefined();
    expect(existsSync(join(inImage(stageEnv(runtime).DATA_DIR!), 'sora-bot.sqlite'))).toBe(true);
    expect(existsSync(join(app, 'data'))).toBe(false);
  });

  it('passes the image HEALTHCHECK while it runs', async () => {
    expect(await runHealthcheck(bot!.port)).toBe(0);
  });

  it('takes a consistent backup of the running ledger with the command docs/operations.md gives', async () => {
    const docs = readFileSync(join(REPO, 'docs/operations.md'), 'utf8');
    const script = /^docker exec sora-bot node -e "(.+)"$/m.exec(docs)?.[1];
    expect(script, 'the backup command in docs/operations.md').toBeDefined();
    const volume = stageEnv(runtime).DATA_DIR!;
    await run(process.execPath, ['-e', script!.replaceAll(`${volume}/`, `${inImage(volume)}/`)], {
      cwd: app,
    });
    const backup = new Database(join(inImage(volume), 'backup.sqlite'), { readonly: true });
    try {
      expect(backup.pragma('integrity_check', { simple: true })).toBe('ok');
      const tables = backup.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      expect(tables).toEqual(
        expect.arrayContaining(['records', 'index_entries', 'leases', 'counters', 'kv']),
      );
    } finally {
      backup.close();
    }
    expect((await fetch(`http://127.0.0.1:${bot!.port}/livez`)).status).toBe(200);
  });

  it(
    'stops cleanly on SIGTERM (docker stop, forwarded by tini), and the HEALTHCHECK then fails',
    async () => {
      bot!.child.kill('SIGTERM');
      expect(await bot!.exited).toBe(0);
      expect(await runHealthcheck(bot!.port)).toBe(1);
    },
    STEP_TIMEOUT_MS,
  );
});
