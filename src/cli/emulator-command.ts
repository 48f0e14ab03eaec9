/** `sora-bot emulator`: the emulator alone, for pointing any client (ours, the openai SDK, curl) at it. */
import { EMULATOR_API_KEY } from '../sora/client/flavour.js';
import { intOption, parseCommandArgs } from './args.js';
import { type CliIO, EXIT, type ExitCode } from './io.js';
import { loadCliConfig } from './load-config.js';

export const DEFAULT_EMULATOR_PORT = 4010;

export async function runEmulatorCommand(args: string[], io: CliIO): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    'render-ms': { type: 'string' },
  });
  if (!parsed.ok) return fail(io, parsed.message);
  if (parsed.value.positionals.length > 0)
    return fail(io, 'emulator takes no arguments besides --port, --host and --render-ms');
  const port = intOption('port', parsed.value.values.port, 0, 65_535);
  if (!port.ok) return fail(io, port.message);
  const renderMs = intOption('render-ms', parsed.value.values['render-ms'], 0, 3_600_000);
  if (!renderMs.ok) return fail(io, renderMs.message);
  const config = loadCliConfig();
  if (!config.ok) return fail(io, config.message);

  const { startEmulator } = await import('../sora/emulator/index.js');
  const emulator = await startEmulator({
    port: port.value ?? DEFAULT_EMULATOR_PORT,
    // Loopback unless told otherwise (`--host 0.0.0.0` in compose.yaml, where replicas share it).
    host: parsed.value.values.host ?? '127.0.0.1',
    renderMs: renderMs.value ?? config.value.SORA_EMULATOR_RENDER_MS,
    apiKey: EMULATOR_API_KEY,
  });
  io.out(
    `Sora emulator listening on ${emulator.url} (renders take ${renderMs.value ?? config.value.SORA_EMULATOR_RENDER_MS} ms)`,
  );
  io.out('Point a client at it with either set of variables:');
  io.out(
    `  SORA_PROVIDER=openai OPENAI_BASE_URL=${emulator.openaiBaseUrl} OPENAI_API_KEY=${EMULATOR_API_KEY}`,
  );
  io.out(
    `  SORA_PROVIDER=azure AZURE_OPENAI_ENDPOINT=${emulator.azureEndpoint} AZURE_OPENAI_API_KEY=${EMULATOR_API_KEY}`,
  );
  io.out('Stop with Ctrl+C.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emulator.close();
  io.err('emulator stopped');
  return EXIT.ok;
}

function fail(io: CliIO, message: string): ExitCode {
  io.err(message);
  return EXIT.usage;
}
