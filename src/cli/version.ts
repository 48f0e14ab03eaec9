/**
 * The version of sora-bot, from its package.json. Found by walking up from this file, because the
 * same module runs from src/cli (tsx) and from dist/src/cli (the build), at different depths.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const PackageSchema = z.object({ name: z.literal('sora-bot'), version: z.string().min(1) });

export function packageVersion(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const parsed = PackageSchema.safeParse(JSON.parse(readFileSync(candidate, 'utf8')));
      if (parsed.success) return parsed.data.version;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json of sora-bot above ${from}`);
  }
}
