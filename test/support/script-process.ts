/**
 * Runs one of our TypeScript scripts (a bot replica, a whole bot) as an OS process of its own, through
 * tsx, for tests and benchmarks that must kill it with SIGKILL. `ready` resolves with the first line
 * of its stdout that matches `readyLine`, or rejects with its stderr if it exits first.
 */
import { type ChildProcess, spawn } from 'node:child_process';

const TSX = import.meta.resolve('tsx');

export interface ScriptProcess {
  child: ChildProcess;
  ready: Promise<RegExpExecArray>;
  stderr(): string;
}

export function startScript(
  script: string,
  options: { env: NodeJS.ProcessEnv; cwd?: string; readyLine: RegExp; inheritStderr?: boolean },
): ScriptProcess {
  const child = spawn(process.execPath, ['--import', TSX, script], {
    env: options.env,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: ['ignore', 'pipe', options.inheritStderr ? 'inherit' : 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const ready = new Promise<RegExpExecArray>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      const match = options.readyLine.exec(String(d));
      if (match) resolve(match);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${stderr}`)));
  });
  ready.catch(() => undefined);
  return { child, ready, stderr: () => stderr };
}
