/** Where the project's files are, whether we run from src/ (tsx) or from dist/ (built). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${from}`);
    dir = parent;
  }
  return dir;
}

export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
export const tabBuildDirectory = join(projectRoot, 'dist', 'tab');

export function dataDirectory(configured: string): string {
  return resolve(projectRoot, configured);
}
