// TypeScript cells: the real kernel (esbuild, a context process per notebook), and the notebook
// API through the runner, the CLI included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TypeScriptKernel } from '../../core/node/kernels/typescript-kernel.ts';
import type { ExecutionRequest } from '../../core/node/kernels/kernel.ts';
import type { CellErrorData } from '../../core/common/mime.ts';
import type { OutputItem } from '../../core/common/notebook/model.ts';

const root = resolve(import.meta.dirname, '../..');
const samples = join(root, 'test/fixtures/iperf3');

function request(code: string, over: Partial<ExecutionRequest> = {}) {
  const out: string[] = [];
  const displays: OutputItem[][] = [];
  const errors: CellErrorData[] = [];
  const req: ExecutionRequest = {
    notebookKey: 'nb',
    cellId: 'c',
    language: 'typescript',
    code,
    cwd: tmpdir(),
    env: {},
    args: [],
    signal: new AbortController().signal,
    sink: {
      stream: (_n, t) => out.push(t),
      display: (items) => displays.push(items),
      update: () => undefined,
      clear: () => undefined,
      error: (e) => errors.push(e),
    },
    ...over,
  };
  return { req, out, displays, errors, text: () => out.join('') };
}

test('declarations live on in later cells, a const cell runs twice, top-level await works', async (t) => {
  const kernel = new TypeScriptKernel();
  t.after(() => kernel.dispose());
  const first = request(
    'const rate: number = 40;\nfunction double(n: number): number { return n * 2; }\nclass Meter { v = 1 }\nlet [a, { b }] = [1, { b: 2 }];',
  );
  assert.equal((await kernel.execute(first.req)).status, 'ok', JSON.stringify(first.errors));
  assert.equal((await kernel.execute(first.req)).status, 'ok', 're-running a cell that declares const works');
  const second = request('await new Promise((r) => setTimeout(r, 20));\nconsole.log(double(rate) + a + b, new Meter().v);');
  assert.equal((await kernel.execute(second.req)).status, 'ok', JSON.stringify(second.errors));
  assert.equal(second.text(), '83 1\n');
});

test('imports: Node built-ins and packages installed next to the notebook', async (t) => {
  const kernel = new TypeScriptKernel();
  t.after(() => kernel.dispose());
  const dir = mkdtempSync(join(tmpdir(), 'pb-ts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'node_modules/lab-helper'), { recursive: true });
  writeFileSync(
    join(dir, 'node_modules/lab-helper/package.json'),
    JSON.stringify({ name: 'lab-helper', version: '1.0.0', type: 'module', exports: './index.js' }),
  );
  writeFileSync(join(dir, 'node_modules/lab-helper/index.js'), 'export const answer = 42; export default function hello() { return "hi"; }');
  const r = request("import os from 'node:os';\nimport hello, { answer } from 'lab-helper';\nconsole.log(typeof os.hostname(), hello(), answer);", {
    cwd: dir,
  });
  assert.equal((await kernel.execute(r.req)).status, 'ok', JSON.stringify(r.errors));
  assert.equal(r.text(), 'string hi 42\n');
  const missing = request("import nope from 'no-such-package-pb';");
  await kernel.execute(missing.req);
  assert.match(missing.errors[0]!.evalue, /Cannot find package 'no-such-package-pb': install it next to the notebook/);
});

/** A notebook folder with a helper module, a JSON file and an ESM-only package (no `require` export). */
function labFolder(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-ts-import-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib/helper.mjs'), 'export const where = "helper";');
  writeFileSync(join(dir, 'data.json'), '{ "n": 5 }');
  mkdirSync(join(dir, 'node_modules/esm-lab'), { recursive: true });
  writeFileSync(
    join(dir, 'node_modules/esm-lab/package.json'),
    JSON.stringify({ name: 'esm-lab', version: '1.0.0', type: 'module', exports: { '.': { import: './index.js' } } }),
  );
  writeFileSync(join(dir, 'node_modules/esm-lab/index.js'), 'export const answer = 42;');
  return dir;
}

test('dynamic import() loads Node built-ins, paths from the notebook folder, absolute paths and its packages, as static import does', async (t) => {
  const kernel = new TypeScriptKernel();
  t.after(() => kernel.dispose());
  const dir = labFolder(t);
  const dynamic = request(
    [
      "process.chdir('/'); // the notebook's folder is the base, not the process's working directory",
      "const { readFile } = await import('node:fs/promises');",
      "const helper = await import('./lib/helper.mjs');",
      `const same = await import(${JSON.stringify(join(dir, 'lib/helper.mjs'))});`,
      "const { answer } = await import('esm-lab');",
      "const data = await import('./data.json', { with: { type: 'json' } });",
      'async function load(name: string) { return import(name); }',
      'console.log(typeof readFile, helper.where, same === helper, answer, data.default.n);',
    ].join('\n'),
    { cwd: dir },
  );
  assert.equal((await kernel.execute(dynamic.req)).status, 'ok', JSON.stringify(dynamic.errors));
  assert.equal(dynamic.text(), 'function helper true 42 5\n');
  const later = request("const { where: w } = await load('./lib/helper.mjs');\nconsole.log(w);", { cwd: dir });
  assert.equal((await kernel.execute(later.req)).status, 'ok', JSON.stringify(later.errors));
  assert.equal(later.text(), 'helper\n', 'import() in a function declared by an earlier cell');
  const statics = request(
    "import { where } from './lib/helper.mjs';\nimport { answer as a } from 'esm-lab';\nimport d from './data.json' with { type: 'json' };\nconsole.log(where, a, d.n);",
    { cwd: dir },
  );
  assert.equal((await kernel.execute(statics.req)).status, 'ok', JSON.stringify(statics.errors));
  assert.equal(statics.text(), 'helper 42 5\n');
});

test('an import that cannot be found names the specifier, where it was looked for, and the cell line', async (t) => {
  const kernel = new TypeScriptKernel();
  t.after(() => kernel.dispose());
  const dir = labFolder(t);
  const run = async (code: string) => {
    const r = request(code, { cwd: dir });
    assert.equal((await kernel.execute(r.req)).status, 'failed', `${code} should fail`);
    return r.errors[0]!;
  };
  const file = await run("const x = 1;\nconst m = await import('./nope.mjs');");
  assert.equal(
    file.evalue,
    `line 2, column 17: Cannot find module './nope.mjs': there is no ${join(dir, 'nope.mjs')} (a relative path starts at the notebook's folder)`,
  );
  assert.deepEqual(file.location, { line: 2, column: 17 });
  const pkg = await run("await import('no-such-package-pb/sub');");
  assert.match(pkg.evalue, /^line 1, column 7: Cannot find package 'no-such-package-pb': install it next to the notebook /);
  assert.ok(pkg.evalue.includes(join(dir, 'node_modules')), pkg.evalue);
  const extensionless = await run("import { where } from './lib/helper';");
  assert.match(extensionless.evalue, /Cannot find module '\.\/lib\/helper': .* did you mean '\.\/lib\/helper\.mjs'\?/);
  // A relative path never falls back to Probebook's own folder, where this file exists.
  const own = await run("import p from './context-protocol.ts';");
  assert.match(own.evalue, /Cannot find module '\.\/context-protocol\.ts': there is no /);
});

test('an error after an import() on the same line, or in the last expression, keeps its column', async (t) => {
  const kernel = new TypeScriptKernel();
  t.after(() => kernel.dispose());
  const sameLine = request("const os = await import('node:os'); const o: any = null; o.boom;");
  await kernel.execute(sameLine.req);
  assert.deepEqual(sameLine.errors[0]!.location, { line: 1, column: 60 }, sameLine.errors[0]!.evalue);
  const last = request('const o: any = null;\nconsole.log(o.boom)');
  await kernel.execute(last.req);
  assert.deepEqual(last.errors[0]!.location, { line: 2, column: 15 }, last.errors[0]!.evalue);
});

test('errors point at the cell line and column, syntax errors too', async (t) => {
  const kernel = new TypeScriptKernel();
  t.after(() => kernel.dispose());
  const runtime = request('const ok = 1;\n\nconst o: any = null;\nconsole.log(o.boom);');
  assert.equal((await kernel.execute(runtime.req)).status, 'failed');
  assert.equal(runtime.errors[0]!.ename, 'TypeError');
  assert.equal(runtime.errors[0]!.location?.line, 4);
  assert.match(runtime.errors[0]!.evalue, /^line 4, column \d+: Cannot read properties of null/);
  assert.ok(
    runtime.errors[0]!.traceback.every((f) => !/node:|context-main|ts-context/.test(f)),
    'the stack is trimmed to the cell',
  );
  const syntax = request('const a = 1;\nlet = = 3;');
  await kernel.execute(syntax.req);
  assert.deepEqual([syntax.errors[0]!.ename, syntax.errors[0]!.location?.line], ['SyntaxError', 2]);
});

test('interrupt stops while (true) {} within a second and other notebooks keep their state', async (t) => {
  const kernel = new TypeScriptKernel();
  t.after(() => kernel.dispose());
  await kernel.execute(request('const kept = "other notebook";', { notebookKey: 'other' }).req);
  await kernel.execute(request('const mine = 7;').req);
  for (const code of ['while (true) {}', 'await 1;\nwhile (true) {}']) {
    const ac = new AbortController();
    const r = request(code, { signal: ac.signal });
    const done = kernel.execute(r.req);
    await new Promise((res) => setTimeout(res, 200));
    const stoppedAt = performance.now();
    ac.abort('interrupt');
    const result = await done;
    assert.equal(result.status, 'interrupted');
    assert.ok(performance.now() - stoppedAt < 1000, `${code} took ${Math.round(performance.now() - stoppedAt)} ms to stop`);
  }
  const other = request('console.log(kept)', { notebookKey: 'other' });
  await kernel.execute(other.req);
  assert.equal(other.text(), 'other notebook\n');
  await kernel.reset('other');
  const cleared = request('console.log(typeof kept)', { notebookKey: 'other' });
  await kernel.execute(cleared.req);
  assert.equal(cleared.text(), 'undefined\n', 'restart clears the context');
});

test('display, table, plot and the last expression become rich outputs with text fallbacks', async (t) => {
  const kernel = new TypeScriptKernel();
  t.after(() => kernel.dispose());
  const r = request(
    'table([{ n: 100, mbps: 941.2 }, { n: 200, mbps: 930.1 }]);\nplot([{ x: [1, 2, 3], y: [3, 1, 2], type: "scatter" }], { title: "throughput" });\n({ answer: 42 })',
  );
  assert.equal((await kernel.execute(r.req)).status, 'ok', JSON.stringify(r.errors));
  const [table, plot, value] = r.displays;
  assert.deepEqual(
    table!.map((i) => i.mime),
    ['application/vnd.probebook.table+json', 'text/plain'],
  );
  assert.deepEqual((plot!.find((i) => i.mime === 'application/vnd.plotly.v1+json')!.data as { data: unknown[] }).data, [
    { x: [1, 2, 3], y: [3, 1, 2], type: 'scatter' },
  ]);
  assert.equal(plot!.find((i) => i.mime === 'text/plain')!.data, '<plotly figure: 1 trace, throughput>');
  assert.deepEqual(value!.find((i) => i.mime === 'application/json')!.data, { answer: 42 });
});

test('$ runs shell commands with quoted arguments and throws on failure', async (t) => {
  const kernel = new TypeScriptKernel();
  t.after(() => kernel.dispose());
  const r = request(
    'const name = "a b; echo injected";\nconst out = await $`printf "%s" ${name}`;\nconsole.log(out.stdout);\nconst bad = await $.nothrow`exit 3`;\nconsole.log(bad.exitCode);\nawait $`false`;',
  );
  const result = await kernel.execute(r.req);
  assert.equal(r.text(), 'a b; echo injected\n3\n');
  assert.equal(result.status, 'failed');
  assert.match(r.errors[0]!.evalue, /exited with code 1/);
});

function probebook(args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((done) =>
    execFile(process.execPath, [join(root, 'bin/probebook.mjs'), ...args], { cwd }, (error, _o, stderr) =>
      done({ code: error ? Number(error.code) || 1 : 0, stderr }),
    ),
  );
}

test('a sweep notebook runs headless: run() with parameters, cell() on iperf3 JSON, and a plotly figure in the file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-sweep-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const iperf = join(samples, 'iperf3-J-tcp-P2.json');
  const cell = (source: string, probebook: Record<string, unknown> = {}) => ({
    cell_type: 'code',
    id: `c${Math.random().toString(16).slice(2, 10)}`,
    metadata: { probebook },
    execution_count: null,
    outputs: [],
    source,
  });
  writeFileSync(
    join(dir, 'sweep.ipynb'),
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { probebook: { parameters: { N: 0 } } },
      cells: [
        cell('echo "rules=$N"', { name: 'add-rules', language: 'shell' }),
        cell(`cat ${iperf}`, { name: 'measure', language: 'shell' }),
        cell(
          [
            'const rows = [];',
            'for (let n = 100; n <= 300; n += 100) {',
            '  const added = await run("add-rules", { N: n });',
            '  const m = await run("measure");',
            '  rows.push({ n, added: added.stdout.trim(), mbps: iperf3(m.json).summary!.mbps });',
            '}',
            'table(rows);',
            'const { intervals } = iperf3((await cell("measure")).stdout);',
            'plot([{ x: intervals.map((i) => i.t), y: intervals.map((i) => i.mbps), name: "Mbit/s" }], { title: "throughput" });',
          ].join('\n'),
          { language: 'typescript', name: 'sweep' },
        ),
      ],
    }),
  );
  const run = await probebook(['run', 'sweep.ipynb', '--out', 'out.ipynb'], dir);
  assert.equal(run.code, 0, run.stderr);
  const nb = JSON.parse(readFileSync(join(dir, 'out.ipynb'), 'utf8'));
  const outputs = nb.cells[2].outputs;
  const table = outputs.find((o: { data?: Record<string, unknown> }) => o.data?.['application/vnd.probebook.table+json']);
  assert.deepEqual(
    table.data['application/vnd.probebook.table+json'].rows.map((r: { added: string }) => r.added),
    ['rules=100', 'rules=200', 'rules=300'],
  );
  const figure = outputs.find((o: { data?: Record<string, unknown> }) => o.data?.['application/vnd.plotly.v1+json']);
  assert.ok(figure, 'a plotly figure is saved in the notebook');
  assert.ok(figure.data['application/vnd.plotly.v1+json'].data[0].y.length > 0);
  assert.equal(nb.cells[0].outputs[0].text.join(''), 'rules=300\n', 'run() shows its outputs in that cell');
});

test('the bundled context that probebook run uses imports from the notebook folder too', async (t) => {
  const dir = labFolder(t);
  writeFileSync(
    join(dir, 'imports.ipynb'),
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          cell_type: 'code',
          id: 'c1',
          metadata: { probebook: { language: 'typescript' } },
          execution_count: null,
          outputs: [],
          source:
            "import { answer } from 'esm-lab';\nconst { where } = await import('./lib/helper.mjs');\nconst os = await import('node:os');\nconsole.log(answer, where, typeof os.hostname);",
        },
      ],
    }),
  );
  const run = await probebook(['run', 'imports.ipynb', '--out', 'out.ipynb'], dir);
  assert.equal(run.code, 0, run.stderr);
  const nb = JSON.parse(readFileSync(join(dir, 'out.ipynb'), 'utf8'));
  assert.equal(nb.cells[0].outputs.map((o: { text?: string[] }) => (o.text ?? []).join('')).join(''), '42 helper function\n');
});
