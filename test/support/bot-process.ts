/**
 * `startBot` in a process of its own, configured only by its environment, for tests that must kill a
 * replica with SIGKILL. Prints `ready: SUMMARY` (each adapter's summary) once started; stops on SIGTERM.
 */
import { startBot } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';

async function main(): Promise<void> {
  const lines: string[] = [];
  const bot = await startBot(parseConfig(process.env), { print: (line) => lines.push(line) });
  process.stdout.write(`ready: ${lines.slice(1).join(' | ').replace(/\n/g, ' ')}\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', resolve));
  await bot.close();
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(3);
});
