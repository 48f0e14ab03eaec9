/**
 * Reads the repository's Dockerfile into its stages and instructions, so that the tests follow the
 * Dockerfile itself (its ENV, its install commands, its HEALTHCHECK) instead of a copy of it. Only what
 * this Dockerfile uses is understood: line continuations, comments (also between continued lines, as
 * BuildKit allows), and `KEY=VALUE` pairs without spaces in ENV.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DOCKERFILE_PATH = fileURLToPath(new URL('../../Dockerfile', import.meta.url));

export interface Instruction {
  /** Upper case: FROM, RUN, COPY, ENV, ... */
  keyword: string;
  /** Everything after the keyword, continuations joined with one space. */
  args: string;
}

export interface Stage {
  /** The image after FROM, e.g. `node:24-bookworm-slim`. */
  base: string;
  name: string | undefined;
  instructions: Instruction[];
}

export function readDockerfile(path: string = DOCKERFILE_PATH): Stage[] {
  return parseDockerfile(readFileSync(path, 'utf8'));
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    if (whole === '') continue;
    const match = /^(\S+)\s*(.*)$/.exec(whole)!;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!;
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`Dockerfile: cannot read FROM ${args}`);
      stages.push({ base: from[1]!, name: from[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile: ${keyword} before the first FROM`);
    stage.instructions.push({ keyword, args });
  }
  return stages;
}

/** The ENV of a stage, in order (a later ENV of the same name wins). */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'ENV') continue;
    for (const pair of args.split(/\s+/).filter(Boolean)) {
      const at = pair.indexOf('=');
      if (at <= 0 || /["']/.test(pair)) throw new Error(`Dockerfile: ENV ${pair} is not KEY=VALUE`);
      env[pair.slice(0, at)] = pair.slice(at + 1);
    }
  }
  return env;
}

/** The final stage: what `docker run` runs. */
export function runtimeStage(stages: readonly Stage[]): Stage {
  const last = stages.at(-1);
  if (!last) throw new Error('Dockerfile: no FROM');
  return last;
}

/** The commands of every RUN of a stage, split at `&&`. */
export function runCommands(stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.keyword === 'RUN')
    .flatMap((i) => i.args.split('&&').map((command) => command.trim()));
}

/** The exec-form array of an instruction (`["a", "b"]`), e.g. ENTRYPOINT, CMD, VOLUME. */
export function execForm(stage: Stage, keyword: string): string[] | undefined {
  const found = stage.instructions.filter((i) => i.keyword === keyword).at(-1);
  if (!found) return undefined;
  const parsed: unknown = JSON.parse(found.args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string'))
    throw new Error(`Dockerfile: ${keyword} is not in exec form`);
  return parsed;
}

/** HEALTHCHECK's options (`--interval=30s` ...) and its shell-form command. */
export function healthcheck(stage: Stage): { options: Record<string, string>; command: string } | undefined {
  const found = stage.instructions.find((i) => i.keyword === 'HEALTHCHECK');
  if (!found) return undefined;
  const match = /^((?:--\S+\s+)*)CMD\s+(.+)$/.exec(found.args);
  if (!match) throw new Error(`Dockerfile: HEALTHCHECK ${found.args} has no shell-form CMD`);
  const options = Object.fromEntries(
    match[1]!
      .split(/\s+/)
      .filter(Boolean)
      .map((option) => {
        const [name, value] = option.replace(/^--/, '').split('=');
        return [name!, value ?? ''];
      }),
  );
  return { options, command: match[2]! };
}
