import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Notebook } from '../notebook/model.ts';
import { environmentSections, environmentValue, reportData, reportTitle } from './report-data.ts';

function notebook(metadata: Notebook['metadata'], cells: Partial<Notebook['cells'][number]>[] = []): Notebook {
  return {
    nbformat: 4,
    nbformatMinor: 5,
    metadata,
    cells: cells.map((c, i) => ({ id: `c${i}`, cellType: 'code', source: '', metadata: {}, outputs: [], executionCount: null, ...c })),
  };
}

test('the title is metadata.title, else the first markdown heading, else the file name', () => {
  assert.equal(reportTitle(notebook({ title: 'Lab 3' }), 'x.ipynb'), 'Lab 3');
  assert.equal(reportTitle(notebook({}, [{ cellType: 'markdown', source: 'intro\n\n# Rule chains #\ntext' }]), 'x.ipynb'), 'Rule chains');
  assert.equal(reportTitle(notebook({}, [{ cellType: 'code', source: '# not a heading' }]), 'lab06.ipynb'), 'lab06');
});

test('a title taken from the first line of the first cell is not shown twice', () => {
  const nb = notebook({}, [
    { cellType: 'markdown', source: '# Rule chains\nWe measure.' },
    { cellType: 'markdown', source: '# Rule chains' },
  ]);
  const data = reportData(nb, { fileName: 'a.ipynb', trusted: true });
  assert.equal(data.title, 'Rule chains');
  assert.deepEqual(
    data.cells.map((c) => c.source),
    ['We measure.', '# Rule chains'],
  );
  const titled = reportData({ ...nb, metadata: { title: 'Rule chains' } }, { fileName: 'a.ipynb', trusted: true });
  assert.equal(titled.cells[0]!.source, '# Rule chains\nWe measure.');
});

test('the author comes from the option, else metadata.authors, else metadata.probebook.author', () => {
  const nb = notebook({ authors: [{ name: 'Ada' }, { name: 'Grace' }], probebook: { author: 'Other' } });
  assert.equal(reportData(nb, { fileName: 'a.ipynb', trusted: true }).author, 'Ada, Grace');
  assert.equal(reportData(nb, { fileName: 'a.ipynb', trusted: true, author: 'Linus' }).author, 'Linus');
  assert.equal(reportData(notebook({ probebook: { author: 'Other' } }), { fileName: 'a.ipynb', trusted: true }).author, 'Other');
  assert.equal(reportData(notebook({}), { fileName: 'a.ipynb', trusted: true }).author, null);
});

test('cells carry the language they run as, their name and outputs; the date defaults to today', () => {
  const nb = notebook({ probebook: { language: 'shell' } }, [
    { source: '%%bpftrace\nBEGIN { exit(); }', metadata: { probebook: { name: 'probe' } } },
    { source: 'ls' },
    { cellType: 'markdown', source: '# Hi' },
  ]);
  const data = reportData(nb, { fileName: 'a.ipynb', trusted: false, now: new Date('2026-03-04T05:06:07Z') });
  assert.deepEqual(
    data.cells.map((c) => [c.kind, c.language, c.name]),
    [
      ['code', 'bpftrace', 'probe'],
      ['code', 'shell', null],
      ['markdown', null, null],
    ],
  );
  assert.equal(data.date, '2026-03-04');
  assert.equal(data.trusted, false);
  assert.equal(data.environment, null);
});

test('the environment appendix: known keys in reading order, nested objects as their own sections', () => {
  const env = {
    cpus: 2,
    distribution: 'Debian 12',
    features: { btf: true, kprobes: false },
    kernel: '6.1.0',
    recordedAt: '2026-12-07T10:00:00Z',
    tools: { bpftrace: 'v0.17.0', tshark: null },
    zram: 'off',
  };
  const sections = environmentSections(env);
  assert.deepEqual(sections[0], {
    label: 'Machine',
    rows: [
      ['Distribution', 'Debian 12'],
      ['Kernel', '6.1.0'],
      ['CPUs', '2'],
      ['Recorded', '2026-12-07T10:00:00Z'],
      ['zram', 'off'],
    ],
  });
  assert.deepEqual(
    sections.slice(1).map((s) => [s.label, s.rows]),
    [
      [
        'Tools',
        [
          ['bpftrace', 'v0.17.0'],
          ['tshark', '—'],
        ],
      ],
      [
        'Kernel features',
        [
          ['btf', 'yes'],
          ['kprobes', 'no'],
        ],
      ],
    ],
  );
  assert.equal(environmentValue([1, { a: true }]), '1, a: yes');
  assert.deepEqual(reportData(notebook({ probebook: { environment: env } }), { fileName: 'a.ipynb', trusted: true }).environment, env);
});

test("markdown's attachment: images become data: URLs (a report loads nothing)", () => {
  const nb = notebook({}, [
    { cellType: 'markdown', source: '![plot](attachment:a%20b.png) ![gone](attachment:x.png)', attachments: { 'a b.png': { 'image/png': 'iVBO\nRw0=' } } },
  ]);
  assert.equal(reportData(nb, { fileName: 'a.ipynb', trusted: false }).cells[0]!.source, '![plot](data:image/png;base64,iVBORw0=) ![gone](attachment:x.png)');
});
