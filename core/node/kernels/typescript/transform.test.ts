import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CellSyntaxError, transformCell } from './transform.ts';

test('declarations become context-wide vars and functions are published, each line where it was', async () => {
  const { script } = await transformCell('const { a, b: [c] } = { a: 1, b: [2] };\nclass K {}\nfunction f() { return a; }\nlet n = 1;');
  assert.equal(
    script,
    'var a, c, K, n; (async () => { globalThis.f = f;       ({ a, b: [c] } = { a: 1, b: [2] });\nK = class K {\n};\nfunction f() {\n  return a;\n}\n    n = 1;\n\n})()',
  );
});

test('static and dynamic imports go through __probebook.import, attributes kept, one line each as written', async () => {
  const { script, spans } = await transformCell(
    "import fs, { join as j } from 'node:fs';\nimport data from './d.json' with { type: 'json' };\nconst os = await import('node:os');",
  );
  assert.equal(
    script,
    'var fs, j, data, os; (async () => { { const __m = await __probebook.import("node:fs"); fs = __m.default ?? __m; j = __m["join"]; }\n' +
      '{ const __m = await __probebook.import("./d.json", { with: { "type": "json" } }); data = __m.default ?? __m; }\n' +
      '      os = await __probebook.import("node:os");\n\n})()',
  );
  // Line 2's `import(` grew by 12 characters from column 17 of esbuild's output: positions after it map back.
  assert.deepEqual(
    spans.find(([line, , , at]) => line === 2 && at === 17),
    [2, 17, 35, 17, 23],
  );
});

test('the last expression is the cell value; an assignment is not', async () => {
  assert.equal((await transformCell('const x = 1;\nx + 1')).script, 'var x; (async () => {       x = 1;\nreturn (x + 1);\n\n})()');
  assert.equal((await transformCell('x = 5')).script, '(async () => { x = 5;\n\n})()');
});

test('a syntax error names the line and column in the cell', async () => {
  await assert.rejects(
    transformCell('let y = 1;\nconst = 1'),
    (error: unknown) => error instanceof CellSyntaxError && /^line 2, column 7: /.test(error.message),
  );
});
