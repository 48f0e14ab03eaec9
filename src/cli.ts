#!/usr/bin/env node
/** The `sora-bot` command; see src/cli/main.ts for the dispatch and src/cli/usage.ts for the commands. */
import { runCli } from './cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
