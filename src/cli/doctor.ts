/**
 * `sora-bot doctor`: a list of named checks, each reporting ok, a problem with its fix, or skipped.
 * Other parts of the bot (Slack, Discord, the store) add their own checks to DOCTOR_CHECKS in
 * doctor-checks.ts; this file only runs them and prints the outcome.
 */
import type { Config } from '../config.js';
import type { VideoProvider } from '../sora/provider.js';
import { type CliIO, EXIT, type ExitCode } from './io.js';

export type DoctorOutcome =
  | { status: 'ok'; detail: string }
  | { status: 'problem'; problem: string; fix: string }
  | { status: 'skipped'; reason: string };

export interface DoctorContext {
  /** The parsed configuration, or undefined when it is invalid (the configuration check says why). */
  config: Config | undefined;
  /** Why the configuration did not parse (one line), when it did not. */
  configProblem: string | undefined;
  /** The configured provider, opened on first use (an embedded emulator for SORA_PROVIDER=emulator). */
  provider(): Promise<{ provider: VideoProvider; describe: string }>;
}

export interface DoctorCheck {
  /** Short and stable, e.g. `configuration`, `sora provider`, `slack token`. */
  name: string;
  /** Skipped (not failed) when the configuration is invalid, since that problem is already reported. */
  needsConfig: boolean;
  run(ctx: DoctorContext): Promise<DoctorOutcome>;
}

export const ok = (detail: string): DoctorOutcome => ({ status: 'ok', detail });
export const problem = (text: string, fix: string): DoctorOutcome => ({
  status: 'problem',
  problem: text,
  fix,
});
export const skipped = (reason: string): DoctorOutcome => ({ status: 'skipped', reason });

/** Runs every check in order, prints one line each (plus its fix), and returns 0 only when none failed. */
export async function runDoctor(
  checks: readonly DoctorCheck[],
  ctx: DoctorContext,
  io: CliIO,
): Promise<ExitCode> {
  let problems = 0;
  for (const check of checks) {
    let outcome: DoctorOutcome;
    if (check.needsConfig && !ctx.config) outcome = skipped('the configuration is invalid');
    else {
      try {
        outcome = await check.run(ctx);
      } catch (error) {
        // A check that crashes is itself a problem worth fixing, not a reason to stop the others.
        const message = error instanceof Error ? error.message : String(error);
        outcome = problem(`the check crashed: ${message}`, 'report this as a bug in sora-bot');
      }
    }
    switch (outcome.status) {
      case 'ok':
        io.out(`[ok]   ${check.name}: ${outcome.detail}`);
        break;
      case 'skipped':
        io.out(`[skip] ${check.name}: ${outcome.reason}`);
        break;
      case 'problem':
        problems++;
        io.out(`[FAIL] ${check.name}: ${outcome.problem}`);
        io.out(`       fix: ${outcome.fix}`);
        break;
    }
  }
  io.out(problems === 0 ? 'All checks passed.' : `${problems} problem${problems === 1 ? '' : 's'} found.`);
  return problems === 0 ? EXIT.ok : EXIT.failed;
}
