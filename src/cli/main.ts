/**
 * Dispatches `sora-bot <command>`. Expected failures (bad usage, bad configuration, the provider
 * refusing or unreachable, a failed job) are one line and an exit code, never a stack trace.
 */

import { ListenError } from '../http/http-server.js';
import { isSoraError } from '../sora/errors.js';
import { StoreError } from '../store/store.js';
import { runDiscordCommand } from './discord-command.js';
import { runDoctorCommand } from './doctor-command.js';
import { runEmulatorCommand } from './emulator-command.js';
import { type CliIO, EXIT, type ExitCode, processIO } from './io.js';
import { runStartCommand } from './start-command.js';
import { USAGE } from './usage.js';
import { runUsageReportCommand } from './usage-report-command.js';
import { packageVersion } from './version.js';
import { runVideoCommand } from './video-command.js';

export async function runCli(argv: readonly string[], io: CliIO = processIO()): Promise<ExitCode> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return EXIT.ok;
      case '--version':
      case '-v':
      case 'version':
        io.out(packageVersion());
        return EXIT.ok;
      case 'start':
        return await runStartCommand(rest, io);
      case 'doctor':
        return await runDoctorCommand(rest, io);
      case 'emulator':
        return await runEmulatorCommand(rest, io);
      case 'discord':
        return await runDiscordCommand(rest, io);
      case 'usage':
        return await runUsageReportCommand(rest, io);
      case 'video':
        if (rest.includes('--help') || rest.includes('-h')) {
          io.out(USAGE);
          return EXIT.ok;
        }
        return await runVideoCommand(rest, io);
      default:
        io.err(`unknown command "${command}" (run sora-bot help)`);
        return EXIT.usage;
    }
  } catch (error) {
    if (isSoraError(error)) {
      io.err(error.toOneLine());
      return EXIT.failed;
    }
    if (error instanceof ListenError) {
      // HOST or PORT cannot be bound (taken, privileged, not this machine's): configuration, exit 2.
      io.err(error.message);
      return EXIT.usage;
    }
    if (error instanceof StoreError) {
      // The store is unusable (Redis unreachable, the SQLite file held by another bot): one line that
      // says what to do, no stack.
      io.err(`sora-bot cannot start: ${error.message}`);
      return EXIT.failed;
    }
    const code = (error as { code?: unknown } | null)?.code;
    if (
      typeof code === 'string' &&
      ['ENOENT', 'EACCES', 'EISDIR', 'ENOSPC', 'EROFS', 'ENOTDIR'].includes(code)
    ) {
      // A file we were told to write could not be written: the person's to fix, no stack needed.
      io.err(`cannot write the file: ${(error as Error).message}`);
      return EXIT.failed;
    }
    // Anything else is a bug: keep the stack so it can be reported.
    io.err(`sora-bot crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT.failed;
  }
}
