/**
 * Finds, with the TypeScript compiler, every problem code the API can answer and every field
 * code a field error can carry, from the source itself rather than from a list kept by hand:
 *
 * - each `new X(...)` and `super(...)` of a domain error (a class derived from `DomainError`):
 *   the literal type(s) of the argument in the `code` position, or the parameter's default
 *   when it is left out; a subclass that passes its own parameter on is followed to its
 *   callers, and one that passes something else contributes what that is;
 * - each problem written directly: an object literal with a `code` and a `type` of
 *   `https://meent.app/problems/...` (the socket-level answers), or handed to `sendProblem`;
 * - the members of the `FieldCode` union in src/errors/domain-errors.ts.
 *
 * A code whose value the compiler cannot narrow to literals is reported as unresolved, so a
 * new throw site that computes its code must make it traceable (a literal union, `as const`).
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { projectProgram } from '../support/project-program.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOMAIN_ERRORS = join(ROOT, 'src', 'errors', 'domain-errors.ts');

export interface CodeScan {
  /** Problem codes the API may answer, each with where it comes from (file:line). */
  problemCodes: Map<string, string[]>;
  /** Codes a field error may carry. */
  fieldCodes: Set<string>;
  /** Places whose code the compiler could not narrow to string literals. */
  unresolved: string[];
}

function sourceFiles(dir: string): string[] {
  return ts.sys.readDirectory(join(ROOT, dir), ['.ts'], undefined, ['**/*.ts']).filter((f) => !f.endsWith('.d.ts'));
}

/** Every string literal a type stands for, or undefined when it is not made of string literals only. */
function literals(type: ts.Type): string[] | undefined {
  const parts = type.isUnion() ? type.types : [type];
  const out: string[] = [];
  for (const part of parts) {
    if (part.isStringLiteral()) out.push(part.value);
    else if (part.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) continue;
    else return undefined;
  }
  return out;
}

export function scanProblemCodes(): CodeScan {
  const program = projectProgram([...sourceFiles('src'), ...sourceFiles('bot')]);
  const checker = program.getTypeChecker();
  const domainFile = program.getSourceFile(DOMAIN_ERRORS);
  if (!domainFile) throw new Error('src/errors/domain-errors.ts is not in the program');

  const problemCodes = new Map<string, string[]>();
  const unresolved: string[] = [];
  const where = (node: ts.Node) => {
    const file = node.getSourceFile();
    return `${relative(ROOT, file.fileName)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  };
  const add = (codes: string[], node: ts.Node) => {
    for (const code of codes) problemCodes.set(code, [...(problemCodes.get(code) ?? []), where(node)]);
  };

  let domainError: ts.Symbol | undefined;
  let fieldCode: ts.Type | undefined;
  ts.forEachChild(domainFile, (node) => {
    if (ts.isClassDeclaration(node) && node.name?.text === 'DomainError') domainError = checker.getSymbolAtLocation(node.name);
    if (ts.isTypeAliasDeclaration(node) && node.name.text === 'FieldCode') fieldCode = checker.getTypeAtLocation(node.name);
  });
  if (!domainError || !fieldCode) throw new Error('DomainError or FieldCode not found');

  const classOf = (type: ts.Type): ts.InterfaceType | undefined => {
    const target = (type as ts.TypeReference).target ?? type;
    return target.isClass() ? (target as ts.InterfaceType) : undefined;
  };
  const isDomainError = (type: ts.Type): boolean => {
    for (let c = classOf(type); c; ) {
      if (c.getSymbol() === domainError) return true;
      const [base] = checker.getBaseTypes(c);
      c = base ? classOf(base) : undefined;
    }
    return false;
  };

  type CodeHolder = ts.SignatureDeclaration;
  const calls: Array<ts.CallExpression | ts.NewExpression> = [];
  const nameOf = (holder: CodeHolder): string | undefined => {
    if (ts.isConstructorDeclaration(holder)) return ts.isClassDeclaration(holder.parent) ? holder.parent.name?.text : undefined;
    if (holder.name && ts.isIdentifier(holder.name)) return holder.name.text;
    // An arrow function or function expression assigned to a const.
    return ts.isVariableDeclaration(holder.parent) && ts.isIdentifier(holder.parent.name) ? holder.parent.name.text : undefined;
  };
  /** Whether a call may reach the holder, judged by name before asking the checker. */
  const mayCall = (call: ts.CallExpression | ts.NewExpression, holder: CodeHolder, name: string): boolean => {
    if (ts.isCallExpression(call) && call.expression.kind === ts.SyntaxKind.SuperKeyword) return ts.isConstructorDeclaration(holder);
    const callee = call.expression.getText();
    return callee === name || callee.endsWith(`.${name}`) || (ts.isConstructorDeclaration(holder) && ts.isNewExpression(call));
  };

  /** A function or constructor parameter that carries a code: its default, and what each caller passes. */
  const seen = new Set<string>();
  const work: Array<[CodeHolder, number]> = [];
  const follow = (holder: CodeHolder, index: number) => {
    const key = `${where(holder)}#${index}`;
    if (seen.has(key)) return;
    seen.add(key);
    work.push([holder, index]);
  };
  const judge = (arg: ts.Expression, at: ts.Node) => {
    const declaration = ts.isIdentifier(arg) ? checker.getSymbolAtLocation(arg)?.valueDeclaration : undefined;
    if (declaration && ts.isParameter(declaration) && ts.isFunctionLike(declaration.parent)) {
      follow(declaration.parent, declaration.parent.parameters.indexOf(declaration));
      return;
    }
    const codes = literals(checker.getTypeAtLocation(arg));
    if (codes) add(codes, at);
    else unresolved.push(`${where(arg)} (${arg.getText()})`);
  };
  const visitProblemLiteral = (object: ts.ObjectLiteralExpression) => {
    const property = (name: string) => object.properties.find((p): p is ts.PropertyAssignment | ts.ShorthandPropertyAssignment => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && p.name.getText() === name);
    const code = property('code');
    if (!code) return;
    const type = property('type');
    const isProblemBody = type !== undefined && ts.isPropertyAssignment(type) && type.initializer.getText().includes('meent.app/problems/');
    const call = object.parent;
    const isSendProblem = ts.isCallExpression(call) && call.expression.getText().endsWith('sendProblem');
    if (!isProblemBody && !isSendProblem) return;
    const value = ts.isPropertyAssignment(code) ? code.initializer : code.name;
    // A domain error's own code (the error handler) is found where the error is made.
    if (ts.isPropertyAccessExpression(value) && value.name.text === 'code' && isDomainError(checker.getTypeAtLocation(value.expression))) return;
    const codes = literals(checker.getTypeAtLocation(value));
    if (codes) add(codes, value);
    else unresolved.push(`${where(value)} (${value.getText()})`);
  };

  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile || !file.fileName.startsWith(ROOT) || file.fileName.includes('node_modules')) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) || ts.isCallExpression(node)) calls.push(node);
      if (ts.isObjectLiteralExpression(node)) visitProblemLiteral(node);
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  // DomainError's own `code` parameter, then every parameter that passes a code on to it.
  const domainConstructor = domainFile.statements.flatMap((st) => (ts.isClassDeclaration(st) && st.name?.text === 'DomainError' ? st.members.filter(ts.isConstructorDeclaration) : []))[0];
  if (!domainConstructor) throw new Error('DomainError has no constructor');
  follow(domainConstructor, domainConstructor.parameters.findIndex((p) => p.name.getText() === 'code'));
  for (let item = work.shift(); item; item = work.shift()) {
    const [holder, index] = item;
    const parameter = holder.parameters[index]!;
    if (parameter.initializer) judge(parameter.initializer, parameter);
    const name = nameOf(holder);
    if (!name) {
      unresolved.push(`${where(holder)} (a code parameter of an unnamed function)`);
      continue;
    }
    for (const call of calls) {
      if (!mayCall(call, holder, name) || checker.getResolvedSignature(call)?.getDeclaration() !== holder) continue;
      const arg = call.arguments?.[index];
      if (arg) judge(arg, arg);
      else if (!parameter.initializer && !parameter.questionToken) unresolved.push(`${where(call)} (no code)`);
    }
  }
  return { problemCodes, fieldCodes: new Set(literals(fieldCode) ?? []), unresolved };
}
