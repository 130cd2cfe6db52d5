/**
 * A TypeScript cell → a script for the notebook's context. esbuild strips the types (fast, with a
 * source map); then top-level declarations become assignments to context-wide `var`s, so what one
 * cell declares exists in later cells and re-running a `const` cell works; `import` declarations
 * and `import()` calls go through `__probebook.import` (module-import.ts); the body runs in an
 * async function (top-level `await`) whose result is the last expression's value. Lines are kept
 * where they were and each edit's columns are recorded, so positions map back to the cell.
 */
import { transform } from 'esbuild';
import { parse, type AnyNode, type Identifier, type Literal, type Pattern, type Program } from 'acorn';
import type { CellErrorData } from '../../../common/mime.ts';
import type { EditSpan } from './context-protocol.ts';

export interface TransformedCell {
  /** The script to run; its value is a promise of the last expression's value. */
  script: string;
  /** Where the edits moved columns, to map a position in the script back to esbuild's output. */
  spans: EditSpan[];
  /** esbuild's source map (JSON) from the JavaScript back to the cell. */
  map: string;
}

export class CellSyntaxError extends Error {
  constructor(readonly data: CellErrorData) {
    super(data.evalue);
  }
}

export async function transformCell(code: string, sourceName = 'cell.ts'): Promise<TransformedCell> {
  let js: string;
  let map: string;
  try {
    // verbatimModuleSyntax: an import whose names go unused still runs (side effects), as in a REPL.
    const out = await transform(code, {
      loader: 'ts',
      format: 'esm',
      target: 'es2022',
      sourcemap: 'external',
      sourcefile: sourceName,
      supported: { 'top-level-await': true, 'import-attributes': true },
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    });
    js = out.code;
    map = out.map;
  } catch (error) {
    const first = (error as { errors?: { text: string; location?: { line: number; column: number; lineText: string } }[] }).errors?.[0];
    const loc = first?.location;
    throw new CellSyntaxError({
      ename: 'SyntaxError',
      evalue: loc ? `line ${loc.line}, column ${loc.column + 1}: ${first!.text}` : (first?.text ?? (error as Error).message),
      traceback: loc ? [`${String(loc.line).padStart(4)} | ${loc.lineText}`, `     | ${' '.repeat(loc.column)}^`] : [],
      location: loc ? { line: loc.line, column: loc.column + 1 } : undefined,
    });
  }
  const { body, names, functions, spans } = rewrite(js);
  const publish = functions.map((f) => `globalThis.${f} = ${f}; `).join('');
  const prefix = `${names.size ? `var ${[...names].join(', ')}; ` : ''}(async () => { ${publish}`;
  const shifted = spans.map(
    ([line, from, to, at, after]): EditSpan => (line === 0 ? [line, from + prefix.length, to + prefix.length, at, after] : [line, from, to, at, after]),
  );
  return { script: `${prefix}${body}\n})()`, spans: [[0, 0, prefix.length, 0, 0], ...shifted], map };
}

interface Edit {
  at: number;
  remove: number;
  insert: string;
}

function rewrite(js: string): { body: string; names: Set<string>; functions: string[]; spans: EditSpan[] } {
  const program = parseScript(js);
  const names = new Set<string>();
  const functions: string[] = [];
  const edits: Edit[] = [];
  const statements = program.body;
  const lastIndex = statements.length - 1;
  statements.forEach((statement, index) => {
    const start = statement.start;
    const variables =
      statement.type === 'VariableDeclaration'
        ? statement
        : statement.type === 'ExportNamedDeclaration' && statement.declaration?.type === 'VariableDeclaration'
          ? statement.declaration
          : null;
    if (variables) {
      // `const ` (or `export const `) → spaces of the same width: columns stay where they were.
      const keyword = js.slice(start, variables.start + variables.kind.length);
      edits.push({ at: start, remove: keyword.length, insert: ' '.repeat(keyword.length) });
      for (const decl of variables.declarations) {
        collectNames(decl.id, names);
        if (decl.id.type !== 'Identifier') {
          edits.push({ at: decl.id.start, remove: 0, insert: '(' });
          edits.push({ at: decl.end, remove: 0, insert: ')' });
        }
      }
    } else if (statement.type === 'ClassDeclaration' && statement.id) {
      names.add(statement.id.name);
      edits.push({ at: start, remove: 0, insert: `${statement.id.name} = ` });
      edits.push({ at: statement.end, remove: 0, insert: ';' });
    } else if (statement.type === 'FunctionDeclaration' && statement.id) {
      // Declared (and hoisted) inside the cell's function; published to later cells at its start.
      functions.push(statement.id.name);
    } else if (statement.type === 'ImportDeclaration') {
      const spec = String(statement.source.value);
      const attributes = statement.attributes.map((a) => `${JSON.stringify(propertyName(a.key))}: ${js.slice(a.value.start, a.value.end)}`);
      const source = `await __probebook.import(${JSON.stringify(spec)}${attributes.length ? `, { with: { ${attributes.join(', ')} } }` : ''})`;
      let replacement = `${source};`;
      if (statement.specifiers.length) {
        const parts: string[] = [];
        for (const specifier of statement.specifiers) {
          names.add(specifier.local.name);
          if (specifier.type === 'ImportDefaultSpecifier') parts.push(`${specifier.local.name} = __m.default ?? __m;`);
          else if (specifier.type === 'ImportNamespaceSpecifier') parts.push(`${specifier.local.name} = __m;`);
          else parts.push(`${specifier.local.name} = __m[${JSON.stringify(propertyName(specifier.imported))}];`);
        }
        replacement = `{ const __m = ${source}; ${parts.join(' ')} }`;
      }
      const original = js.slice(start, statement.end);
      const newlines = original.split('\n').length - 1;
      edits.push({ at: start, remove: original.length, insert: replacement + '\n'.repeat(newlines) });
    } else if (index === lastIndex && statement.type === 'ExpressionStatement' && statement.expression.type !== 'AssignmentExpression') {
      edits.push({ at: start, remove: 0, insert: 'return (' });
      edits.push({ at: statement.expression.end, remove: 0, insert: ')' });
    }
  });
  // `import(` → `__probebook.import(`, wherever it is (functions, classes, the last expression).
  visitNodes(program, (node) => {
    if (node.type === 'ImportExpression') edits.push({ at: node.start, remove: 'import'.length, insert: '__probebook.import' });
  });
  // At one position an insertion (`return (`) goes before a replacement (`import`).
  edits.sort((a, b) => a.at - b.at || a.remove - b.remove);
  const position = lineAndCharacter(js);
  let body = '';
  let done = 0;
  const spans: EditSpan[] = [];
  const column = () => body.length - body.lastIndexOf('\n') - 1;
  for (const e of edits) {
    body += js.slice(done, e.at);
    const start = position(e.at);
    const end = position(e.at + e.remove);
    const from = column();
    body += e.insert;
    if (start.line === end.line) spans.push([start.line, from, column(), start.character, end.character]);
    else spans.push([start.line, from, Number.MAX_SAFE_INTEGER, start.character, start.character], [end.line, 0, column(), end.character, end.character]);
    done = e.at + e.remove;
  }
  body += js.slice(done);
  return { body, names, functions, spans };
}

/** esbuild's output, which it has checked: a parse error here is a bug of ours, said as one. */
function parseScript(js: string): Program {
  try {
    // preserveParens: `(a = 1)` as the last line is a value to show, not an assignment.
    return parse(js, { ecmaVersion: 'latest', sourceType: 'module', allowAwaitOutsideFunction: true, preserveParens: true });
  } catch (error) {
    throw new CellSyntaxError({ ename: 'SyntaxError', evalue: `Probebook could not read the compiled cell: ${(error as Error).message}`, traceback: [] });
  }
}

/** Calls `visit` for every node below `node` (ESTree nodes: objects with a `type`). */
function visitNodes(node: AnyNode, visit: (node: AnyNode) => void): void {
  visit(node);
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) visitNodes(item, visit);
    } else if (isNode(value)) visitNodes(value, visit);
  }
}

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** Line and character (0-based) of an offset; lines end at LF, CR, CRLF, U+2028 and U+2029, as V8 counts them. */
function lineAndCharacter(text: string): (offset: number) => { line: number; character: number } {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) starts.push(i + 1);
  }
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: offset - starts[low]! };
  };
}

function propertyName(key: Identifier | Literal): string {
  return key.type === 'Identifier' ? key.name : String(key.value);
}

function collectNames(pattern: Pattern, into: Set<string>): void {
  switch (pattern.type) {
    case 'Identifier':
      into.add(pattern.name);
      break;
    case 'ObjectPattern':
      for (const property of pattern.properties) collectNames(property.type === 'RestElement' ? property.argument : property.value, into);
      break;
    case 'ArrayPattern':
      for (const element of pattern.elements) if (element) collectNames(element, into);
      break;
    case 'AssignmentPattern':
      collectNames(pattern.left, into);
      break;
    case 'RestElement':
      collectNames(pattern.argument, into);
      break;
    default:
      break; // MemberExpression: not a declaration's pattern
  }
}
