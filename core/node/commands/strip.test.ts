import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { needs } from '../../../test/support/needs.ts';
import { parseNotebook, serializeNotebook } from '../../common/notebook/ipynb.ts';
import type { Notebook } from '../../common/notebook/model.ts';
import { stripCommand } from './strip.ts';

const root = join(import.meta.dirname, '../../..');
const fixtures = join(root, 'test/fixtures/notebooks');

function workdir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-strip-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A notebook as a run leaves it: outputs, counts, timing, output times, the environment. */
function ranNotebook(): Notebook {
  const nb = parseNotebook(readFileSync(join(fixtures, 'jupyter-4.5.ipynb'), 'utf8'), 'lab.ipynb');
  nb.metadata.probebook = { ...(nb.metadata.probebook as object), environment: { recordedAt: '2026-12-07T20:00:00.000Z', kernel: '6.1.0', cpus: 2 } };
  nb.metadata.widgets = { 'application/vnd.jupyter.widget-state+json': { state: {}, version_major: 2, version_minor: 0 } };
  const code = nb.cells.find((c) => c.cellType === 'code')!;
  code.executionCount = 7;
  code.metadata.execution = { 'iopub.execute_input': '2026-12-07T20:00:00.000Z', 'probebook.status': 'ok' };
  code.metadata.probebook = { name: 'measure', timeout: '10s' };
  code.outputs = [{ outputId: 'o1', kind: 'stream', items: [{ mime: 'application/vnd.probebook.stdout', data: 'hello\n' }], time: 1765137600000 }];
  return nb;
}

async function strip(argv: string[], stdin?: string): Promise<{ status: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: '', err: '' };
  out.on('data', (d) => (chunks.out += d));
  err.on('data', (d) => (chunks.err += d));
  const status = await stripCommand(argv, { stdout: out, stderr: err, stdin: stdin === undefined ? undefined : Readable.from([Buffer.from(stdin)]) });
  return { status, ...chunks };
}

test('strip removes outputs and run metadata, keeps the rest, and is idempotent', async (t) => {
  const dir = workdir(t);
  const path = join(dir, 'lab.ipynb');
  writeFileSync(path, serializeNotebook(ranNotebook()));
  const check = await strip(['--check', path]);
  assert.equal(check.status, 1);
  assert.match(check.out, /holds \d+ outputs?, \d+ execution counts?, run metadata of 1 cell, the recorded environment, widget state\n/);
  assert.equal(
    JSON.parse(readFileSync(path, 'utf8')).cells.find((c: { cell_type: string }) => c.cell_type === 'code').outputs.length,
    1,
    '--check wrote nothing',
  );

  const done = await strip([path]);
  assert.equal(done.status, 0, done.err);
  const stripped = JSON.parse(readFileSync(path, 'utf8'));
  const code = stripped.cells.find((c: { cell_type: string }) => c.cell_type === 'code');
  assert.deepEqual(code.outputs, []);
  assert.equal(code.execution_count, null);
  assert.equal(code.metadata.execution, undefined);
  assert.deepEqual(code.metadata.probebook, { name: 'measure', timeout: '10s' }, 'cell options stay, output times go');
  assert.equal(stripped.metadata.probebook?.environment, undefined);
  assert.equal(stripped.metadata.widgets, undefined);
  const original = JSON.parse(readFileSync(join(fixtures, 'jupyter-4.5.ipynb'), 'utf8'));
  assert.deepEqual(stripped.metadata.kernelspec, original.metadata.kernelspec, 'other metadata stays');

  const before = readFileSync(path, 'utf8');
  assert.match((await strip([path])).out, /nothing to strip/);
  assert.equal(readFileSync(path, 'utf8'), before, 'a clean notebook is not written again');
  assert.equal((await strip(['--check', path])).status, 0);
});

test('strip --stdin is a filter: stripped notebook out, clean input through unchanged, bad input refused', async () => {
  const ran = serializeNotebook(ranNotebook());
  const filtered = await strip(['--stdin'], ran);
  assert.equal(filtered.status, 0);
  assert.doesNotMatch(filtered.out, /"output_type"|"environment"|iopub\.execute_input/);
  const again = await strip(['--stdin'], filtered.out);
  assert.equal(again.out, filtered.out, 'idempotent');
  // Another tool's formatting (2-space indent) of a clean notebook: passed through byte for byte.
  const otherFormat = `${JSON.stringify(JSON.parse(filtered.out), null, 2)}\n`;
  const clean = await strip(['--stdin'], otherFormat);
  assert.equal(clean.status, 0, clean.err);
  assert.equal(clean.out, otherFormat);
  const bad = await strip(['--stdin'], '{"cells": [');
  assert.equal(bad.status, 1);
  assert.equal(bad.out, '', 'nothing on stdout: git keeps no half notebook');
  assert.match(bad.err, /<stdin>:1:\d+: is not valid JSON/);
  assert.match((await strip(['--stdin'], '{"hello": 1}')).err, /is not a Jupyter notebook at nbformat/);
  assert.equal((await strip(['--stdin', 'x.ipynb'])).status, 2);
  assert.equal((await strip([])).status, 2);
});

test('strip never writes over a file that is not a notebook', async (t) => {
  const dir = workdir(t);
  for (const name of ['malformed-json.ipynb', 'not-a-notebook.ipynb']) copyFileSync(join(fixtures, name), join(dir, name));
  writeFileSync(join(dir, 'lab.ipynb'), serializeNotebook(ranNotebook()));
  const result = await strip([join(dir, 'malformed-json.ipynb'), join(dir, 'not-a-notebook.ipynb'), join(dir, 'lab.ipynb'), join(dir, 'missing.ipynb')]);
  assert.equal(result.status, 1);
  for (const name of ['malformed-json.ipynb', 'not-a-notebook.ipynb']) {
    assert.deepEqual(readFileSync(join(dir, name)), readFileSync(join(fixtures, name)), `${name} untouched`);
  }
  assert.match(result.err, /malformed-json\.ipynb:\d+:\d+: is not valid JSON/);
  assert.match(result.err, /not-a-notebook\.ipynb: is not a Jupyter notebook/);
  assert.match(result.err, /missing\.ipynb does not exist/);
  assert.match(result.out, /lab\.ipynb: removed/, 'the good notebook among them is stripped');
  assert.deepEqual(readdirSync(dir).sort(), ['lab.ipynb', 'malformed-json.ipynb', 'not-a-notebook.ipynb'], 'no temp files left');
});

test('as a git clean filter, a commit holds the stripped notebook and the working file keeps its outputs', async (t) => {
  if (!needs(t, { tools: ['git'] })) return;
  const dir = workdir(t);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { cwd: dir, encoding: 'utf8' });
  git('init', '-q');
  // The filter as the docs show it, with this checkout's sources instead of an installed probebook.
  const script = join(workdir(t), 'strip-filter.mjs');
  writeFileSync(
    script,
    `const { stripCommand } = await import(${JSON.stringify(join(root, 'core/node/commands/strip.ts'))});\nprocess.exitCode = await stripCommand(['--stdin']);\n`,
  );
  const tsx = join(root, 'node_modules/tsx/dist/esm/index.mjs');
  git('config', 'filter.probebook.clean', `'${process.execPath}' --import '${tsx}' '${script}'`);
  git('config', 'filter.probebook.smudge', 'cat');
  git('config', 'filter.probebook.required', 'true');
  writeFileSync(join(dir, '.gitattributes'), '*.ipynb filter=probebook\n');
  const ran = serializeNotebook(ranNotebook());
  writeFileSync(join(dir, 'lab.ipynb'), ran);
  git('add', '.gitattributes', 'lab.ipynb');
  git('commit', '-q', '-m', 'template');
  const committed = git('show', 'HEAD:lab.ipynb');
  assert.doesNotMatch(committed, /"output_type"|"environment"/);
  assert.equal(JSON.parse(committed).cells.find((c: { cell_type: string }) => c.cell_type === 'code').execution_count, null);
  assert.equal(readFileSync(join(dir, 'lab.ipynb'), 'utf8'), ran, 'the working file keeps its outputs');
  assert.equal(git('status', '--porcelain'), '', 'git sees no change: the outputs are not a diff');
});
