/**
 * `sora-bot video create|get|list|download|remix|delete|cancel`. Options are checked against the
 * provider's capabilities before any request; provider failures become one line and exit 1.
 * `cancel` differs from `delete` in what it refuses: the Videos API has no cancel endpoint (deleting is
 * the only way to stop a render, docs/sora-api.md), so cancel deletes only a video still queued or in
 * progress and leaves a finished one alone, the way the bot's Cancel button does.
 */

import { estimateLine } from '../budget-settings.js';
import type { Config } from '../config.js';
import { waitForVideo } from '../sora/client/wait-for-video.js';
import { capabilities } from '../sora/index.js';
import type { CreateVideoRequest } from '../sora/provider.js';
import { CONTENT_VARIANTS, type ContentVariant, type Video } from '../sora/video.js';
import { intOption, parseCommandArgs } from './args.js';
import { type CliIO, EXIT, type ExitCode, type Parsed, usageProblem } from './io.js';
import { loadCliConfig } from './load-config.js';
import { createProgressReporter } from './progress.js';
import { openProviderSession, type ProviderSession } from './provider-session.js';
import { saveStreamToFile } from './save-content.js';
import { describeJobFailure, describeVideo } from './video-format.js';
import { buildCreateRequest } from './video-options.js';

const SUBCOMMANDS = ['create', 'get', 'list', 'download', 'remix', 'delete', 'cancel'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

const OPTIONS = {
  prompt: { type: 'string' },
  seconds: { type: 'string' },
  size: { type: 'string' },
  model: { type: 'string' },
  image: { type: 'string' },
  fit: { type: 'string' },
  wait: { type: 'boolean' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  limit: { type: 'string' },
  variant: { type: 'string' },
} as const;

/** Which options each subcommand takes (parseArgs knows them all; we refuse the misplaced ones). */
const ALLOWED: Record<Subcommand, readonly (keyof typeof OPTIONS)[]> = {
  create: ['prompt', 'seconds', 'size', 'model', 'image', 'fit', 'wait', 'out', 'json'],
  get: ['json'],
  list: ['limit', 'json'],
  download: ['variant', 'out'],
  remix: ['prompt', 'wait', 'out', 'json'],
  delete: ['json'],
  cancel: ['json'],
};

const NEEDS_ID: readonly Subcommand[] = ['get', 'download', 'remix', 'delete', 'cancel'];

/** Poll interval without a provider hint: fast on the local emulator, OpenAI's suggested 10 s otherwise. */
const pollIntervalMs = (config: Config) => (config.SORA_PROVIDER === 'emulator' ? 250 : 10_000);

interface VideoArgs {
  sub: Subcommand;
  id: string | undefined;
  values: { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };
  limit: number | undefined;
  variant: ContentVariant;
}

function parseVideoArgs(args: string[]): Parsed<VideoArgs> {
  const [sub, ...rest] = args;
  if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub))
    return usageProblem(`video needs one of: ${SUBCOMMANDS.join(', ')} (see sora-bot help)`);
  const subcommand = sub as Subcommand;
  const parsed = parseCommandArgs(rest, OPTIONS);
  if (!parsed.ok) return parsed;
  const { values, positionals } = parsed.value;
  const misplaced = Object.keys(values).find(
    (name) => !ALLOWED[subcommand].includes(name as keyof typeof OPTIONS),
  );
  if (misplaced) return usageProblem(`video ${subcommand} does not take --${misplaced}`);
  const needsId = NEEDS_ID.includes(subcommand);
  if (needsId && positionals.length !== 1)
    return usageProblem(`video ${subcommand} needs exactly one video id`);
  if (!needsId && positionals.length > 0)
    return usageProblem(`video ${subcommand} takes no id ("${positionals[0]}")`);
  const limit = intOption('limit', values.limit, 1, 10_000);
  if (!limit.ok) return limit;
  const variant = values.variant ?? 'video';
  if (!(CONTENT_VARIANTS as readonly string[]).includes(variant))
    return usageProblem(`--variant must be one of ${CONTENT_VARIANTS.join(', ')}`);
  if (subcommand === 'download' && !values.out) return usageProblem('video download needs --out FILE');
  if (subcommand === 'remix' && !values.prompt?.trim())
    return usageProblem('video remix needs --prompt TEXT');
  return {
    ok: true,
    value: {
      sub: subcommand,
      id: positionals[0],
      values,
      limit: limit.value,
      variant: variant as ContentVariant,
    },
  };
}

export async function runVideoCommand(args: string[], io: CliIO): Promise<ExitCode> {
  const parsed = parseVideoArgs(args);
  if (!parsed.ok) return usage(io, parsed.message);
  const loaded = loadCliConfig();
  if (!loaded.ok) return usage(io, loaded.message);
  const config = loaded.value;
  const { sub, values } = parsed.value;

  // Validate before starting anything (an embedded emulator, a request that costs money).
  let createRequest: Awaited<ReturnType<typeof buildCreateRequest>> | undefined;
  if (sub === 'create') {
    createRequest = await buildCreateRequest(values, config, capabilities(config));
    if (!createRequest.ok) return usage(io, createRequest.message);
    // The price before anything is spent (stderr, so --json output stays one JSON document).
    const { model, size, seconds } = createRequest.value;
    if (model && size && seconds) io.err(estimateLine(config, { model, size, seconds }));
  }
  if (sub === 'remix') {
    const maxChars = Math.min(
      ...Object.values(capabilities(config).models).map((model) => model.maxPromptChars),
    );
    const length = values.prompt!.trim().length;
    if (length > maxChars) return usage(io, `the prompt has ${length} characters; the limit is ${maxChars}`);
  }

  const session = await openProviderSession(config);
  // Ctrl+C stops polling and removes a partial download; a real provider's job goes on regardless.
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const run: VideoRun = {
    args: parsed.value,
    config,
    session,
    io,
    signal: interrupt.signal,
    jobId: undefined,
  };
  try {
    return await dispatch(run, createRequest?.ok ? createRequest.value : undefined);
  } catch (error) {
    if (!interrupt.signal.aborted) throw error;
    io.err(interruptedLine(run));
    return EXIT.interrupted;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await session.close();
  }
}

interface VideoRun {
  args: VideoArgs;
  config: Config;
  session: ProviderSession;
  io: CliIO;
  signal: AbortSignal;
  /** The job this command started, named when it is interrupted. */
  jobId: string | undefined;
}

async function dispatch(run: VideoRun, createRequest: CreateVideoRequest | undefined): Promise<ExitCode> {
  const { args, session, io, signal } = run;
  const { values } = args;
  const id = args.id ?? '';
  const provider = session.provider;
  switch (args.sub) {
    case 'create': {
      if (!createRequest) return EXIT.usage;
      const video = await provider.create(createRequest, { signal });
      run.jobId = video.id;
      return await finishJob(video, run);
    }
    case 'remix': {
      const video = await provider.remix(id, values.prompt!.trim(), { signal });
      run.jobId = video.id;
      return await finishJob(video, run);
    }
    case 'get': {
      printVideo(await provider.retrieve(id, { signal }), values.json, io);
      return EXIT.ok;
    }
    case 'list':
      return await listVideos(run, args.limit ?? 20);
    case 'download': {
      const bytes = await download(run, id, args.variant, values.out!);
      io.out(`saved ${args.variant} of ${id} to ${values.out} (${bytes} bytes)`);
      return EXIT.ok;
    }
    case 'delete': {
      const deleted = await provider.delete(id, { signal });
      if (values.json) io.out(JSON.stringify(deleted, null, 2));
      else io.out(`deleted ${deleted.id}`);
      return EXIT.ok;
    }
    case 'cancel':
      return await cancelVideo(run, id);
  }
}

/** Deletes the video only while it is queued or rendering; a finished or failed one is left as it is. */
async function cancelVideo(run: VideoRun, id: string): Promise<ExitCode> {
  const { session, io, signal } = run;
  const video = await session.provider.retrieve(id, { signal });
  if (video.status === 'completed' || video.status === 'failed') {
    io.err(`${id} is already ${video.status}: nothing to cancel (sora-bot video delete ${id} removes it)`);
    return EXIT.failed;
  }
  const deleted = await session.provider.delete(id, { signal });
  if (run.args.values.json) io.out(JSON.stringify(deleted, null, 2));
  else io.out(`cancelled ${deleted.id} (it was ${video.status}; deleted at the provider)`);
  return EXIT.ok;
}

function interruptedLine(run: VideoRun): string {
  if (!run.jobId) return 'interrupted';
  if (run.config.SORA_PROVIDER === 'emulator')
    return `interrupted: ${run.jobId} was on the embedded emulator, which stops with this command`;
  return `interrupted: ${run.jobId} keeps rendering on the provider; check it with sora-bot video get ${run.jobId}`;
}

/** After create/remix: print, or (with --wait / --out) poll to the end and save the MP4. */
async function finishJob(created: Video, run: VideoRun): Promise<ExitCode> {
  const { args, config, session, io, signal } = run;
  const { wait, out, json } = args.values;
  if (!wait && !out) {
    printVideo(created, json, io);
    return EXIT.ok;
  }
  const progress = createProgressReporter(io.progress, io.progressIsTTY);
  let final: Awaited<ReturnType<typeof waitForVideo>>;
  try {
    final = await waitForVideo(session.provider, created.id, {
      intervalMs: pollIntervalMs(config),
      onProgress: (video) => progress.update(video),
      signal,
    });
  } finally {
    progress.finish();
  }
  if (final.video.status === 'failed') {
    if (json) io.out(JSON.stringify(final.video, null, 2));
    io.err(describeJobFailure(final.video, final.requestId));
    return EXIT.failed;
  }
  if (out) {
    const bytes = await download(run, final.video.id, 'video', out);
    io.err(`saved ${final.video.id} to ${out} (${bytes} bytes)`);
  }
  printVideo(final.video, json, io);
  return EXIT.ok;
}

async function download(run: VideoRun, id: string, variant: ContentVariant, out: string): Promise<number> {
  const content = await run.session.provider.download(id, variant, { signal: run.signal });
  return saveStreamToFile(content.stream, out);
}

async function listVideos(run: VideoRun, limit: number): Promise<ExitCode> {
  const { io } = run;
  const json = run.args.values.json;
  const videos: Video[] = [];
  for await (const video of run.session.provider.list(
    { limit: Math.min(limit, 100) },
    { signal: run.signal },
  )) {
    videos.push(video);
    if (videos.length >= limit) break;
  }
  if (json) io.out(JSON.stringify(videos, null, 2));
  else if (videos.length === 0) io.out('no videos');
  else for (const video of videos) io.out(describeVideo(video));
  return EXIT.ok;
}

function printVideo(video: Video, json: boolean | undefined, io: CliIO): void {
  io.out(json ? JSON.stringify(video, null, 2) : describeVideo(video));
}

function usage(io: CliIO, message: string): ExitCode {
  io.err(message);
  return EXIT.usage;
}
