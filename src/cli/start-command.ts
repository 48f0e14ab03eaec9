/**
 * `sora-bot start`: the bot itself (src/app.ts). Imported on demand so `video` and `doctor` never load
 * the chat platforms' SDKs.
 */
import { type CliIO, EXIT, type ExitCode } from './io.js';
import { loadCliConfig } from './load-config.js';
import { checkBeforeStart } from './start-checks.js';

export async function runStartCommand(args: string[], io: CliIO): Promise<ExitCode> {
  if (args.length > 0) {
    io.err(`start takes no arguments ("${args[0]}"); configure it with environment variables`);
    return EXIT.usage;
  }
  const config = loadCliConfig();
  if (!config.ok) {
    io.err(config.message);
    return EXIT.usage;
  }
  const checks = checkBeforeStart(config.value);
  if (checks.problem) {
    io.err(checks.problem);
    return EXIT.usage;
  }
  for (const warning of checks.warnings) io.err(warning);
  // Listening before the bot starts: a Ctrl-C or `docker stop` that comes while it starts (or just after
  // it logged "started", before startBot returned) still closes it cleanly once it is up, instead of
  // Node's default of dying on the spot.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const { startBot } = await import('../app.js');
  const bot = await startBot(config.value);
  await stopRequested;
  await bot.close();
  return EXIT.ok;
}
