import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveCell } from './cell-options.ts';
import { parseNotebook, serializeNotebook } from './ipynb.ts';

const fixtures = join(import.meta.dirname, '../../../test/fixtures/notebooks');
const read = (name: string) => readFileSync(join(fixtures, name), 'utf8');

test('notebooks from JupyterLab (bash kernel) and VS Code round-trip byte for byte: attachments, raw cells, widget state, tool metadata', () => {
  for (const name of ['jupyterlab-bash.ipynb', 'vscode-polyglot.ipynb', 'vscode.ipynb']) {
    const text = read(name);
    const nb = parseNotebook(text, name);
    const again = serializeNotebook(nb);
    if (name === 'vscode.ipynb') {
      // nbformat 4.2 without cell ids: written as 4.5 with ids, everything else as it was.
      const written = JSON.parse(again);
      const original = JSON.parse(text);
      assert.deepEqual(
        written.cells.map(({ id: _id, ...c }: { id: string }) => c),
        original.cells,
      );
      const { orig_nbformat: _dropped, ...kept } = original.metadata; // dropped on write, as nbformat's writer does
      assert.deepEqual(written.metadata, kept);
      continue;
    }
    assert.equal(again, text, name);
  }
  const lab = parseNotebook(read('jupyterlab-bash.ipynb'), 'lab.ipynb');
  assert.ok(lab.cells[0]!.attachments?.['topology.png'], 'the attachment');
  assert.equal(lab.cells[4]!.cellType, 'raw');
  assert.ok(lab.metadata.widgets, 'widget state');
});

test('cells run in the language another tool gave them where it is ours; others are refused by name, not run as shell', () => {
  const nb = parseNotebook(read('vscode-polyglot.ipynb'), 'vscode-polyglot.ipynb');
  const outcome = nb.cells.map((cell) => {
    try {
      const r = resolveCell(cell, nb);
      return [cell.id, r.language, r.languageSource];
    } catch (error) {
      return [cell.id, (error as Error).message];
    }
  });
  assert.deepEqual(outcome, [
    ['vsshell', 'shell', 'metadata'],
    ['vsts', 'typescript', 'metadata'],
    [
      'cs',
      'cell 3 is csharp (metadata.polyglot_notebook.kernelName, written by Polyglot Notebooks), which Probebook does not run: start it with %%bash, %%bpftrace or %%ts, or set metadata.probebook.language.',
    ],
    ['pgsh', 'shell', 'metadata'],
    ['vsbt', 'bpftrace', 'metadata'],
  ]);
  // Our own metadata and a magic line still come first.
  const cs = nb.cells[2]!;
  cs.source = '%%bash\necho now shell';
  assert.equal(resolveCell(cs, nb).language, 'shell');
  cs.source = 'echo x';
  cs.metadata.probebook = { language: 'shell' };
  assert.equal(resolveCell(cs, nb).language, 'shell');
  // JupyterLab's bash kernel: every cell is shell.
  const lab = parseNotebook(read('jupyterlab-bash.ipynb'), 'lab.ipynb');
  assert.deepEqual(
    lab.cells.filter((c) => c.cellType === 'code').map((c) => [resolveCell(c, lab).language, resolveCell(c, lab).languageSource]),
    [
      ['shell', 'kernelspec'],
      ['shell', 'kernelspec'],
      ['shell', 'kernelspec'],
    ],
  );
});

test('saves keep key order stable: keys in any order are written sorted, as Jupyter writes them', () => {
  const text = read('jupyterlab-bash.ipynb');
  const reversed = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(reversed)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .reverse()
              .map(([k, v]) => [k, reversed(v)]),
          )
        : value;
  // The same notebook with every object's keys in reverse order (as another tool may write it).
  const shuffled = JSON.stringify(reversed(JSON.parse(text)), null, 2);
  assert.equal(serializeNotebook(parseNotebook(shuffled, 'shuffled.ipynb')), text);
});
