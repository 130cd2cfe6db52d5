import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../../test/support/needs.ts';
import { nbformatMissing as hasNbformat, python, validateWithNbformat } from '../../test/support/nbformat.ts';
import { parseNotebook, serializeNotebook, upgradedFrom } from '../common/notebook/ipynb.ts';
import { resolveCell } from '../common/notebook/cell-options.ts';
import { readNotebookFile, writeNotebookFile } from './notebook-file.ts';

const fixtures = join(import.meta.dirname, '../../test/fixtures/notebooks');
const V3 = ['nbformat3-python.ipynb', 'nbformat3-bash-worksheets.ipynb'];

/** Cell ids are random on both sides: the n-th cell's id becomes `cell-n`. */
function withoutIds(text: string): unknown {
  const nb = JSON.parse(text) as { cells: { id?: string }[] };
  for (const [i, c] of nb.cells.entries()) c.id = `cell-${i}`;
  return nb;
}

test('the nbformat 3 fixtures are valid nbformat 3 (Jupyter validator)', (t) => {
  if (!needs(t, { check: hasNbformat })) return;
  for (const name of V3) {
    python('import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT), version=3)', join(fixtures, name));
  }
});

test("an nbformat 3 notebook is upgraded exactly as nbformat's own converter does, and written as valid 4.5", async (t) => {
  if (!needs(t, { check: hasNbformat })) return;
  const dir = mkdtempSync(join(tmpdir(), 'pb-v3-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const name of V3) {
    const path = join(fixtures, name);
    const ours = serializeNotebook(parseNotebook(readFileSync(path, 'utf8'), name));
    const theirs = python('import nbformat,sys; sys.stdout.write(nbformat.writes(nbformat.read(sys.argv[1], as_version=4)) + "\\n")', path);
    assert.deepEqual(withoutIds(ours), withoutIds(theirs), name);
    // Byte for byte once the ids agree (both write 1-space indent, sorted keys, lists of lines).
    const ids = (JSON.parse(ours) as { cells: { id: string }[] }).cells.map((c) => c.id);
    let i = 0;
    assert.equal(
      theirs.replace(/"id": "[^"]+"/g, () => `"id": "${ids[i++]}"`),
      ours,
      name,
    );
    const out = join(dir, name);
    writeFileSync(out, ours);
    validateWithNbformat(out);
  }
});

test('what the upgrade gives: headings, sources, counts, outputs, MIME keys', () => {
  const nb = parseNotebook(readFileSync(join(fixtures, 'nbformat3-python.ipynb'), 'utf8'), 'v3.ipynb');
  assert.equal(upgradedFrom(nb), '3.0');
  assert.deepEqual(
    nb.cells.map((c) => [c.cellType, c.source.split('\n')[0]]),
    [
      ['markdown', '# TCP handshake lab'],
      ['markdown', '## Setup and checks'],
      ['markdown', 'We capture a handshake on **lo**.'],
      ['code', '%%bash'],
      ['code', 'import json'],
      ['code', 'plot()'],
      ['code', '1/0'],
      ['code', ''],
      ['raw', 'raw text stays'],
    ],
  );
  assert.equal(nb.cells[4]!.executionCount, 2);
  assert.equal(nb.cells[4]!.metadata.collapsed, true);
  const result = nb.cells[4]!.outputs[1]!;
  assert.equal(result.kind, 'execute_result');
  assert.equal(result.executionCount, 2);
  assert.deepEqual(
    result.items.map((i) => i.mime),
    ['text/plain', 'text/html', 'application/json'],
  );
  assert.deepEqual(result.items[2]!.data, { syn: 3 }, 'v3 kept JSON as text; 4 has the value');
  assert.deepEqual(nb.cells[5]!.outputs[0]!.metadata, { 'image/png': { width: 16 } }, 'output metadata keys renamed too');
  assert.equal(nb.cells[6]!.outputs[0]!.kind, 'error');
  assert.equal(nb.metadata.name, undefined);
  assert.equal(nb.metadata.signature, undefined);
  // The %%bash cell runs as shell; the v3 `language: "python"` was dropped, as Jupyter drops it.
  assert.equal(resolveCell(nb.cells[3]!, nb).language, 'shell');
  const worksheets = parseNotebook(readFileSync(join(fixtures, 'nbformat3-bash-worksheets.ipynb'), 'utf8'), 'w.ipynb');
  assert.deepEqual(
    worksheets.cells.map((c) => c.source),
    ['First worksheet', 'echo one', '### Second worksheet', 'echo two'],
    'both worksheets, flattened in order',
  );
  assert.equal(resolveCell(worksheets.cells[1]!, worksheets).language, 'shell', 'the bash kernelspec still decides');
});

test('saving an upgraded notebook over its nbformat 3 file keeps the original beside it, once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-v3-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'lab.ipynb');
  copyFileSync(join(fixtures, 'nbformat3-python.ipynb'), path);
  const original = readFileSync(path);
  const { notebook, fingerprint } = await readNotebookFile(path);
  const kept: string[] = [];
  const next = await writeNotebookFile(path, notebook, { expected: fingerprint, originalKept: (p) => kept.push(p) });
  assert.deepEqual(kept, [join(dir, 'lab.nbformat3.ipynb')]);
  assert.deepEqual(readFileSync(kept[0]!), original, 'the original, byte for byte');
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).nbformat, 4);
  // The next save writes over a 4.5 file: nothing more to keep.
  await writeNotebookFile(path, notebook, { expected: next, originalKept: (p) => kept.push(p) });
  assert.equal(kept.length, 1);
  // A second v3 file of that name whose copy slot is taken by other bytes gets the next name.
  copyFileSync(join(fixtures, 'nbformat3-bash-worksheets.ipynb'), path);
  const again = await readNotebookFile(path);
  await writeNotebookFile(path, again.notebook, { expected: again.fingerprint, originalKept: (p) => kept.push(p) });
  assert.equal(kept[1], join(dir, 'lab.nbformat3-2.ipynb'));
  assert.deepEqual(readdirSync(dir).sort(), ['lab.ipynb', 'lab.nbformat3-2.ipynb', 'lab.nbformat3.ipynb']);
});

test('nbformat 3 files that are not notebooks get errors naming the place', () => {
  const bad = (text: string) => () => parseNotebook(text, 'bad.ipynb');
  assert.throws(
    bad('{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": {}}'),
    /bad\.ipynb: is not a Jupyter notebook at worksheets: must be a list/,
  );
  assert.throws(
    bad('{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [{"cell_type": "code", "input": "", "outputs": 3}]}]}'),
    /at worksheets\[0\]\.cells\[0\]\.outputs: must be a list/,
  );
  assert.throws(
    bad(
      '{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [{"cell_type": "code", "input": "", "outputs": [{"output_type": "pyout", "json": "{nope"}]}]}]}',
    ),
    /at worksheets\[0\]\.cells\[0\]\.outputs\[0\]\.json: is not JSON text/,
  );
  assert.throws(bad('{"nbformat": 2, "nbformat_minor": 0}'), /nbformat 2 is not supported/);
});
