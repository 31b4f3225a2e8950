/**
 * Which surface reaches each API operation, found by reading the code rather than a list:
 *
 * - the tab: every call on the API client in tab/src/api (`api.get|post|put|patch|delete|file|request`)
 *   with its path worked out from literals, templates, local helpers (`path(id)`) and both
 *   sides of a condition; then, through the import graph, each page of the router
 *   (tab/src/router/page-registry.ts, its route from hash-router.ts) whose files import that
 *   call's function. A page added later is found the same way.
 * - the bot: the service methods each operation's handler calls (src/**\/*.routes.ts, by the
 *   compiler's resolution of the call), and the bot files (bot/) that call the same methods.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { projectProgram } from '../support/project-program.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TAB = join(ROOT, 'tab', 'src');

function walk(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name), ext) : ext.test(e.name) ? [join(dir, e.name)] : []));
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2023, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
}

/** `METHOD /path/{}/more`: a path with every parameter written `{}`. */
export type OperationKey = string;

export function keyOf(method: string, path: string): OperationKey {
  return `${method.toUpperCase()} ${path.split('?')[0]!.replace(/\{[^}]*\}/g, '{}')}`;
}

const CLIENT_METHODS: Record<string, string> = { get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', delete: 'DELETE', file: 'GET' };

/** The paths an expression may stand for; undefined when it is not made from literals and local helpers. */
function pathsOf(expr: ts.Expression, lookup: (name: string, at: ts.Node) => ts.Expression | undefined, depth = 0): string[] | undefined {
  if (depth > 8) return undefined;
  if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return [expr.text];
  if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr)) return pathsOf(expr.expression, lookup, depth + 1);
  if (ts.isConditionalExpression(expr)) {
    const a = pathsOf(expr.whenTrue, lookup, depth + 1);
    const b = pathsOf(expr.whenFalse, lookup, depth + 1);
    return a && b ? [...a, ...b] : undefined;
  }
  if (ts.isTemplateExpression(expr)) {
    let out = [expr.head.text];
    for (const span of expr.templateSpans) {
      // A part that is itself a path (`${path(id)}/replies`) is followed; anything else is a parameter.
      const inner = pathsOf(span.expression, lookup, depth + 1)?.filter((p) => p.startsWith('/'));
      const parts = inner && inner.length > 0 ? inner : ['{}'];
      out = out.flatMap((prefix) => parts.map((part) => `${prefix}${part}${span.literal.text}`));
    }
    return out;
  }
  if (ts.isIdentifier(expr)) {
    const init = lookup(expr.text, expr);
    return init ? pathsOf(init, lookup, depth + 1) : undefined;
  }
  if (ts.isCallExpression(expr) && ts.isIdentifier(expr.expression)) {
    const fn = lookup(expr.expression.text, expr);
    if (fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) {
      if (!ts.isBlock(fn.body)) return pathsOf(fn.body, lookup, depth + 1);
      const returns: ts.Expression[] = [];
      const find = (n: ts.Node): void => {
        if (ts.isReturnStatement(n) && n.expression) returns.push(n.expression);
        else if (!ts.isFunctionLike(n)) ts.forEachChild(n, find);
      };
      find(fn.body);
      const all = returns.map((r) => pathsOf(r, lookup, depth + 1));
      return all.every((p) => p) ? all.flatMap((p) => p!) : undefined;
    }
  }
  return undefined;
}

export interface TabCalls {
  /** Operation -> `module#function` names of tab/src/api that call it. */
  byOperation: Map<OperationKey, Set<string>>;
  /** API calls whose path is worked out at run time (e.g. a download link the server gave). */
  dynamic: string[];
}

/** Every API client call in tab/src (mostly tab/src/api), by the top-level function or class that makes it. */
export function tabApiCalls(): TabCalls {
  const byOperation = new Map<OperationKey, Set<string>>();
  const dynamic: string[] = [];
  // `module#caller` -> `module#callee`: a top-level function that calls another of its module
  // (an upload that starts, sends and resumes through the module's own small functions) reaches
  // what that one reaches.
  const sameModuleCalls: [string, string][] = [];
  for (const file of walk(TAB, /\.tsx?$/)) {
    const source = parse(file);
    const moduleName = relative(TAB, file).replace(/\.tsx?$/, '');
    // Module-level consts and functions, for `path(id)` and `const base = ...`.
    const top = new Map<string, ts.Expression>();
    for (const st of source.statements) {
      if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.initializer) top.set(d.name.text, d.initializer);
      if (ts.isFunctionDeclaration(st) && st.name && st.body) top.set(st.name.text, ts.factory.createFunctionExpression(undefined, undefined, undefined, undefined, st.parameters, undefined, st.body));
    }
    const lookup = (name: string, at: ts.Node): ts.Expression | undefined => {
      // A local const in an enclosing function first.
      for (let n: ts.Node | undefined = at.parent; n; n = n.parent) {
        if (ts.isBlock(n) || ts.isSourceFile(n)) {
          for (const st of n.statements) {
            if (ts.isVariableStatement(st)) {
              for (const d of st.declarationList.declarations) {
                if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) return d.initializer;
                // `const { ... } = x` leaves nothing to follow.
              }
            }
          }
        }
      }
      return top.get(name);
    };
    const visit = (node: ts.Node, owner: string | undefined): void => {
      let current = owner;
      if ((ts.isFunctionDeclaration(node) && node.name) || (ts.isClassDeclaration(node) && node.name) || (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isArrowFunction(node.initializer))) {
        if (owner === undefined) current = (node.name as ts.Identifier).text;
      }
      // The client is `api` (a parameter or `useApi()`) or a class's `this.api` (the page-view beacon).
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && /^(this\.)?api$/.test(node.expression.expression.getText())) {
        const name = node.expression.name.text;
        let method = CLIENT_METHODS[name];
        let pathArg = node.arguments[0];
        if (name === 'request') {
          const m = node.arguments[0];
          method = m && ts.isStringLiteral(m) ? m.text : undefined;
          pathArg = node.arguments[1];
        }
        if (method && pathArg) {
          const paths = pathsOf(pathArg, lookup);
          const who = `${moduleName}#${current ?? '(module)'}`;
          if (!paths) dynamic.push(`${who}: ${method} ${pathArg.getText()}`);
          for (const path of paths ?? []) {
            const key = keyOf(method, path);
            byOperation.set(key, (byOperation.get(key) ?? new Set()).add(who));
          }
        }
      }
      if (current && ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text !== current && top.has(node.expression.text)) {
        sameModuleCalls.push([`${moduleName}#${current}`, `${moduleName}#${node.expression.text}`]);
      }
      ts.forEachChild(node, (child) => visit(child, current));
    };
    visit(source, undefined);
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const who of byOperation.values()) {
      for (const [caller, callee] of sameModuleCalls) {
        if (who.has(callee) && !who.has(caller)) {
          who.add(caller);
          grew = true;
        }
      }
    }
  }
  return { byOperation, dynamic };
}

/** Each tab surface (`#/route` of a page, or a surface Teams shows without navigation), with the `module#function`s of tab/src/api its files import. */
export function tabSurfaces(): Map<string, Set<string>> {
  const files = walk(TAB, /\.tsx?$/);
  const imports = new Map<string, { files: string[]; apiFunctions: string[] }>();
  for (const file of files) {
    const source = parse(file);
    const entry = { files: [] as string[], apiFunctions: [] as string[] };
    for (const st of source.statements) {
      if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier) || !st.moduleSpecifier.text.startsWith('.')) continue;
      const target = resolve(dirname(file), st.moduleSpecifier.text).replace(/\.js$/, '');
      const real = [`${target}.ts`, `${target}.tsx`].find((f) => imports.has(f) || files.includes(f));
      if (!real) continue;
      entry.files.push(real);
      const bindings = st.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings) && !st.importClause?.isTypeOnly) {
        const moduleName = relative(TAB, real).replace(/\.tsx?$/, '');
        for (const el of bindings.elements) if (!el.isTypeOnly) entry.apiFunctions.push(`${moduleName}#${(el.propertyName ?? el.name).text}`);
      }
    }
    // What a file outside tab/src/api calls itself (a component using the client directly, the page-view beacon).
    if (!file.startsWith(join(TAB, 'api'))) entry.apiFunctions.push(`${relative(TAB, file).replace(/\.tsx?$/, '')}#*`);
    imports.set(file, entry);
  }
  const closure = (start: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length > 0) {
      const f = stack.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      stack.push(...(imports.get(f)?.files ?? []));
    }
    return seen;
  };
  const functionsOf = (start: string) => new Set([...closure(start)].flatMap((f) => imports.get(f)?.apiFunctions ?? []));

  // The routes: name -> `#/path` (hash-router.ts), and the page file of each (page-registry.ts).
  const routes = new Map<string, string>();
  for (const m of readFileSync(join(TAB, 'router', 'hash-router.ts'), 'utf8').matchAll(/\['(\w+)', '(\/[^']*)'\]/g)) routes.set(m[1]!, m[2]!);
  const surfaces = new Map<string, Set<string>>();
  const registry = parse(join(TAB, 'router', 'page-registry.ts'));
  const visit = (node: ts.Node, name: string | undefined): void => {
    let current = name;
    if ((ts.isPropertyAssignment(node) || ts.isVariableDeclaration(node)) && node.name && ts.isIdentifier(node.name)) current = node.name.text;
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0]!)) {
      const page = resolve(join(TAB, 'router'), (node.arguments[0] as ts.StringLiteral).text).replace(/\.js$/, '.tsx');
      const surface = current && routes.has(current) ? `#${routes.get(current)}` : `${current ?? 'page'} (${relative(TAB, page)})`;
      surfaces.set(surface, functionsOf(page));
    }
    ts.forEachChild(node, (child) => visit(child, current));
  };
  visit(registry, undefined);
  // What the shell around every page calls (the navigation, who am I, page views).
  surfaces.set('every page (the shell)', new Set([...functionsOf(join(TAB, 'app.tsx')), ...functionsOf(join(TAB, 'main.tsx'))]));
  return surfaces;
}

/** Operation -> bot files that call a service method the operation's handler calls. */
export function botReach(operations: ReadonlyArray<{ key: OperationKey; operationId: string }>): Map<OperationKey, Set<string>> {
  const routeFiles = walk(join(ROOT, 'src'), /\.routes\.ts$/);
  const botFiles = walk(join(ROOT, 'bot'), /\.ts$/);
  const program = projectProgram([...routeFiles, ...botFiles]);
  const checker = program.getTypeChecker();
  const declOf = (call: ts.CallExpression): ts.Declaration | undefined => {
    const d = checker.getResolvedSignature(call)?.getDeclaration();
    // Service methods only: a method of a class or interface under src/ (not a library's).
    if (!d || !(ts.isMethodDeclaration(d) || ts.isMethodSignature(d))) return undefined;
    const file = d.getSourceFile().fileName;
    return file.startsWith(join(ROOT, 'src')) && !file.endsWith('.routes.ts') ? d : undefined;
  };
  const calls = (node: ts.Node, out: Set<ts.Declaration>): Set<ts.Declaration> => {
    if (ts.isCallExpression(node)) {
      const d = declOf(node);
      if (d) out.add(d);
    }
    ts.forEachChild(node, (child) => void calls(child, out));
    return out;
  };
  // operationId -> the service methods its handler calls.
  const handlerCalls = new Map<string, Set<ts.Declaration>>();
  for (const file of routeFiles) {
    const source = program.getSourceFile(file)!;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && node.arguments.length >= 3 && ts.isObjectLiteralExpression(node.arguments[1]!)) {
        const spec = node.arguments[1];
        const id = spec.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === 'operationId');
        if (id) {
          const ids = ts.isStringLiteral(id.initializer) ? [id.initializer.text] : operations.map((o) => o.operationId).filter((o) => new RegExp(`^${id.initializer.getText().replace(/^`|`$/g, '').replace(/\$\{[^}]+\}/g, '.+')}$`).test(o));
          const methods = calls(node.arguments[2]!, new Set());
          for (const opId of ids) handlerCalls.set(opId, new Set([...(handlerCalls.get(opId) ?? []), ...methods]));
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  const botCalls = new Map<ts.Declaration, Set<string>>();
  for (const file of botFiles) {
    const source = program.getSourceFile(file)!;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const d = declOf(node);
        if (d) botCalls.set(d, (botCalls.get(d) ?? new Set()).add(relative(ROOT, file)));
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  const reach = new Map<OperationKey, Set<string>>();
  for (const op of operations) {
    const files = new Set([...(handlerCalls.get(op.operationId) ?? [])].flatMap((d) => [...(botCalls.get(d) ?? [])]));
    if (files.size > 0) reach.set(op.key, files);
  }
  return reach;
}
