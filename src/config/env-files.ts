/**
 * Outside production, settings may come from the committed `env/.env.local` (local-mode
 * defaults) and the ignored `env/.env.local.user` (a developer's own secrets). Variables
 * already in the process environment always win. Production reads the environment only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';

export function withEnvironmentFiles(env: NodeJS.ProcessEnv, projectRoot: string): NodeJS.ProcessEnv {
  if (env.NODE_ENV === 'production') return env;
  const fromFiles: Record<string, string> = {};
  for (const name of ['.env.local', '.env.local.user']) {
    const path = join(projectRoot, 'env', name);
    if (existsSync(path)) Object.assign(fromFiles, parse(readFileSync(path)));
  }
  return { ...fromFiles, ...env };
}
