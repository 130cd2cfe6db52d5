import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { serializeNotebook } from '../../common/notebook/ipynb.ts';
import type { Notebook } from '../../common/notebook/model.ts';
import { ChromiumMissingError, findChromium } from '../export/chromium.ts';
import { defaultOutput, ExportTargetError, checkTarget, printableWidth } from '../export/export-notebook.ts';
import { exportCommand } from './export.ts';

const NOTEBOOK: Notebook = {
  nbformat: 4,
  nbformatMinor: 5,
  metadata: { title: 'Exported' },
  cells: [
    {
      id: 'a',
      cellType: 'code',
      source: 'echo hi',
      metadata: {},
      outputs: [{ outputId: 'o', kind: 'stream', items: [{ mime: 'application/vnd.probebook.stdout', data: 'hi\n' }] }],
      executionCount: 1,
    },
  ],
};

function folder(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-export-cmd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'lab.ipynb'), serializeNotebook(structuredClone(NOTEBOOK)));
  return dir;
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: '', err: '' };
  out.on('data', (c) => (chunks.out += c));
  err.on('data', (c) => (chunks.err += c));
  const code = await exportCommand(argv, out, err);
  return { code, ...chunks };
}

test('bad usage says what is wrong and exits 2', async () => {
  for (const [argv, message] of [
    [[], /no notebook given/],
    [['a.ipynb'], /--to is required/],
    [['a.ipynb', '--to', 'docx'], /--to must be html, pdf, md or ipynb \(got "docx"\)/],
    [['a.ipynb', '--to', 'pdf', '--paper', 'a3'], /--paper must be a4 or letter/],
    [['a.ipynb', '--to', 'ipynb'], /--to ipynb needs -o FILE or --inplace/],
    [['a.ipynb', '--to', 'html', '--inplace'], /--inplace is for --to ipynb only/],
    [['a.ipynb', 'b.ipynb', '--to', 'html'], /one notebook at a time/],
  ] as const) {
    const r = await run([...argv]);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, message);
    assert.match(r.err, /Usage: probebook export/);
  }
});

test('HTML export writes beside the notebook and never over an existing file without --force', async (t) => {
  const dir = folder(t);
  const nb = join(dir, 'lab.ipynb');
  const first = await run([nb, '--to', 'html']);
  assert.equal(first.code, 0, first.err);
  const html = readFileSync(join(dir, 'lab.html'), 'utf8');
  assert.match(html, /<title>Exported<\/title>/);
  writeFileSync(join(dir, 'lab.html'), 'mine');
  const again = await run([nb, '--to', 'html']);
  assert.equal(again.code, 1);
  assert.match(again.err, /lab\.html exists: choose another name with -o, or replace it with --force/);
  assert.equal(readFileSync(join(dir, 'lab.html'), 'utf8'), 'mine');
  assert.equal((await run([nb, '--to', 'html', '--force', '-q'])).code, 0);
  assert.match(readFileSync(join(dir, 'lab.html'), 'utf8'), /pb-report-data/);
  // Not even --force writes a report over the notebook.
  const over = await run([nb, '--to', 'html', '-o', nb, '--force']);
  assert.equal(over.code, 1);
  assert.match(over.err, /is the notebook itself/);
  assert.equal(readFileSync(nb, 'utf8'), serializeNotebook(structuredClone(NOTEBOOK)));
});

test('a missing or malformed notebook is a clear error, and nothing is written', async (t) => {
  const dir = folder(t);
  const missing = await run([join(dir, 'nope.ipynb'), '--to', 'html']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /probebook export: .*nope\.ipynb/);
  assert.ok(!existsSync(join(dir, 'nope.html')));
  const bad = join(dir, 'bad.ipynb');
  writeFileSync(bad, '{"cells": [');
  const malformed = await run([bad, '--to', 'ipynb', '--inplace']);
  assert.equal(malformed.code, 1);
  assert.match(malformed.err, /bad\.ipynb/);
  assert.equal(readFileSync(bad, 'utf8'), '{"cells": [');
  const html = await run([bad, '--to', 'html']);
  assert.equal(html.code, 1);
  assert.ok(!existsSync(join(dir, 'bad.html')));
});

test('without Chromium, PDF and Markdown exports name the package to install and write nothing', async (t) => {
  const dir = folder(t);
  const saved = process.env['PROBEBOOK_CHROMIUM'];
  process.env['PROBEBOOK_CHROMIUM'] = join(dir, 'no-chromium-here');
  t.after(() => (saved === undefined ? delete process.env['PROBEBOOK_CHROMIUM'] : (process.env['PROBEBOOK_CHROMIUM'] = saved)));
  assert.equal(findChromium(), null);
  for (const to of ['pdf', 'md', 'ipynb']) {
    const r = await run([join(dir, 'lab.ipynb'), '--to', to, ...(to === 'ipynb' ? ['-o', join(dir, 'out.ipynb')] : [])]);
    if (to === 'ipynb') {
      // No figure: nothing to draw, so no browser is needed.
      assert.equal(r.code, 0, r.err);
      continue;
    }
    assert.equal(r.code, 1, to);
    assert.match(r.err, /needs Chromium, which is not installed .*: sudo apt install chromium/);
    assert.ok(!existsSync(join(dir, `lab.${to}`)));
  }
  assert.ok(new ChromiumMissingError('x', ['/a']) instanceof Error);
});

test('default names and printable widths', () => {
  assert.equal(defaultOutput('/a/lab.ipynb', 'pdf'), '/a/lab.pdf');
  assert.equal(defaultOutput('/a/lab.IPYNB', 'md'), '/a/lab.md');
  assert.equal(defaultOutput('/a/notes', 'html'), '/a/notes.html');
  assert.equal(printableWidth('a4'), 687);
  assert.equal(printableWidth('letter'), 710);
  assert.throws(() => checkTarget('/a/x.ipynb', '/a/./x.ipynb', true), ExportTargetError);
});
