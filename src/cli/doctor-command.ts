/** `sora-bot doctor`: builds the context (config parsed once, provider opened lazily) and runs DOCTOR_CHECKS. */

import type { Config } from '../config.js';
import { ConfigError, loadDotEnv, parseConfig } from '../config.js';
import { type DoctorContext, runDoctor } from './doctor.js';
import { DOCTOR_CHECKS } from './doctor-checks.js';
import { type CliIO, EXIT, type ExitCode } from './io.js';
import { openProviderSession, type ProviderSession } from './provider-session.js';

export async function runDoctorCommand(args: string[], io: CliIO): Promise<ExitCode> {
  if (args.length > 0) {
    io.err(`doctor takes no arguments ("${args[0]}")`);
    return EXIT.usage;
  }
  let config: Config | undefined;
  let configProblem: string | undefined;
  try {
    loadDotEnv();
    config = parseConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    configProblem = error.message;
  }
  let session: Promise<ProviderSession> | undefined;
  const ctx: DoctorContext = {
    config,
    configProblem,
    provider: () => {
      if (!config) throw new Error('no valid configuration');
      session ??= openProviderSession(config);
      return session;
    },
  };
  try {
    return await runDoctor(DOCTOR_CHECKS, ctx, io);
  } finally {
    if (session) await (await session).close();
  }
}
