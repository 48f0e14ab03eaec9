/**
 * `sora-bot emulator`: the emulator alone, for pointing any client (ours, the openai SDK, curl) at it.
 * `--deployments N` starts N of them on consecutive ports, each with its own quota (Azure's default,
 * 2 running and 2 a minute, unless `--max-running` / `--rpm` say otherwise), and prints the SORA_POOL
 * that uses them and how to take one down (`POST /_emulator/outage`).
 */
import { EMULATOR_API_KEY } from '../sora/client/flavour.js';
import type { RunningEmulator } from '../sora/emulator/index.js';
import { intOption, parseCommandArgs } from './args.js';
import { type CliIO, EXIT, type ExitCode } from './io.js';
import { loadCliConfig } from './load-config.js';

export const DEFAULT_EMULATOR_PORT = 4010;
/** Azure's default Sora 2 quota (docs/sora-api.md), what each emulated deployment of a pool gets. */
const AZURE_DEFAULT_QUOTA = { maxRunning: 2, rpm: 2 } as const;

export async function runEmulatorCommand(args: string[], io: CliIO): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    'render-ms': { type: 'string' },
    deployments: { type: 'string' },
    'max-running': { type: 'string' },
    rpm: { type: 'string' },
  });
  if (!parsed.ok) return fail(io, parsed.message);
  const values = parsed.value.values;
  if (parsed.value.positionals.length > 0)
    return fail(
      io,
      'emulator takes no arguments besides --port, --host, --render-ms, --deployments, --max-running and --rpm',
    );
  const port = intOption('port', values.port, 0, 65_535);
  if (!port.ok) return fail(io, port.message);
  const renderMs = intOption('render-ms', values['render-ms'], 0, 3_600_000);
  if (!renderMs.ok) return fail(io, renderMs.message);
  const deployments = intOption('deployments', values.deployments, 1, 20);
  if (!deployments.ok) return fail(io, deployments.message);
  const maxRunning = intOption('max-running', values['max-running'], 1, 10_000);
  if (!maxRunning.ok) return fail(io, maxRunning.message);
  const rpm = intOption('rpm', values.rpm, 0, 100_000);
  if (!rpm.ok) return fail(io, rpm.message);
  const config = loadCliConfig();
  if (!config.ok) return fail(io, config.message);

  const { startEmulator } = await import('../sora/emulator/index.js');
  const count = deployments.value ?? 1;
  const pool = deployments.value !== undefined;
  const render = renderMs.value ?? config.value.SORA_EMULATOR_RENDER_MS;
  const first = port.value ?? DEFAULT_EMULATOR_PORT;
  const running: RunningEmulator[] = [];
  try {
    for (let i = 0; i < count; i++)
      running.push(
        await startEmulator({
          // Consecutive ports; with --port 0 each gets an ephemeral one.
          port: first === 0 ? 0 : first + i,
          // Loopback unless told otherwise (`--host 0.0.0.0` in a container, where replicas share it).
          host: values.host ?? '127.0.0.1',
          renderMs: render,
          apiKey: EMULATOR_API_KEY,
          // A pool's deployments have their own quotas, like Azure resources; one emulator has none.
          ...(pool || maxRunning.value !== undefined
            ? { maxRunning: maxRunning.value ?? AZURE_DEFAULT_QUOTA.maxRunning }
            : {}),
          ...(pool || rpm.value !== undefined
            ? { requestsPerMinute: rpm.value ?? AZURE_DEFAULT_QUOTA.rpm }
            : {}),
        }),
      );
  } catch (error) {
    await Promise.all(running.map((e) => e.close()));
    throw error;
  }
  if (pool) printPool(io, running, render, maxRunning.value, rpm.value);
  else printSingle(io, running[0]!, render);
  io.out('Stop with Ctrl+C.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await Promise.all(running.map((e) => e.close()));
  io.err('emulator stopped');
  return EXIT.ok;
}

function printSingle(io: CliIO, emulator: RunningEmulator, renderMs: number): void {
  io.out(`Sora emulator listening on ${emulator.url} (renders take ${renderMs} ms)`);
  io.out('Point a client at it with either set of variables:');
  io.out(
    `  SORA_PROVIDER=openai OPENAI_BASE_URL=${emulator.openaiBaseUrl} OPENAI_API_KEY=${EMULATOR_API_KEY}`,
  );
  io.out(
    `  SORA_PROVIDER=azure AZURE_OPENAI_ENDPOINT=${emulator.azureEndpoint} AZURE_OPENAI_API_KEY=${EMULATOR_API_KEY}`,
  );
}

function printPool(
  io: CliIO,
  emulators: RunningEmulator[],
  renderMs: number,
  maxRunning: number | undefined,
  rpm: number | undefined,
): void {
  const running = maxRunning ?? AZURE_DEFAULT_QUOTA.maxRunning;
  const perMinute = rpm ?? AZURE_DEFAULT_QUOTA.rpm;
  io.out(
    `${emulators.length} emulated Sora deployments (renders take ${renderMs} ms; each allows ${running} running and ${perMinute} a minute):`,
  );
  const entries = emulators.map((e, i) => {
    io.out(`  emu${i + 1}: ${e.url}`);
    return {
      name: `emu${i + 1}`,
      flavour: 'emulator',
      baseUrl: e.openaiBaseUrl,
      maxConcurrent: running,
      rpm: perMinute,
    };
  });
  io.out('Point the bot at all of them with:');
  io.out(`  SORA_POOL='${JSON.stringify(entries)}'`);
  io.out(`Take one down (every request answered 503) and bring it back:`);
  io.out(`  curl -X POST ${emulators[0]!.url}/_emulator/outage -d '{"status":503}'`);
  io.out(`  curl -X DELETE ${emulators[0]!.url}/_emulator/outage`);
}

function fail(io: CliIO, message: string): ExitCode {
  io.err(message);
  return EXIT.usage;
}
