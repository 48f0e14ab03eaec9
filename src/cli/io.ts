/**
 * Where the CLI writes: results on stdout (so `--json` output pipes cleanly), progress and problems on
 * stderr. Exit codes are part of the interface: 0 success, 1 the provider or the job failed,
 * 2 bad usage or configuration (and the shell's 130 after Ctrl+C).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  /** Progress goes here; a TTY gets a bar redrawn in place. */
  progress: NodeJS.WritableStream;
  progressIsTTY: boolean;
}

export function processIO(): CliIO {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    progress: process.stderr,
    progressIsTTY: Boolean(process.stderr.isTTY),
  };
}

/** An expected user mistake: one line for the person, exit 2. Returned, not thrown. */
export interface UsageProblem {
  ok: false;
  message: string;
}
export type Parsed<T> = { ok: true; value: T } | UsageProblem;

export const usageProblem = (message: string): UsageProblem => ({ ok: false, message });
