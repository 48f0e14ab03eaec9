/**
 * The fake Discord of test/fakes/discord in a process of its own, driven over IPC by
 * bench/discord-defer.ts: Discord's servers do not share the bot's CPU, so the benchmark should not
 * make them. Messages: `{ cmd: 'burst', scenario, count }` answers `{ times, allAnsweredMs }`;
 * `{ cmd: 'close' }` stops the fake and exits.
 */
import { type InteractionHandle, startFakeDiscord } from '../test/fakes/discord/index.js';

type Command = { cmd: 'burst'; scenario: 'generate' | 'status' | 'help'; count: number } | { cmd: 'close' };

const send = (message: unknown) => process.send?.(message);
const fake = await startFakeDiscord({ retainUploadBytes: false, heartbeatIntervalMs: 5_000 });
send({ ready: true, token: fake.token, applicationId: fake.applicationId, apiBase: fake.apiBase });

function dispatch(scenario: 'generate' | 'status' | 'help', i: number): InteractionHandle {
  if (scenario === 'generate')
    return fake.interactions.slashCommand({ options: { prompt: `burst ${i}: a fox in the snow` } });
  if (scenario === 'status')
    return fake.interactions.slashCommand({ subcommand: 'status', options: { video: 'k3f9qz' } });
  return fake.interactions.slashCommand({ subcommand: 'help', options: {} });
}

process.on('message', async (command: Command) => {
  if (command.cmd === 'close') {
    await fake.close();
    process.exit(0);
  }
  const started = performance.now();
  const handles = Array.from({ length: command.count }, (_, i) => dispatch(command.scenario, i));
  const callbacks = await Promise.all(handles.map((h) => h.waitForCallback(30_000)));
  // "Answered": the deferred reply was filled in (the status message, or the private answer).
  await fake.waitFor(
    () =>
      handles.every(
        (h) => h.record.originalMessageId && fake.message(h.record.originalMessageId)?.editedTimestamp,
      ),
    120_000,
  );
  send({
    times: callbacks.filter((c) => c.type === 5 && c.accepted).map((c) => c.msSinceDispatch),
    allAnsweredMs: performance.now() - started,
  });
});
