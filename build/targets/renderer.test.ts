import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
// @ts-expect-error: the build scripts are plain ESM JavaScript without declarations.
import { pageModules } from './renderer.mjs';

const out = '/b/dist/renderer';
const file = (path: string, bytes: number, imports: [string, 'import-statement' | 'dynamic-import'][]) => [
  join(out, path),
  { bytes, imports: imports.map(([p, kind]) => ({ path: join(out, p), kind })) },
];

test("the page preloads app.js's static chunks, and names everything loaded after the first paint, biggest first", () => {
  const outputs = Object.fromEntries([
    file('app.js', 100, [
      ['chunks/shared-AAAAAAAA.js', 'import-statement'],
      ['chunks/outputs-BBBBBBBB.js', 'dynamic-import'],
    ]),
    file('editor.js', 10, [
      ['chunks/shared-AAAAAAAA.js', 'import-statement'],
      ['chunks/monaco-CCCCCCCC.js', 'import-statement'],
      ['chunks/shell-DDDDDDDD.js', 'dynamic-import'],
    ]),
    file('chunks/shared-AAAAAAAA.js', 5, []),
    file('chunks/outputs-BBBBBBBB.js', 50, [
      ['chunks/shared-AAAAAAAA.js', 'import-statement'],
      ['chunks/marked-EEEEEEEE.js', 'import-statement'],
    ]),
    file('chunks/marked-EEEEEEEE.js', 80, []),
    file('chunks/monaco-CCCCCCCC.js', 3000, [['chunks/ts-FFFFFFFF.js', 'dynamic-import']]),
    file('chunks/shell-DDDDDDDD.js', 3, []),
    file('chunks/ts-FFFFFFFF.js', 500, []),
  ]);
  const { eager, lazy } = pageModules(outputs, out);
  assert.deepEqual(eager, ['chunks/shared-AAAAAAAA.js']);
  assert.deepEqual(
    lazy,
    ['chunks/monaco-CCCCCCCC.js', 'chunks/marked-EEEEEEEE.js', 'chunks/outputs-BBBBBBBB.js', 'editor.js', 'chunks/shell-DDDDDDDD.js'],
    "not app.js's own chunk again, not the TypeScript service loaded on demand",
  );
});

test("the built page names files that exist, Monaco's editor.js among them", (t) => {
  const dir = resolve(import.meta.dirname, '../../dist/renderer');
  if (!existsSync(join(dir, 'index.html'))) return t.skip('not built (npm test builds first)');
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const lazy = /<meta name="probebook-lazy-modules" content="([^"]*)">/.exec(html)?.[1]?.split(' ') ?? [];
  assert.ok(lazy.includes('editor.js'));
  assert.ok(
    lazy.some((f) => f.startsWith('chunks/outputs-')),
    'the output renderers',
  );
  for (const f of lazy) assert.ok(existsSync(join(dir, f)), f);
  const eager = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]!);
  assert.ok(eager.length > 0);
  for (const f of eager) assert.ok(existsSync(join(dir, f)) && !lazy.includes(f), f);
});

test('the built page loads boot.js first, async, as a classic script with nothing to import', (t) => {
  const dir = resolve(import.meta.dirname, '../../dist/renderer');
  if (!existsSync(join(dir, 'index.html'))) return t.skip('not built (npm test builds first)');
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const boot = html.indexOf('<script src="boot.js" async></script>');
  assert.ok(boot > 0 && boot < html.indexOf('<link rel="stylesheet"') && boot < html.indexOf('src="app.js"'), 'ahead of the stylesheet and app.js');
  const js = readFileSync(join(dir, 'boot.js'), 'utf8');
  assert.doesNotMatch(js, /\bimport\b|\bexport\b/);
  assert.ok(js.length < 2048, `boot.js is ${js.length} bytes`);
});
