/**
 * `docker run --env-file FILE` as Docker reads it (docs.docker.com, "docker container run", --env-file):
 * leading whitespace is dropped; blank lines and lines starting with `#` are skipped; `NAME=VALUE` sets
 * NAME to VALUE taken literally (no quotes removed, an empty VALUE sets an empty variable); a bare `NAME`
 * copies NAME from the environment of the `docker` command, if it is set there. The result overrides
 * the image's ENV, which is how an uncommented `HOST=` used to undo the image's HOST=0.0.0.0.
 */
export function readDockerEnvFile(text: string, hostEnv: NodeJS.ProcessEnv = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const at = line.indexOf('=');
    const name = at === -1 ? line : line.slice(0, at);
    if (name === '' || /\s/.test(name)) throw new Error(`env file: variable "${name}" contains whitespaces`);
    if (at !== -1) env[name] = line.slice(at + 1);
    else if (hostEnv[name] !== undefined) env[name] = hostEnv[name];
  }
  return env;
}
