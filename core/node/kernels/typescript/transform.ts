/**
 * A TypeScript cell → a script for the notebook's context. esbuild strips the types (fast, with a
 * source map); then top-level declarations become assignments to context-wide `var`s, so what one
 * cell declares exists in later cells and re-running a `const` cell works; `import` declarations
 * and `import()` calls go through `__probebook.import` (module-import.ts); the body runs in an
 * async function (top-level `await`) whose result is the last expression's value. Lines are kept
 * where they were and each edit's columns are recorded, so positions map back to the cell.
 */
import { transform } from 'esbuild';
import ts from 'typescript';
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
  const file = ts.createSourceFile('cell.js', js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const names = new Set<string>();
  const functions: string[] = [];
  const edits: Edit[] = [];
  const statements = file.statements;
  const lastIndex = statements.length - 1;
  statements.forEach((statement, index) => {
    const start = statement.getStart(file);
    if (ts.isVariableStatement(statement)) {
      const list = statement.declarationList;
      const keyword = js.slice(start, list.getStart(file) + (list.flags & ts.NodeFlags.Const ? 5 : 3));
      // `const ` → spaces of the same width: columns stay where they were.
      edits.push({ at: start, remove: keyword.length, insert: ' '.repeat(keyword.length) });
      for (const decl of list.declarations) {
        collectNames(decl.name, names);
        if (!ts.isIdentifier(decl.name)) {
          edits.push({ at: decl.name.getStart(file), remove: 0, insert: '(' });
          edits.push({ at: decl.end, remove: 0, insert: ')' });
        }
      }
    } else if (ts.isClassDeclaration(statement) && statement.name) {
      names.add(statement.name.text);
      edits.push({ at: start, remove: 0, insert: `${statement.name.text} = ` });
      edits.push({ at: statement.end, remove: 0, insert: ';' });
    } else if (ts.isFunctionDeclaration(statement) && statement.name) {
      // Declared (and hoisted) inside the cell's function; published to later cells at its start.
      functions.push(statement.name.text);
    } else if (ts.isImportDeclaration(statement)) {
      const spec = (statement.moduleSpecifier as ts.StringLiteral).text;
      const attributes = statement.attributes?.elements.map((a) => `${JSON.stringify(a.name.text)}: ${a.value.getText(file)}`);
      const source = `await __probebook.import(${JSON.stringify(spec)}${attributes ? `, { with: { ${attributes.join(', ')} } }` : ''})`;
      const clause = statement.importClause;
      let replacement = `${source};`;
      if (clause) {
        const parts: string[] = [];
        if (clause.name) {
          names.add(clause.name.text);
          parts.push(`${clause.name.text} = __m.default ?? __m;`);
        }
        const bindings = clause.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) {
          names.add(bindings.name.text);
          parts.push(`${bindings.name.text} = __m;`);
        } else if (bindings) {
          for (const el of bindings.elements) {
            names.add(el.name.text);
            parts.push(`${el.name.text} = __m[${JSON.stringify((el.propertyName ?? el.name).text)}];`);
          }
        }
        replacement = `{ const __m = ${source}; ${parts.join(' ')} }`;
      }
      const original = js.slice(start, statement.end);
      const newlines = original.split('\n').length - 1;
      edits.push({ at: start, remove: original.length, insert: replacement + '\n'.repeat(newlines) });
    } else if (index === lastIndex && ts.isExpressionStatement(statement) && !isAssignment(statement.expression)) {
      edits.push({ at: start, remove: 0, insert: 'return (' });
      edits.push({ at: statement.expression.end, remove: 0, insert: ')' });
    }
  });
  // `import(` → `__probebook.import(`, wherever it is (functions, classes, the last expression).
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      edits.push({ at: node.expression.getStart(file), remove: 'import'.length, insert: '__probebook.import' });
    ts.forEachChild(node, visit);
  };
  visit(file);
  // At one position an insertion (`return (`) goes before a replacement (`import`).
  edits.sort((a, b) => a.at - b.at || a.remove - b.remove);
  let body = '';
  let done = 0;
  const spans: EditSpan[] = [];
  const column = () => body.length - body.lastIndexOf('\n') - 1;
  for (const e of edits) {
    body += js.slice(done, e.at);
    const start = file.getLineAndCharacterOfPosition(e.at);
    const end = file.getLineAndCharacterOfPosition(e.at + e.remove);
    const from = column();
    body += e.insert;
    if (start.line === end.line) spans.push([start.line, from, column(), start.character, end.character]);
    else spans.push([start.line, from, Number.MAX_SAFE_INTEGER, start.character, start.character], [end.line, 0, column(), end.character, end.character]);
    done = e.at + e.remove;
  }
  body += js.slice(done);
  return { body, names, functions, spans };
}

function isAssignment(expression: ts.Expression): boolean {
  return (
    ts.isBinaryExpression(expression) &&
    expression.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
    expression.operatorToken.kind <= ts.SyntaxKind.LastAssignment
  );
}

function collectNames(name: ts.BindingName, into: Set<string>): void {
  if (ts.isIdentifier(name)) into.add(name.text);
  else for (const element of name.elements) if (!ts.isOmittedExpression(element)) collectNames(element.name, into);
}
