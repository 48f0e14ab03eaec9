/**
 * Runs the store's Lua scripts by their SHA1 (EVALSHA). Sending the text each time (EVAL) cost Redis a
 * hash of up to a kilobyte per call, on every write. Redis forgets its scripts when it restarts (or on
 * SCRIPT FLUSH); a NOSCRIPT reply ran nothing, so the text is sent once then, which loads it again.
 */
import { createHash } from 'node:crypto';

export interface ScriptClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

const shas = new Map<string, string>();

/** The SHA1 Redis knows a script by (computed once per script text). */
function shaOf(script: string): string {
  let sha = shas.get(script);
  if (!sha) {
    sha = createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  return sha;
}

export async function runScript(
  client: ScriptClient,
  script: string,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  const options = { keys, arguments: args.map(String) };
  try {
    return await client.evalSha(shaOf(script), options);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
    return client.eval(script, options);
  }
}
