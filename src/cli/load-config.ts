/** `.env` first (real environment variables win), then the one config schema; a bad variable is a usage problem. */
import { type Config, ConfigError, loadDotEnv, parseConfig } from '../config.js';
import { type Parsed, usageProblem } from './io.js';

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): Parsed<Config> {
  try {
    loadDotEnv();
    return { ok: true, value: parseConfig(env) };
  } catch (error) {
    if (error instanceof ConfigError) return usageProblem(error.message);
    throw error;
  }
}
