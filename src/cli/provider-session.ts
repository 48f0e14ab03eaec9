/**
 * The provider a CLI command talks to. With SORA_PROVIDER=emulator (the default when no key is set)
 * an emulator runs inside this process for the command's lifetime, rendering in
 * SORA_EMULATOR_RENDER_MS, so `video create --wait` works with no account at all.
 */
import { Agent } from 'undici';
import type { Config } from '../config.js';
import { createProvider, EMULATOR_API_KEY } from '../sora/index.js';
import type { VideoProvider } from '../sora/provider.js';

export interface ProviderSession {
  provider: VideoProvider;
  /** Where the provider lives, for messages (never includes the key). */
  describe: string;
  close(): Promise<void>;
}

export async function openProviderSession(config: Config): Promise<ProviderSession> {
  if (config.SORA_PROVIDER !== 'emulator') {
    const where = config.SORA_PROVIDER === 'azure' ? config.AZURE_OPENAI_ENDPOINT : config.OPENAI_BASE_URL;
    // A dispatcher of our own, closed with the session, so no idle keep-alive socket holds the process open.
    const dispatcher = new Agent();
    return {
      provider: createProvider(config, { dispatcher }),
      describe: `${config.SORA_PROVIDER} at ${where}`,
      close: () => dispatcher.close(),
    };
  }
  // Loaded only when needed: a real deployment never pays for the emulator's code.
  const { startEmulator } = await import('../sora/emulator/index.js');
  const emulator = await startEmulator({
    port: 0,
    host: '127.0.0.1',
    renderMs: config.SORA_EMULATOR_RENDER_MS,
    apiKey: EMULATOR_API_KEY,
  });
  const dispatcher = new Agent();
  return {
    provider: createProvider(config, {
      emulatorUrl: emulator.url,
      emulatorApiKey: EMULATOR_API_KEY,
      dispatcher,
    }),
    describe: `the embedded emulator at ${emulator.url}`,
    close: async () => {
      await dispatcher.close();
      await emulator.close();
    },
  };
}
