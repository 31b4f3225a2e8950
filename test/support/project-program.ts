/** A TypeScript program over some of the project's files with the project's settings (tsconfig.json), for tests that read the code with the compiler. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function projectProgram(rootNames: readonly string[]): ts.Program {
  return ts.createProgram(rootNames, {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    resolveJsonModule: true,
    baseUrl: PROJECT_ROOT,
    // As in tsconfig.json: adaptivecards-templating's typings point into adaptivecards' sources.
    paths: { 'adaptivecards/src/schema': ['./node_modules/adaptivecards/lib/schema.d.ts'] },
  });
}
