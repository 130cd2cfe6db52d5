/**
 * The app's Markdown export (`exportMarkdownBeside`, what File → Export as Markdown runs on the
 * host) as root, for a notebook that belongs to another user: NAME.md, NAME_files/ and its PNGs are
 * given to the notebook's owner, as saves are; a leftover NAME_files/ alone is enough for the export
 * to take the next name rather than write into it.
 */
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { reportData } from '../../core/common/export/report-data.ts';
import { parseNotebook } from '../../core/common/notebook/ipynb.ts';
import { exportMarkdownBeside } from '../../core/node/export/export-notebook.ts';
import { needs } from '../support/needs.ts';
import { CHROMIUM } from '../support/page-browser.ts';

const NOBODY = 65534;

test('a root host gives the Markdown export to the notebook’s owner and never writes into an existing NAME_files/', async (t) => {
  if (!needs(t, { root: true, check: () => (existsSync(CHROMIUM) ? null : `Chromium at ${CHROMIUM} (apt install chromium)`) })) return;
  const dir = mkdtempSync(join(tmpdir(), 'pb-md-owner-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const figure = { data: [{ type: 'bar', x: ['a', 'b'], y: [2, 1] }], layout: { title: { text: 'Drops' } } };
  const text = JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { probebook: { language: 'typescript' } },
    cells: [
      {
        id: 'fig',
        cell_type: 'code',
        metadata: {},
        source: 'plot()',
        outputs: [{ output_type: 'display_data', data: { 'application/vnd.plotly.v1+json': figure, 'text/plain': ['<Figure>'] }, metadata: {} }],
        execution_count: 1,
      },
    ],
  });
  const notebook = join(dir, 'lab.ipynb');
  writeFileSync(notebook, text);
  chownSync(notebook, NOBODY, NOBODY);
  // An earlier export's figures, without its .md: not to be written into.
  mkdirSync(join(dir, 'lab_files'));
  writeFileSync(join(dir, 'lab_files', 'keep.txt'), 'mine');

  const data = reportData(parseNotebook(text, 'lab.ipynb'), { fileName: 'lab.ipynb', trusted: false });
  const { output, extraFiles } = await exportMarkdownBeside(data, notebook);
  assert.equal(output, join(dir, 'lab-2.md'));
  assert.deepEqual(readdirSync(join(dir, 'lab_files')), ['keep.txt']);
  assert.equal(existsSync(join(dir, 'lab.md')), false);
  assert.equal(extraFiles.length, 1);
  assert.match(readFileSync(output, 'utf8'), /\(lab-2_files\/figure-[^)]+\.png\)/);
  for (const file of [output, join(dir, 'lab-2_files'), ...extraFiles]) {
    const { uid, gid } = statSync(file);
    assert.deepEqual({ uid, gid }, { uid: NOBODY, gid: NOBODY }, `${file} belongs to the notebook's owner`);
  }
});
